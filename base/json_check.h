// A strict JSON (RFC 8259) syntax check with limits, run on untrusted text before any JSON
// library parses it. One pass, no recursion, memory independent of the nesting: a text it
// accepts is within the size and depth limits, is one JSON value, and is valid UTF-8 with
// no lone surrogate escapes and no number a double cannot hold, so the parsers behind it
// (FlatBuffers', nlohmann's) neither recurse deeper than the limit nor disagree about what
// the text says. Comments, trailing commas, single quotes, NaN and hex numbers (which some
// parsers accept) are refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace closeloop {

struct JsonLimits {
  size_t max_bytes = 1 << 20;  // the whole text
  int max_depth = 64;          // nested objects and arrays; `{}` is depth 1
};

// Where and why a text was refused. Line and column are 1-based (columns count bytes).
struct JsonSyntaxError {
  size_t offset = 0;
  int line = 1;
  int column = 1;
  std::string message;  // "nesting deeper than 64 levels"; never quotes the input at length

  std::string ToString() const;  // "3:17: nesting deeper than 64 levels"
};

// nullopt when `text` is one JSON value within `limits` (whitespace around it allowed).
std::optional<JsonSyntaxError> CheckJson(std::string_view text, const JsonLimits& limits = {});

// Cuts `text` to at most `max_bytes` (at a UTF-8 character boundary) and marks the cut with
// "…": for echoing input in an error message.
std::string Abbreviate(std::string_view text, size_t max_bytes = 120);

}  // namespace closeloop
