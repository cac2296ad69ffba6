// Open311 answers in the two formats GeoReport v2 defines: XML (required by the spec,
// written with pugixml) and JSON. Handlers build one JSON value; this renders it as JSON, or
// as XML by the spec's element naming: a top-level array becomes <root><item>...</item>
// </root>, an object's array field "attributes" becomes <attributes><attribute>..., booleans
// are "true"/"false", and a field that is absent (or null) has no element at all.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace closeloop::http::open311 {

enum class Format { kJson, kXml };

// "json" or "xml" (the URL's extension); nullopt otherwise.
std::optional<Format> ParseFormat(std::string_view ext);

// `body` as the response in `format`: `root` names the XML document element and `item` the
// element of each entry of a top-level array (unused for an object body).
void Reply(httplib::Response& res, Format format, int status, const nlohmann::json& body,
           std::string_view root, std::string_view item);

// The spec's error shape: JSON [{"code": status, "description": ...}], XML
// <errors><error><code/><description/></error></errors>.
void ReplyError(httplib::Response& res, Format format, int status, const std::string& description);

// The XML text of `body` (exposed for tests of the renderer).
std::string ToXml(const nlohmann::json& body, std::string_view root, std::string_view item);

}  // namespace closeloop::http::open311
