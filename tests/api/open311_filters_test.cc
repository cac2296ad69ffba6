// Open311 GET requests end to end on a data set larger than the spec's 1,000-row cap: every
// filter is applied before the cap, and the pages (closeloop's page / page_size, with a
// Link rel="next" header) together return each match exactly once, newest first.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/api/open311_support.h"

namespace closeloop::testing {
namespace {

using open311::Call;
using open311::Got;

constexpr const char* kCodes[] = {"consultation", "training", "insurance", "risk_reminder"};
const std::string kYear =
    "start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-12-31T23:59:59%2B08:00";

// Publishes `n` ServiceRequests in one call (as the hotline); code i % 4.
void Publish(ApiFixture& api, int first, int n) {
  json events = json::array();
  for (int i = first; i < first + n; ++i) {
    events.push_back({{"source", "hotline-12345"},
                      {"subject", "ent-xw-" + std::to_string(i)},
                      {"jurisdiction", "xuanwu.meiyuan"},
                      {"occurred_at", 1772413200000},
                      {"body_type", "ServiceRequest"},
                      {"body",
                       {{"service_code", kCodes[i % 4]},
                        {"description", "bulk request " + std::to_string(i)},
                        {"external_id", "bulk-" + std::to_string(i)}}}});
  }
  Reply r = api.Post("hotline", "/v1/events", events);
  REQUIRE_MESSAGE(r.status == 201, r.text);
}

size_t Total(const Got& g) {
  std::string t = httplib::detail::get_header_value(g.headers, "X-Total-Count", 0, "");
  REQUIRE_MESSAGE(!t.empty(), g.body.substr(0, 300));
  return std::stoul(t);
}

// Waits until `query` counts `want` matches (the engine processes asynchronously).
void WaitTotal(ApiFixture& api, const std::string& query, size_t want) {
  size_t got = 0;
  for (int i = 0; i < 1200; ++i) {
    got = Total(Call(api, "GET", "/open311/v2/requests.json?page_size=1&" + query));
    if (got == want) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL(query << ": " << got << " matches, want " << want);
}

TEST_CASE("Open311 GET requests: filters before the 1000-row cap, pages that cover every match") {
  ApiFixture api("open311-filters");
  {
    std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/service_request.wf");
    std::stringstream s;
    s << in.rdbuf();
    REQUIRE(api.Post("admin", "/v1/admin/workflows", {{"source", s.str()}}).status == 201);
    api.WaitWorkflow("service_request");
  }
  // March: 700 requests; 50 of them handled and then closed for want of a callback answer.
  Publish(api, 0, 700);
  WaitTotal(api, "status=open,closed&" + kYear, 700);
  Got march = Call(api, "GET", "/open311/v2/requests.json?" + kYear);
  REQUIRE(march.doc.size() == 700);
  std::set<std::string> handled;
  for (size_t i = 0; i < 50; ++i) {
    std::string id = march.doc[i * 13]["service_request_id"];
    for (const char* verb : {"accept", "resolve"}) {
      Reply r = api.Post("emb", "/v1/tickets/" + id + "/actions", {{"verb", verb}});
      REQUIRE_MESSAGE(r.status == 200, verb << " " << id << ": " << r.text);
    }
    handled.insert(id);
  }
  api.Advance("2026-04-01T09:00");
  Publish(api, 700, 400);  // April
  api.Advance("2026-05-06T09:00");
  Publish(api, 1100, 300);  // May
  WaitTotal(api, "status=open,closed&" + kYear, 1400);
  WaitTotal(api, "status=closed&" + kYear, 50);

  {  // a year's closed requests: all of them, not those within the first 1000 rows
    for (const std::string ext : {"json", "xml"}) {
      Got closed = Call(api, "GET", "/open311/v2/requests." + ext + "?status=closed&" + kYear);
      REQUIRE(closed.status == 200);
      REQUIRE(closed.doc.size() == 50);
      std::set<std::string> ids;
      for (const auto& r : closed.doc) {
        open311::CheckRequest(r, "closed");
        CHECK(r["status"] == "closed");
        CHECK(r["status_notes"] == "Closed: the requester did not answer the follow-up call.");
        CHECK(!r.contains("expected_datetime"));
        ids.insert(r["service_request_id"]);
      }
      CHECK(ids == handled);
    }
  }

  {  // the cap applies after filtering; page and page_size walk every match once
    Got p1 = Call(api, "GET", "/open311/v2/requests.json?status=open,closed&" + kYear);
    REQUIRE(p1.doc.size() == 1000);
    CHECK(Total(p1) == 1400);
    std::string link = httplib::detail::get_header_value(p1.headers, "Link", 0, "");
    REQUIRE_MESSAGE(link.find("rel=\"next\"") != std::string::npos, link);
    std::string next = link.substr(1, link.find('>') - 1);
    CHECK(next.find("page=2") != std::string::npos);
    Got p2 = Call(api, "GET", next);
    REQUIRE(p2.doc.size() == 400);
    CHECK(httplib::detail::get_header_value(p2.headers, "Link", 0, "") == std::string());
    std::set<std::string> seen;
    std::string previous = "9999";
    for (const Got* g : {&p1, &p2}) {
      for (const auto& r : g->doc) {
        CHECK(seen.insert(r["service_request_id"].get<std::string>()).second);
        std::string at = r["requested_datetime"];
        CHECK(at <= previous);  // newest first (one zone, so text order is time order)
        previous = at;
      }
    }
    CHECK(seen.size() == 1400);
    Got small = Call(api, "GET", "/open311/v2/requests.xml?page_size=500&page=3&" + kYear);
    CHECK(small.doc.size() == 400);
    CHECK(Call(api, "GET", "/open311/v2/requests.json?page=9&" + kYear).doc.size() == 0);
    open311::CheckError(Call(api, "GET", "/open311/v2/requests.json?page_size=1001"), 400,
                        "page_size");
  }

  {  // service_code and status lists, dates, and the 90-day default
    Got two =
        Call(api, "GET", "/open311/v2/requests.json?service_code=training,insurance&" + kYear);
    CHECK(Total(two) == 700);  // codes 1 and 2 of 4, over 1400 requests
    for (const auto& r : two.doc)
      CHECK((r["service_code"] == "training" || r["service_code"] == "insurance"));
    Got open = Call(api, "GET", "/open311/v2/requests.json?status=open&" + kYear);
    CHECK(Total(open) == 1350);
    CHECK(open.doc.size() == 1000);
    Got april = Call(api, "GET",
                     "/open311/v2/requests.json?start_date=2026-03-15T00:00:00%2B08:00&end_date="
                     "2026-04-15T00:00:00Z");
    CHECK(april.doc.size() == 400);
    for (const auto& r : april.doc) CHECK(r["requested_datetime"] == "2026-04-01T09:00:00+08:00");
    Got described = Call(
        api, "GET",
        "/open311/v2/requests/" + april.doc[0]["service_request_id"].get<std::string>() + ".json");
    CHECK(described.doc[0]["description"].get<std::string>().rfind("bulk request ", 0) == 0);
    // No dates: the last 90 days by the engine's clock (from 2026-06-15: April and May).
    api.Advance("2026-06-15T09:00");
    WaitTotal(api, "status=open,closed", 700);
  }
}

}  // namespace
}  // namespace closeloop::testing
