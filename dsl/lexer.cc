#include "dsl/lexer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

namespace closeloop::dsl {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

class Lexer {
 public:
  Lexer(std::string_view src, DiagSink* diags) : src_(src), diags_(diags) {}

  std::vector<Token> Run() {
    bool line_start = true;
    bool bad_run = false;  // one E002 per run of bad bytes, not one per byte
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\n') {
        line_start = true;
        ++pos_;
        bad_run = false;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
        bad_run = false;
        continue;
      }
      if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
        continue;
      }
      Token t;
      t.offset = static_cast<uint32_t>(pos_);
      t.line_start = line_start;
      if (!LexOne(c, &t)) {
        if (!bad_run) {
          diags_->Error(t.offset, "E002", InvalidCharMessage(c));
        }
        bad_run = true;
        ++pos_;
        // Skip the rest of a multi-byte UTF-8 sequence.
        while (pos_ < src_.size() && (static_cast<unsigned char>(src_[pos_]) & 0xC0) == 0x80) {
          ++pos_;
        }
        continue;
      }
      bad_run = false;
      line_start = false;
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.kind = Tok::kEnd;
    end.offset = static_cast<uint32_t>(src_.size());
    end.line_start = true;
    tokens_.push_back(end);
    return std::move(tokens_);
  }

 private:
  static std::string InvalidCharMessage(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return "non-ASCII character outside a string or comment";
    if (u < 0x20 || u == 0x7f) return fmt::format("invalid control character 0x{:02x}", u);
    return fmt::format("unexpected character '{}'", c);
  }

  bool LexOne(char c, Token* t) {
    if (IsIdentStart(c)) {
      size_t start = pos_;
      while (pos_ < src_.size() && IsIdentChar(src_[pos_])) ++pos_;
      t->kind = Tok::kIdent;
      t->text = std::string(src_.substr(start, pos_ - start));
      return true;
    }
    if (IsDigit(c)) return LexNumber(t);
    if (c == '"') return LexString(t);
    auto next = [&](char n) { return pos_ + 1 < src_.size() && src_[pos_ + 1] == n; };
    size_t len = 1;
    switch (c) {
      case '(':
        t->kind = Tok::kLParen;
        break;
      case ')':
        t->kind = Tok::kRParen;
        break;
      case '[':
        t->kind = Tok::kLBracket;
        break;
      case ']':
        t->kind = Tok::kRBracket;
        break;
      case ',':
        t->kind = Tok::kComma;
        break;
      case '.':
        t->kind = Tok::kDot;
        break;
      case ':':
        t->kind = Tok::kColon;
        break;
      case '+':
        t->kind = Tok::kPlus;
        break;
      case '*':
        t->kind = Tok::kStar;
        break;
      case '/':
        t->kind = Tok::kSlash;
        break;
      case '%':
        t->kind = Tok::kPercent;
        break;
      case '-':
        if (next('>')) {
          t->kind = Tok::kArrow;
          len = 2;
        } else {
          t->kind = Tok::kMinus;
        }
        break;
      case '=':
        if (next('=')) {
          t->kind = Tok::kEq;
          len = 2;
        } else {
          t->kind = Tok::kAssign;
        }
        break;
      case '!':
        if (!next('=')) return false;
        t->kind = Tok::kNe;
        len = 2;
        break;
      case '<':
        if (next('=')) {
          t->kind = Tok::kLe;
          len = 2;
        } else {
          t->kind = Tok::kLt;
        }
        break;
      case '>':
        if (next('=')) {
          t->kind = Tok::kGe;
          len = 2;
        } else {
          t->kind = Tok::kGt;
        }
        break;
      default:
        return false;
    }
    pos_ += len;
    return true;
  }

  bool LexNumber(Token* t) {
    size_t start = pos_;
    while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
    bool is_double = false;
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' && IsDigit(src_[pos_ + 1])) {
      is_double = true;
      ++pos_;
      while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
    }
    std::string digits(src_.substr(start, pos_ - start));
    if (is_double) {
      t->kind = Tok::kNumber;
      t->number = std::strtod(digits.c_str(), nullptr);
    } else {
      t->kind = Tok::kInt;
      errno = 0;
      unsigned long long v = std::strtoull(digits.c_str(), nullptr, 10);
      if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX) || digits.size() > 19) {
        diags_->Error(t->offset, "E005", "number " + Clip(digits) + " is out of range");
        v = 0;
        t->bad = true;
      }
      t->int_value = static_cast<int64_t>(v);
    }
    // A unit glued to the number: 2h, 30m, 30min, 3d.
    if (pos_ < src_.size() && IsIdentStart(src_[pos_])) {
      size_t us = pos_;
      while (pos_ < src_.size() && IsIdentChar(src_[pos_])) ++pos_;
      std::string_view suffix = src_.substr(us, pos_ - us);
      t->bad = true;
      if (is_double) {
        diags_->Error(static_cast<uint32_t>(us), "E009",
                      "a duration needs a whole number, not " + Clip(digits));
      } else if (suffix == "m" || suffix == "min") {
        t->unit = DurationUnit::kMinutes;
        t->bad = false;
      } else if (suffix == "h") {
        t->unit = DurationUnit::kHours;
        t->bad = false;
      } else if (suffix == "d") {
        t->unit = DurationUnit::kDays;
        t->bad = false;
      } else {
        diags_->Error(static_cast<uint32_t>(us), "E009",
                      fmt::format("unknown duration unit '{}' (use m, min, h or d, or a word: "
                                  "3 working days)",
                                  Clip(suffix)));
      }
      t->kind = Tok::kDuration;
    }
    return true;
  }

  bool LexString(Token* t) {
    ++pos_;  // opening quote
    std::string value;
    while (true) {
      if (pos_ >= src_.size() || src_[pos_] == '\n') {
        diags_->Error(t->offset, "E003", "unterminated string");
        break;
      }
      char c = src_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c == '\\') {
        if (pos_ + 1 >= src_.size() || src_[pos_ + 1] == '\n') {
          ++pos_;
          continue;  // reported as unterminated next round
        }
        char e = src_[pos_ + 1];
        switch (e) {
          case '"':
            value += '"';
            break;
          case '\\':
            value += '\\';
            break;
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          default:
            diags_->Error(static_cast<uint32_t>(pos_), "E004",
                          fmt::format("invalid escape '\\{}' in string (use \\\" \\\\ \\n \\t)",
                                      IsIdentChar(e) ? std::string(1, e) : std::string("?")));
        }
        pos_ += 2;
        continue;
      }
      value += c;
      ++pos_;
    }
    t->kind = Tok::kString;
    t->text = std::move(value);
    return true;
  }

  static std::string Clip(std::string_view s) {
    return s.size() > 24 ? std::string(s.substr(0, 24)) + "..." : std::string(s);
  }

  std::string_view src_;
  DiagSink* diags_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

