// Where a byte offset falls in a text, as people count it: 1-based line and column (columns
// count bytes). The one place this is computed; the JSON checker, the JSON locator and the
// DSL's diagnostics all report positions through it.
#pragma once

#include <cstddef>
#include <string_view>

namespace closeloop {

struct TextPosition {
  int line = 1;
  int column = 1;
};

// The position of byte `offset` (clamped to the text's end).
inline TextPosition PositionAt(std::string_view text, size_t offset) {
  TextPosition p;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

}  // namespace closeloop
