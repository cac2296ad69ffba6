// Records to and from JSON with the schema, by FlatBuffers' own parser and text generator
// (no hand-written codec). The JSON form is documented in docs/events.md.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace flatbuffers {
class Parser;
}

namespace closeloop::events {

// Where and why a JSON text did not decode. Line and column are 1-based within the text
// given to FromJson; `field` is a path such as "body.measure" ("" when none applies).
struct DecodeError {
  int line = 0;
  int column = 0;
  std::string field;
  std::string message;

  std::string ToString() const;  // "1:17: body.measure: unknown enum value: nope"
};

// Not thread-safe: use one per thread. Creating one parses the embedded schema (~100 µs).
class JsonCodec {
 public:
  JsonCodec();
  ~JsonCodec();
  JsonCodec(const JsonCodec&) = delete;
  JsonCodec& operator=(const JsonCodec&) = delete;

  // One JSON object -> verified record bytes. Unknown fields, wrong types, unknown enum
  // names and missing required fields are errors. On failure fills *error (if given).
  Result<std::string> FromJson(std::string_view json, DecodeError* error = nullptr);

  // Record bytes (verified first) -> JSON on one line.
  Result<std::string> ToJson(std::string_view bytes);
  // Same, indented for people.
  Result<std::string> ToPrettyJson(std::string_view bytes);

  // Size limit for one JSON text (1 MiB): bigger is refused before parsing.
  static constexpr size_t kMaxJsonBytes = 1 << 20;

 private:
  Result<std::string> Generate(std::string_view bytes, bool pretty);
  void ResetParser();

  std::unique_ptr<flatbuffers::Parser> parser_;
  std::unique_ptr<flatbuffers::Parser> pretty_;
};

}  // namespace closeloop::events
