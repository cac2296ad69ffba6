// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) for the request/service loop,
// so civic clients written by others work unchanged, in XML (the spec's required format) and
// JSON: discovery, services, service definitions, requests (GET, POST), requests/{id} and
// tokens/{token}, with errors in the spec's shapes. This file: discovery, the services and
// their definitions, the methods refused (405), and registration. docs/open311.md says what
// closeloop adds beyond the spec.
#include <algorithm>

#include "connectors/http/open311_internal.h"
#include "dsl/expr.h"

namespace closeloop::http::open311 {
namespace {

// When this API surface last changed (discovery's `changeset`).
constexpr const char* kChangeset = "2026-12-06T00:00:00+08:00";

}  // namespace

namespace {

// A declared fact F of `wf` is an attribute when a start rule on ServiceRequest reads
// event.attrs["F"]: the client supplies it as attribute[F].
std::vector<Attribute> AttributesOf(const dsl::Workflow& wf) {
  std::vector<Attribute> out;
  for (const auto& start : wf.starts) {
    if (start.event_type != "ServiceRequest") continue;
    std::string text = start.condition ? dsl::FormatExpr(*start.condition) : "";
    for (const auto& a : start.assignments) text += "\n" + dsl::FormatExpr(a.value);
    for (const auto& fact : wf.facts) {
      if (fact.builtin) continue;
      if (text.find("event.attrs[\"" + fact.name + "\"]") == std::string::npos) continue;
      if (std::any_of(out.begin(), out.end(),
                      [&](const Attribute& x) { return x.code == fact.name; }))
        continue;
      Attribute a{fact.name, "string", {}, ""};
      switch (fact.type) {
        case dsl::FactType::kBool:
          a.datatype = "singlevaluelist";
          a.values = {"yes", "no"};
          a.description = "Is it " + fact.name + "? (yes or no)";
          break;
        case dsl::FactType::kEnum:
          a.datatype = "singlevaluelist";
          a.values = fact.enum_values;
          a.description = "The request's " + fact.name;
          break;
        case dsl::FactType::kInt:
        case dsl::FactType::kDouble:
          a.datatype = "number";
          a.description = "The request's " + fact.name + " (a number)";
          break;
        default:
          a.description = "The request's " + fact.name;
      }
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace

std::vector<Service> Services(Api::Impl& im) {
  return im.world.With([](const engine::World& w) {
    std::vector<Service> out;
    for (const dsl::Workflow* wf : w.LatestAll()) {
      if (wf->services.empty()) continue;
      std::vector<Attribute> attributes = AttributesOf(*wf);
      for (const dsl::ServiceDecl& d : wf->services) out.push_back({d, wf->name, attributes});
    }
    return out;
  });
}

std::optional<Service> FindService(Api::Impl& im, std::string_view code) {
  for (Service& s : Services(im)) {
    if (s.decl.code == code) return std::move(s);
  }
  return std::nullopt;
}

bool WantsChinese(const httplib::Request& req) {
  const std::string v = req.get_header_value("Accept-Language");
  return v.size() >= 2 && (v[0] == 'z' || v[0] == 'Z') && (v[1] == 'h' || v[1] == 'H');
}

ServiceText TextOf(const dsl::ServiceDecl& d, const httplib::Request& req) {
  const bool zh = WantsChinese(req);
  auto pick = [zh](const std::string& en, const std::string& zh_text) {
    return zh && !zh_text.empty() ? zh_text : en;
  };
  return {pick(d.title_en, d.title_zh), pick(d.description_en, d.description_zh),
          pick(d.group_en, d.group_zh)};
}

}  // namespace closeloop::http::open311

namespace closeloop::http {

using open311::Format;

void Api::Impl::RegisterOpen311(httplib::Server& s) {
  Route(s, "GET", R"(/open311/discovery\.(json|xml))", kPublic, [](Call& c) {
    Format f = *open311::ParseFormat(c.req.matches[1].str());
    std::string host = c.req.get_header_value("Host");
    json endpoint = {
        {"specification", "http://wiki.open311.org/GeoReport_v2"},
        {"url", "http://" + (host.empty() ? std::string("localhost") : host) + "/open311/v2"},
        {"changeset", open311::kChangeset},
        {"type", "production"},
        {"formats", json::array({"text/xml", "application/json"})}};
    json d = {
        {"changeset", open311::kChangeset},
        {"contact", "The city's emergency-management bureau, through its closeloop operators."},
        {"key_service",
         "api_key: a publisher token with ServiceRequest, issued by a closeloop "
         "administrator (POST /v1/admin/users/{name}/tokens)."},
        {"endpoints", json::array({endpoint})}};
    open311::Reply(c.res, f, 200, d, "discovery", "");
  });

  Route(s, "GET", R"(/open311/v2/services\.(json|xml))", kPublic, [this](Call& c) {
    Format f = *open311::ParseFormat(c.req.matches[1].str());
    if (!open311::CheckJurisdiction(*this, c, f, c.Param("jurisdiction_id"))) return;
    json out = json::array();
    for (const auto& svc : open311::Services(*this)) {
      open311::ServiceText text = open311::TextOf(svc.decl, c.req);
      json entry = {{"service_code", svc.decl.code},
                    {"service_name", text.name},
                    {"description", text.description},
                    {"metadata", !svc.attributes.empty()},
                    {"type", "realtime"},
                    {"keywords", svc.decl.title_zh},
                    {"group", text.group}};
      out.push_back(std::move(entry));
    }
    open311::Reply(c.res, f, 200, out, "services", "service");
  });

  Route(s, "GET", R"(/open311/v2/services/([^/]+)\.(json|xml))", kPublic, [this](Call& c) {
    Format f = *open311::ParseFormat(c.req.matches[2].str());
    if (!open311::CheckJurisdiction(*this, c, f, c.Param("jurisdiction_id"))) return;
    std::string code = c.req.matches[1].str();
    auto svc = open311::FindService(*this, code);
    if (!svc) {
      return open311::ReplyError(c.res, f, 404,
                                 "service_code: unknown service code '" + code + "'");
    }
    json attributes = json::array();
    int order = 1;
    for (const auto& a : svc->attributes) {
      json attr = {{"variable", true},
                   {"code", a.code},
                   {"datatype", a.datatype},
                   {"required", false},
                   {"datatype_description", a.datatype == "number" ? "a decimal number" : ""},
                   {"order", order++},
                   {"description", a.description}};
      if (!a.values.empty()) {
        attr["values"] = json::array();
        for (const auto& v : a.values) attr["values"].push_back({{"key", v}, {"name", v}});
      }
      attributes.push_back(attr);
    }
    open311::Reply(c.res, f, 200, {{"service_code", code}, {"attributes", attributes}},
                   "service_definition", "");
  });

  open311::RegisterRequestReads(*this, s);
  open311::RegisterRequestPost(*this, s);

  // The spec's resources are read (and requests created) only: other methods get 405.
  struct Refused {
    const char* pattern;
    const char* allow;
  };
  for (const Refused& r : {Refused{R"(/open311/v2/requests\.(json|xml))", "GET, POST"},
                           Refused{R"(/open311/v2/requests/([^/]+)\.(json|xml))", "GET"}}) {
    for (const char* method : {"PUT", "DELETE"}) {
      const std::string allow = r.allow;
      Route(s, method, r.pattern, kPublic, [allow, method](Call& c) {
        Format f =
            c.req.matches[c.req.matches.size() - 1].str() == "xml" ? Format::kXml : Format::kJson;
        c.res.set_header("Allow", allow);
        open311::ReplyError(c.res, f, 405,
                            std::string(method) + " is not allowed here; allowed: " + allow);
      });
    }
  }
}

}  // namespace closeloop::http