std::string_view TokName(Tok kind) {
  switch (kind) {
    case Tok::kEnd:
      return "end of file";
    case Tok::kIdent:
      return "a name";
    case Tok::kInt:
      return "a whole number";
    case Tok::kNumber:
      return "a number";
    case Tok::kString:
      return "a string";
    case Tok::kDuration:
      return "a duration";
    case Tok::kLParen:
      return "'('";
    case Tok::kRParen:
      return "')'";
    case Tok::kLBracket:
      return "'['";
    case Tok::kRBracket:
      return "']'";
    case Tok::kComma:
      return "','";
    case Tok::kDot:
      return "'.'";
    case Tok::kColon:
      return "':'";
    case Tok::kAssign:
      return "'='";
    case Tok::kEq:
      return "'=='";
    case Tok::kNe:
      return "'!='";
    case Tok::kLt:
      return "'<'";
    case Tok::kLe:
      return "'<='";
    case Tok::kGt:
      return "'>'";
    case Tok::kGe:
      return "'>='";
    case Tok::kArrow:
      return "'->'";
    case Tok::kPlus:
      return "'+'";
    case Tok::kMinus:
      return "'-'";
    case Tok::kStar:
      return "'*'";
    case Tok::kSlash:
      return "'/'";
    case Tok::kPercent:
      return "'%'";
  }
  return "?";
}

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kIdent:
      return "'" + (t.text.size() > 32 ? t.text.substr(0, 32) + "..." : t.text) + "'";
    case Tok::kInt:
      return fmt::format("{}", t.int_value);
    case Tok::kString:
      return "a string";
    default:
      return std::string(TokName(t.kind));
  }
}

bool IsStatementWord(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      "workflow", "calendar", "uses",  "fact",  "verb",    "role",       "start",
      "route",    "state",    "limit", "on",    "after",   "extensions", "escalate",
      "step",     "schedule", "field", "clock", "service",
  };
  for (std::string_view w : kWords) {
    if (w == word) return true;
  }
  return false;
}

std::vector<Token> Lex(std::string_view source, DiagSink* diags) {
  return Lexer(source, diags).Run();
}

}  // namespace closeloop::dsl
