// libFuzzer target: the JSON of API request bodies (connectors/http/json_body.h). Bytes ->
// ParseJsonBody, compared with nlohmann's own strict parser: the pre-check must accept
// exactly the JSON nlohmann accepts (apart from its size and depth limits, and a NUL byte,
// where nlohmann stops reading and accepts what came before), so nothing it lets through
// fails later, and nothing it refuses was JSON. Accepted values are printed
// and checked again. Built with clang++ by tests/security/parsers_fuzz.cmake.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "connectors/http/json_body.h"

using namespace closeloop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const JsonLimits limits{.max_bytes = 1 << 16, .max_depth = 16};
  JsonSyntaxError error;
  auto parsed = http::ParseJsonBody(text, &error, limits);
  bool limited = !parsed && (error.message.rfind("nesting deeper", 0) == 0 ||
                             error.message.rfind("the text is", 0) == 0);
  if (!parsed && (error.line < 1 || error.column < 1 || error.offset > size)) std::abort();
  if (text.find('\0') != std::string_view::npos) {
    // nlohmann stops reading at a NUL byte and accepts "{}\0anything": a NUL is never JSON.
    if (parsed) std::abort();
  } else if (!limited) {
    bool strict_ok = !nlohmann::json::parse(text, nullptr, false).is_discarded();
    if (strict_ok != parsed.has_value()) std::abort();
  }
  if (parsed) {
    std::string printed = parsed->dump();
    if (CheckJson(printed, limits)) std::abort();  // what we print, we read
    if (nlohmann::json::parse(printed) != *parsed) std::abort();
  }
  return 0;
}
