// Maps a position in a JSON text to the path of the field there ("body.attrs[2].key") and a
// path to its position, so a codec error can name the field, line and column. It only
// tracks structure (objects, arrays, keys, strings); it decodes nothing.
#pragma once

#include <string>
#include <string_view>

namespace closeloop::events {

// The path of the innermost key whose value encloses byte `offset` (or that precedes it
// most closely); "" at the top level.
std::string JsonPathAt(std::string_view json, size_t offset);

// The path of the innermost object or array that encloses byte `offset` ("body" inside
// the body object); "" at the top level.
std::string JsonContainerPathAt(std::string_view json, size_t offset);

// The start of the token that ends just before `offset` (a string's opening quote, a
// number's first digit, a word's first letter); `offset` itself when none.
size_t TokenStartBefore(std::string_view json, size_t offset);

// The byte offset of the key named by `path` ("body.sensor_id"); npos when absent.
size_t JsonOffsetOf(std::string_view json, std::string_view path);

// The last key before `limit` whose value is the scalar `token` (a number, bare or quoted):
// its path and the offset of its value. False when there is none.
bool FindScalarBefore(std::string_view json, size_t limit, std::string_view token,
                      std::string* path, size_t* value_offset);

// 1-based line and column of byte `offset`.
struct LineColumn {
  int line = 1;
  int column = 1;
};
LineColumn LineColumnAt(std::string_view text, size_t offset);
// Byte offset of a 1-based line and column (clamped to the text).
size_t OffsetAt(std::string_view text, int line, int column);

}  // namespace closeloop::events
