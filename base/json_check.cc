#include "base/json_check.h"

#include <cmath>
#include <cstdlib>
#include <vector>

#include "base/text_position.h"

namespace closeloop {
namespace {

// What the scanner expects next.
enum class Expect {
  kValueOrClose,  // after '[': a value or ']'
  kValue,         // after ':' or an array's ','
  kKeyOrClose,    // after '{': a key or '}'
  kKey,           // after an object's ','
  kColon,         // after a key
  kCommaOrClose,  // after a value inside a container
  kDone,          // after the top-level value
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The character at `i` for a message: 'x', or \xNN when it is not printable ASCII.
std::string Shown(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

class Scanner {
 public:
  Scanner(std::string_view text, const JsonLimits& limits) : t_(text), limits_(limits) {}

  std::optional<JsonSyntaxError> Run() {
    if (t_.size() > limits_.max_bytes) {
      return Fail(0, "the text is " + std::to_string(t_.size()) + " bytes; the limit is " +
                         std::to_string(limits_.max_bytes));
    }
    Expect expect = Expect::kValue;
    bool top_level = true;  // still before the top-level value
    size_t i = 0;
    while (i < t_.size()) {
      char c = t_[i];
      if (IsSpace(c)) {
        ++i;
        continue;
      }
      if (c == '/') return Fail(i, "a comment is not JSON");
      switch (expect) {
        case Expect::kValueOrClose:
        case Expect::kValue:
          if (c == ']' && expect == Expect::kValueOrClose) {
            stack_.pop_back();
            ++i;
            expect = AfterValue();
            break;
          }
          if (c == ']' && !stack_.empty() && stack_.back() == '[') {
            return Fail(i, "a trailing comma is not JSON");
          }
          top_level = false;
          if (c == '{' || c == '[') {
            if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
              return Fail(i,
                          "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
            }
            stack_.push_back(c);
            ++i;
            expect = c == '{' ? Expect::kKeyOrClose : Expect::kValueOrClose;
            break;
          }
          if (auto e = Value(&i)) return e;
          expect = AfterValue();
          break;
        case Expect::kKeyOrClose:
        case Expect::kKey:
          if (c == '}' && expect == Expect::kKeyOrClose) {
            stack_.pop_back();
            ++i;
            expect = AfterValue();
            break;
          }
          if (c == '}') return Fail(i, "a trailing comma is not JSON");
          if (c != '"') return Fail(i, "expected a quoted key, found " + Shown(c));
          if (auto e = String(&i)) return e;
          expect = Expect::kColon;
          break;
        case Expect::kColon:
          if (c != ':') return Fail(i, "expected ':' after the key, found " + Shown(c));
          ++i;
          expect = Expect::kValue;
          break;
        case Expect::kCommaOrClose: {
          char open = stack_.back();
          char close = open == '{' ? '}' : ']';
          if (c == ',') {
            ++i;
            expect = open == '{' ? Expect::kKey : Expect::kValue;
          } else if (c == close) {
            stack_.pop_back();
            ++i;
            expect = AfterValue();
          } else {
            return Fail(i, std::string("expected ',' or '") + close + "', found " + Shown(c));
          }
          break;
        }
        case Expect::kDone:
          return Fail(i, "text after the JSON value, from " + Shown(c));
      }
    }
    if (expect == Expect::kDone) return std::nullopt;
    if (top_level) return Fail(t_.size(), "no JSON value (the text is empty)");
    return Fail(t_.size(), "the text ends inside the JSON value");
  }

 private:
  Expect AfterValue() const { return stack_.empty() ? Expect::kDone : Expect::kCommaOrClose; }

  // A scalar value at *i (not an object or array); advances past it.
  std::optional<JsonSyntaxError> Value(size_t* i) {
    char c = t_[*i];
    if (c == '"') return String(i);
    if (c == '-' || IsDigit(c)) return Number(i);
    for (std::string_view word : {"true", "false", "null"}) {
      if (t_.substr(*i, word.size()) == word) {
        *i += word.size();
        return std::nullopt;
      }
    }
    if (c == '\'') return Fail(*i, "strings take double quotes");
    return Fail(*i, "expected a value, found " + Shown(c));
  }

  std::optional<JsonSyntaxError> Number(size_t* pos) {
    size_t start = *pos, i = *pos;
    bool integral = true;
    if (t_[i] == '-') ++i;
    if (i >= t_.size() || !IsDigit(t_[i])) return Fail(start, "malformed number");
    if (t_[i] == '0') {
      ++i;
      if (i < t_.size() && IsDigit(t_[i])) return Fail(start, "a number with a leading zero");
    } else {
      while (i < t_.size() && IsDigit(t_[i])) ++i;
    }
    if (i < t_.size() && t_[i] == '.') {
      integral = false;
      ++i;
      if (i >= t_.size() || !IsDigit(t_[i])) return Fail(start, "malformed number");
      while (i < t_.size() && IsDigit(t_[i])) ++i;
    }
    if (i < t_.size() && (t_[i] == 'e' || t_[i] == 'E')) {
      integral = false;
      ++i;
      if (i < t_.size() && (t_[i] == '+' || t_[i] == '-')) ++i;
      if (i >= t_.size() || !IsDigit(t_[i])) return Fail(start, "malformed number");
      while (i < t_.size() && IsDigit(t_[i])) ++i;
    }
    // Integers beyond 64 bits and fractions are read as doubles; one a double cannot hold
    // is refused here, where the position is known.
    if (!integral || i - start > 18) {
      std::string copy(t_.substr(start, i - start));
      if (std::isinf(std::strtod(copy.c_str(), nullptr))) {
        return Fail(start, "number out of range");
      }
    }
    *pos = i;
    return std::nullopt;
  }

  std::optional<JsonSyntaxError> String(size_t* pos) {
    size_t start = *pos, i = *pos + 1;
    while (i < t_.size()) {
      auto u = static_cast<unsigned char>(t_[i]);
      if (u == '"') {
        *pos = i + 1;
        return std::nullopt;
      }
      if (u == '\\') {
        if (i + 1 >= t_.size()) break;
        char e = t_[i + 1];
        if (e == 'u') {
          int cp = Hex4(i + 2);
          if (cp < 0) return Fail(i, "\\u needs four hex digits");
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail(i, "a lone low surrogate escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            int low = t_.substr(i + 6, 2) == "\\u" ? Hex4(i + 8) : -1;
            if (low < 0xDC00 || low > 0xDFFF) return Fail(i, "a lone high surrogate escape");
            i += 12;
          } else {
            i += 6;
          }
          continue;
        }
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
            e != 't') {
          return Fail(i, "unknown escape \\" + std::string(1, e));
        }
        i += 2;
        continue;
      }
      if (u < 0x20) return Fail(i, "a control character in a string (escape it)");
      if (u < 0x80) {
        ++i;
        continue;
      }
      size_t n = Utf8Length(i);
      if (n == 0) return Fail(i, "invalid UTF-8");
      i += n;
    }
    return Fail(start, "unterminated string");
  }

  // The value of four hex digits at `i`; -1 when they are not there.
  int Hex4(size_t i) const {
    if (i + 4 > t_.size()) return -1;
    int v = 0;
    for (size_t k = i; k < i + 4; ++k) {
      int h = HexValue(t_[k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  // The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlong forms, no
  // surrogates, nothing above U+10FFFF); 0 when it is not one.
  size_t Utf8Length(size_t i) const {
    auto at = [&](size_t k) -> int {
      return i + k < t_.size() ? static_cast<unsigned char>(t_[i + k]) : -1;
    };
    auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
    int b0 = at(0);
    if (in(b0, 0xC2, 0xDF)) return in(at(1), 0x80, 0xBF) ? 2 : 0;
    if (in(b0, 0xE0, 0xEF)) {
      int lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
      return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) ? 3 : 0;
    }
    if (in(b0, 0xF0, 0xF4)) {
      int lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
      return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
  }

  JsonSyntaxError Fail(size_t offset, std::string message) const {
    JsonSyntaxError e;
    e.offset = offset;
    e.message = std::move(message);
    TextPosition at = PositionAt(t_, offset);
    e.line = at.line;
    e.column = at.column;
    return e;
  }

  std::string_view t_;
  const JsonLimits& limits_;
  std::vector<char> stack_;  // '{' or '[' per open container; never above max_depth
};

}  // namespace

std::string JsonSyntaxError::ToString() const {
  return std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::optional<JsonSyntaxError> CheckJson(std::string_view text, const JsonLimits& limits) {
  return Scanner(text, limits).Run();
}

std::string Abbreviate(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

}  // namespace closeloop
