#include "events/json_locator.h"

#include <cctype>
#include <vector>

#include "base/text_position.h"

namespace closeloop::events {
namespace {

// One open container while scanning.
struct Frame {
  bool is_array = false;
  std::string key;  // the key whose value is current (objects)
  int index = -1;   // the element being read (arrays)
};

std::string PathOf(const std::vector<Frame>& stack) {
  std::string out;
  for (const Frame& f : stack) {
    if (f.is_array) {
      if (f.index >= 0) out += "[" + std::to_string(f.index) + "]";
    } else if (!f.key.empty()) {
      if (!out.empty()) out += '.';
      out += f.key;
    }
  }
  return out;
}

// Scans `json` up to `limit`, calling on_key(path, key_offset) for each key met.
template <typename OnKey>
std::vector<Frame> Scan(std::string_view json, size_t limit, OnKey on_key) {
  std::vector<Frame> stack;
  size_t i = 0;
  limit = std::min(limit, json.size());
  while (i < limit) {
    char c = json[i];
    if (c == '"') {
      size_t start = i++;
      std::string s;
      while (i < json.size() && json[i] != '"') {
        if (json[i] == '\\' && i + 1 < json.size()) ++i;
        s += json[i++];
      }
      ++i;  // closing quote
      size_t j = i;
      while (j < json.size() &&
             (json[j] == ' ' || json[j] == '\t' || json[j] == '\r' || json[j] == '\n'))
        ++j;
      if (j < json.size() && json[j] == ':' && !stack.empty() && !stack.back().is_array) {
        stack.back().key = s;
        on_key(PathOf(stack), start);
      }
      continue;
    }
    if (c == '{' || c == '[') {
      if (!stack.empty() && stack.back().is_array && stack.back().index < 0) stack.back().index = 0;
      stack.push_back(Frame{c == '[', "", -1});
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && !stack.empty()) {
      if (stack.back().is_array) {
        ++stack.back().index;
      } else {
        stack.back().key.clear();
      }
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && !stack.empty() &&
               stack.back().is_array && stack.back().index < 0) {
      stack.back().index = 0;
    }
    ++i;
  }
  return stack;
}

}  // namespace

std::string JsonPathAt(std::string_view json, size_t offset) {
  std::string last_key_path;
  auto stack = Scan(json, offset, [&](const std::string& path, size_t) { last_key_path = path; });
  std::string path = PathOf(stack);
  return path.empty() ? last_key_path : path;
}

std::string JsonContainerPathAt(std::string_view json, size_t offset) {
  auto stack = Scan(json, offset, [](const std::string&, size_t) {});
  if (!stack.empty()) {
    if (stack.back().is_array) {
      stack.back().index = -1;
    } else {
      stack.back().key.clear();
    }
  }
  return PathOf(stack);
}

size_t TokenStartBefore(std::string_view json, size_t offset) {
  size_t i = std::min(offset, json.size());
  while (i > 0 &&
         (json[i - 1] == ' ' || json[i - 1] == '\t' || json[i - 1] == '\r' || json[i - 1] == '\n'))
    --i;
  if (i == 0) return offset;
  if (json[i - 1] == '"') {
    size_t j = i - 1;  // the closing quote; find the opening one (skipping escaped quotes)
    while (j > 0) {
      --j;
      if (json[j] == '"' && (j == 0 || json[j - 1] != '\\')) return j;
    }
    return 0;
  }
  auto word = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '-' || c == '+' || c == '_';
  };
  if (!word(json[i - 1])) return i - 1;
  while (i > 0 && word(json[i - 1])) --i;
  return i;
}

size_t JsonOffsetOf(std::string_view json, std::string_view path) {
  size_t found = std::string_view::npos;
  Scan(json, json.size(), [&](const std::string& p, size_t at) {
    if (found == std::string_view::npos && p == path) found = at;
  });
  return found;
}

bool FindScalarBefore(std::string_view json, size_t limit, std::string_view token,
                      std::string* path, size_t* value_offset) {
  bool found = false;
  if (token.empty()) return false;
  Scan(json, limit, [&](const std::string& p, size_t key) {
    size_t i = key + 1;  // past the key's opening quote, to its closing one
    while (i < json.size() && json[i] != '"') i += (json[i] == '\\') ? 2 : 1;
    ++i;
    while (i < json.size() && (json[i] == ' ' || json[i] == ':' || json[i] == '\t' ||
                               json[i] == '\n' || json[i] == '\r')) {
      ++i;
    }
    if (i >= json.size()) return;
    size_t at = i;
    bool quoted = json[i] == '"';
    if (quoted) ++i;
    if (json.substr(i, token.size()) != token) return;
    i += token.size();
    if (quoted ? (i >= json.size() || json[i] != '"')
               : (i < json.size() && (std::isalnum(static_cast<unsigned char>(json[i])) ||
                                      json[i] == '.' || json[i] == '-' || json[i] == '+'))) {
      return;
    }
    found = true;
    *path = p;
    *value_offset = at;
  });
  return found;
}

LineColumn LineColumnAt(std::string_view text, size_t offset) {
  TextPosition at = PositionAt(text, offset);
  return {at.line, at.column};
}

size_t OffsetAt(std::string_view text, int line, int column) {
  size_t i = 0;
  for (int l = 1; l < line && i < text.size(); ++i) {
    if (text[i] == '\n') ++l;
  }
  size_t off = i + static_cast<size_t>(column > 0 ? column - 1 : 0);
  return std::min(off, text.size());
}

}  // namespace closeloop::events
