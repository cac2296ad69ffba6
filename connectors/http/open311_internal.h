// What the Open311 route files share (open311.cc: discovery and services; open311_requests.cc:
// reading requests and tokens; open311_post.cc: POST requests). Not part of the module's
// interface. The rules they implement are written down in docs/open311.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/http/api_internal.h"
#include "connectors/http/open311_format.h"
#include "dsl/program.h"

namespace closeloop::http::open311 {

// One attribute of a service definition, derived from the offering workflow's declared facts.
struct Attribute {
  std::string code;
  std::string datatype;  // string | number | singlevaluelist
  std::vector<std::string> values;
  std::string description;
};

// A service the city offers through Open311: a `service` statement of a deployed workflow
// (the latest version of each), with the attributes its start rules read. A copy, so it
// outlives the engine's configuration lock.
struct Service {
  dsl::ServiceDecl decl;
  std::string workflow;
  std::vector<Attribute> attributes;
};
// Every service the deployed workflows offer, in workflow-name then declaration order.
std::vector<Service> Services(Api::Impl& im);
std::optional<Service> FindService(Api::Impl& im, std::string_view code);
// The service's name, description and group in the language the client asked for
// (Accept-Language: zh... gives the Chinese ones a workflow declares).
struct ServiceText {
  std::string name, description, group;
};
ServiceText TextOf(const dsl::ServiceDecl& d, const httplib::Request& req);
// True when the client's Accept-Language starts with "zh" (any case).
bool WantsChinese(const httplib::Request& req);

// The time zone requests are reported in: the city's (engine::World::CityZone).
std::string CityZone(Api::Impl& im);
// RFC 3339 in `zone` with its UTC offset: "2026-03-02T09:00:00+08:00".
std::string Rfc3339(int64_t ms, const std::string& zone);

// True when `id` is "" or a jurisdiction of the reference data; else answers 400 itself.
bool CheckJurisdiction(Api::Impl& im, Call& c, Format f, const std::string& id);

// The ticket the engine opened for (or attached) the ingress record `id`, found after its
// position; "" when there is none (yet). Reads at most a bounded window of the log.
Result<std::string> TicketCausedBy(Api::Impl& im, const std::string& id, uint32_t partition,
                                   uint64_t offset);

// The request as GeoReport v2 shows it (no personal data): the service's name and the
// responsible agency in Chinese when the client asks for it (Accept-Language: zh...).
nlohmann::json RequestJson(Api::Impl& im, const engine::Ticket& t, const std::string& zone,
                           const httplib::Request& req);

void RegisterRequestReads(Api::Impl& im, httplib::Server& s);  // GET requests, tokens
void RegisterRequestPost(Api::Impl& im, httplib::Server& s);   // POST requests

}  // namespace closeloop::http::open311
