// A request body's JSON, parsed only after base/json_check.h accepted it: strict syntax
// within a size and depth limit, so nlohmann's parser (and everything that walks the result
// recursively: dump, copies, comparisons) never meets input deeper than the limit, and a
// refusal names the line and column in our words, never the library's.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "base/json_check.h"

namespace closeloop::http {

// API bodies: no larger than the server's body limit (4 MiB), no deeper than 32 levels
// (the deepest body the API takes, a reference-data record, needs 4).
inline constexpr JsonLimits kBodyJsonLimits{.max_bytes = 4 << 20, .max_depth = 32};

// The parsed body; nullopt with *error filled when the text is refused.
std::optional<nlohmann::json> ParseJsonBody(std::string_view body, JsonSyntaxError* error,
                                            const JsonLimits& limits = kBodyJsonLimits);

}  // namespace closeloop::http
