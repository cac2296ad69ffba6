// libFuzzer target: record JSON, the boundary every published event crosses (HTTP, files,
// Kafka). Bytes -> JsonCodec::FromJson; a record that decodes is printed both ways and
// must read back as a record that prints the same (printing is a fixed point), and the ingress
// boundary (validation, stamping) runs on the text too. Built with clang++ by
// tests/security/parsers_fuzz.cmake; run by CTest for a bounded time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "connectors/file/ingress.h"
#include "events/json_codec.h"

using namespace closeloop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static events::JsonCodec codec;
  static file::IngressPreparer preparer(4);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  events::DecodeError err;
  auto bytes = codec.FromJson(text, &err);
  if (!bytes.ok()) {
    // An error always has a place, and never echoes the input at length.
    if (err.line < 1 || err.column < 1) std::abort();
    if (err.message.size() > 200 + 3) std::abort();
    (void)err.ToString();
  } else {
    for (bool pretty : {false, true}) {
      auto json = pretty ? codec.ToPrettyJson(*bytes) : codec.ToJson(*bytes);
      if (!json.ok()) std::abort();  // a record that decoded must print
      auto again = codec.FromJson(*json);
      if (!again.ok()) std::abort();  // what we print, we read
      auto reprinted = pretty ? codec.ToPrettyJson(*again) : codec.ToJson(*again);
      if (!reprinted.ok() || *reprinted != *json) std::abort();
    }
  }
  file::PreparedRecord rec;
  std::vector<file::IngressError> errors;
  if (preparer.Prepare(text, 1, 1767225600000, &rec, &errors) != errors.empty()) std::abort();
  return 0;
}
