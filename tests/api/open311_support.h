// Open311 test helpers: raw calls in either format, and the spec's XML read back with a real
// parser (pugixml) into the JSON shape, so one set of shape checks serves both formats. The
// XML containers and their item names are the spec's (services/service,
// service_requests/request, errors/error, attributes/attribute, values/value,
// endpoints/endpoint, formats/format); any other element with children is an object.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/api/api_fixture.h"

namespace closeloop::testing::open311 {

struct Got {
  int status = 0;
  std::string content_type;
  std::string body;
  httplib::Headers headers;
  json doc;          // JSON as parsed, or the XML document converted
  std::string root;  // the XML document element's name ("" for JSON)
};

// GET (form empty) or POST (form-encoded) or another method; `.xml` paths are parsed as XML.
Got Call(ApiFixture& api, const std::string& method, const std::string& path,
         const httplib::Params& form = {});
// The ticket id this submission got (REQUIRE 201 and one entry).
std::string Submit(ApiFixture& api, const httplib::Params& form, const std::string& ext = "json");

// Shape checks from the spec's text; `where` names the call in failure messages.
void CheckError(const Got& g, int status, const std::string& where);
void CheckRequest(const json& r, const std::string& where);
bool IsW3cDatetime(const std::string& s);

}  // namespace closeloop::testing::open311
