#include "connectors/http/json_body.h"

namespace closeloop::http {

std::optional<nlohmann::json> ParseJsonBody(std::string_view body, JsonSyntaxError* error,
                                            const JsonLimits& limits) {
  if (auto bad = CheckJson(body, limits)) {
    *error = std::move(*bad);
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // The check accepts only what nlohmann reads; a disagreement is refused all the same.
    *error = {0, 1, 1, "the JSON could not be read"};
    return std::nullopt;
  }
  return j;
}

}  // namespace closeloop::http
