#include "tests/api/open311_support.h"

#include <doctest/doctest.h>

#include <cmath>
#include <pugixml.hpp>
#include <regex>
#include <set>

namespace closeloop::testing::open311 {
namespace {

const std::map<std::string, std::string>& Containers() {
  static const std::map<std::string, std::string> m = {
      {"services", "service"}, {"service_requests", "request"},
      {"errors", "error"},     {"attributes", "attribute"},
      {"values", "value"},     {"endpoints", "endpoint"},
      {"formats", "format"}};
  return m;
}

json FromXml(const pugi::xml_node& node) {
  auto c = Containers().find(node.name());
  if (c != Containers().end()) {
    json arr = json::array();
    for (auto child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      CHECK_MESSAGE(std::string(child.name()) == c->second,
                    "<" << node.name() << "> holds <" << child.name() << ">");
      arr.push_back(FromXml(child));
    }
    return arr;
  }
  bool has_elements = false;
  for (auto child : node.children()) has_elements |= child.type() == pugi::node_element;
  if (!has_elements) return std::string(node.text().get());
  json obj = json::object();
  for (auto child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    CHECK_MESSAGE(!obj.contains(child.name()), "repeated <" << child.name() << ">");
    obj[child.name()] = FromXml(child);
  }
  return obj;
}

}  // namespace

Got Call(ApiFixture& api, const std::string& method, const std::string& path,
         const httplib::Params& form) {
  httplib::Client client("127.0.0.1", api.server.port());
  client.set_read_timeout(60, 0);
  httplib::Result r(nullptr, httplib::Error::Unknown);
  if (method == "GET")
    r = client.Get(path);
  else if (method == "POST")
    r = client.Post(path, form);
  else if (method == "PUT")
    r = client.Put(path, httplib::detail::params_to_query_str(form),
                   "application/x-www-form-urlencoded");
  else if (method == "DELETE")
    r = client.Delete(path);
  Got g;
  REQUIRE_MESSAGE(r, method << " " << path << ": no answer");
  g.status = r->status;
  g.body = r->body;
  g.headers = r->headers;
  g.content_type = r->get_header_value("Content-Type");
  const std::string stem = path.substr(0, path.find('?'));
  if (stem.size() > 4 && stem.substr(stem.size() - 4) == ".xml") {
    CHECK_MESSAGE(g.content_type.rfind("text/xml", 0) == 0, path << ": " << g.content_type);
    pugi::xml_document doc;
    pugi::xml_parse_result ok = doc.load_buffer(g.body.data(), g.body.size(),
                                                pugi::parse_default | pugi::parse_declaration);
    REQUIRE_MESSAGE(ok, path << ": not well-formed XML: " << ok.description() << "\n" << g.body);
    // The spec: the root element is preceded by the declaration with encoding="UTF-8".
    pugi::xml_node decl = doc.first_child();
    REQUIRE(decl.type() == pugi::node_declaration);
    CHECK(std::string(decl.attribute("encoding").value()) == "UTF-8");
    g.root = doc.document_element().name();
    g.doc = FromXml(doc.document_element());
  } else {
    CHECK_MESSAGE(g.content_type.rfind("application/json", 0) == 0, path << ": " << g.content_type);
    g.doc = json::parse(g.body, nullptr, false);
    REQUIRE_MESSAGE(!g.doc.is_discarded(), path << ": not JSON: " << g.body);
  }
  return g;
}

std::string Submit(ApiFixture& api, const httplib::Params& form, const std::string& ext) {
  Got g = Call(api, "POST", "/open311/v2/requests." + ext, form);
  REQUIRE_MESSAGE(g.status == 201, g.body);
  REQUIRE(g.doc.is_array());
  REQUIRE(g.doc.size() == 1);
  if (ext == "xml") CHECK(g.root == "service_requests");
  REQUIRE_MESSAGE(g.doc[0].contains("service_request_id"), g.body);
  return g.doc[0]["service_request_id"];
}

void CheckError(const Got& g, int status, const std::string& where) {
  CHECK_MESSAGE(g.status == status, where << ": " << g.status << " " << g.body);
  if (!g.root.empty()) CHECK_MESSAGE(g.root == "errors", where);
  REQUIRE_MESSAGE(g.doc.is_array(), where << ": " << g.body);
  REQUIRE_MESSAGE(g.doc.size() >= 1, where);
  for (const auto& e : g.doc) {
    REQUIRE(e.is_object());
    CHECK_MESSAGE(e.size() == 2, where << ": " << e.dump());
    std::string code = e["code"].is_string() ? e["code"].get<std::string>() : e["code"].dump();
    CHECK_MESSAGE(code == std::to_string(status), where << ": code " << code);
    CHECK_MESSAGE(!e["description"].get<std::string>().empty(), where);
  }
}

bool IsW3cDatetime(const std::string& s) {
  static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s, re);
}

void CheckRequest(const json& r, const std::string& where) {
  REQUIRE_MESSAGE(r.is_object(), where);
  static const std::set<std::string> kFields = {"service_request_id",
                                                "status",
                                                "status_notes",
                                                "service_name",
                                                "service_code",
                                                "description",
                                                "agency_responsible",
                                                "service_notice",
                                                "requested_datetime",
                                                "updated_datetime",
                                                "expected_datetime",
                                                "address",
                                                "address_id",
                                                "zipcode",
                                                "lat",
                                                "long",
                                                "media_url"};
  for (const auto& [k, v] : r.items()) {
    CHECK_MESSAGE(kFields.count(k), where << ": field " << k << " is not in the spec");
    CHECK_MESSAGE(!(v.is_string() && v.get<std::string>().empty()),
                  where << ": " << k << " is an empty string (absent fields are left out)");
    CHECK_MESSAGE(!v.is_null(), where << ": " << k << " is null");
  }
  for (const char* f : {"service_request_id", "status", "service_code", "requested_datetime"})
    CHECK_MESSAGE(r.contains(f), where << ": no " << f);
  std::string status = r.value("status", "");
  CHECK_MESSAGE((status == "open" || status == "closed"), where << ": status " << status);
  for (const char* f : {"requested_datetime", "updated_datetime", "expected_datetime"}) {
    if (r.contains(f)) CHECK_MESSAGE(IsW3cDatetime(r[f]), where << ": " << f << " " << r[f]);
  }
  for (const char* f : {"lat", "long"}) {
    if (!r.contains(f)) continue;
    double v = r[f].is_number() ? r[f].get<double>() : std::stod(r[f].get<std::string>());
    CHECK(std::fabs(v) <= 180);
  }
  if (r.contains("status_notes")) {
    std::string notes = r["status_notes"];
    CHECK_MESSAGE(notes.find('_') == std::string::npos, where << ": status_notes " << notes);
    CHECK_MESSAGE(notes.find(' ') != std::string::npos, where << ": status_notes " << notes);
  }
}

}  // namespace closeloop::testing::open311
