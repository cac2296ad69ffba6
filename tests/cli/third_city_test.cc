// A third city, made up here and built from data alone (issue 17): its own time zone and
// holidays, departments of kinds the shipped city does not have, a routing table keyed on
// its own column, service requests that carry the city's own due dates, and a year of its
// past imported at the times things happened. The overdue and closed-late counts the engine
// keeps must equal the ones this test computes from the same data, independently.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "tests/cli/cli_dir.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Cli : CliDir {
  Cli() : CliDir("city3") {}
  std::vector<json> Tickets(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"tickets", "--data", data, "--json", "--limit", "100000"};
    args.insert(args.end(), extra.begin(), extra.end());
    ChildRun r = Run(args);
    REQUIRE(r.exit_code == 0);
    std::vector<json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(json::parse(line));
    }
    return out;
  }
};

// Riverton: Eastern time, its own holidays, a 311 centre, street services and parks.
std::string Setup() {
  json calendar = {{"source", "riverton-it"},
                   {"body_type", "CalendarUpdated"},
                   {"body",
                    {{"calendar", "riverton"},
                     {"version", 1},
                     {"time_zone", "America/New_York"},
                     {"holidays", {"2025-01-01", "2025-07-04", "2025-11-27", "2025-12-25"}},
                     {"work_start_minute", 480},
                     {"work_end_minute", 1020},
                     {"first_year", 2025},
                     {"last_year", 2026}}}};
  json departments = json::array();
  for (const auto& [id, kind] :
       std::vector<std::pair<std::string, std::string>>{{"rv.311", "customer_service_center"},
                                                        {"rv.streets", "street_services"},
                                                        {"rv.parks", "parks_and_recreation"}}) {
    departments.push_back({{"id", id},
                           {"name_zh", id},
                           {"name_en", "Riverton " + kind},
                           {"level", "city"},
                           {"district", ""},
                           {"jurisdiction", ""},
                           {"parent", ""},
                           {"head", id + ".head"},
                           {"kind", kind}});
  }
  json reference = {{"source", "riverton-it"},
                    {"body_type", "ReferenceDataUpdated"},
                    {"body",
                     {{"table_name", "departments"},
                      {"version", 1},
                      {"content_json", json{{"items", departments}}.dump()}}}};
  auto row = [](json match, const std::string& lead) {
    json m = json::array();
    for (auto& [k, v] : match.items()) m.push_back({{"key", k}, {"value", v}});
    return json{{"match", m}, {"lead", lead}};
  };
  json routing = {{"source", "riverton-it"},
                  {"body_type", "RoutingTableUpdated"},
                  {"body",
                   {{"table_name", "neighborhood_routing"},
                    {"version", 1},
                    {"fallback", "rv.311"},
                    {"rows",
                     {row({{"service", "pothole"}}, "rv.streets"),
                      row({{"service", "graffiti"}, {"neighborhood", "eastside"}}, "rv.parks"),
                      row({{"service", "graffiti"}}, "rv.streets")}}}}};
  return calendar.dump() + "\n" + reference.dump() + "\n" + routing.dump() + "\n";
}

constexpr const char* kWorkflow = R"(workflow riverton_request version 1 loop request
  title "311 service request"
uses calendar riverton
calendar riverton
uses table neighborhood_routing keys (service, neighborhood)

fact service: string
fact neighborhood: string
fact due_at: int

# The city's data gives every request its own due date; a request without one gets the
# city's standard ten working days.
start on ServiceRequest when event.attrs["status"] != "closed"
  set category = event.service_code, service = event.service_code,
      neighborhood = event.attrs["neighborhood"], due_at = event.due_at
  enter open
route by neighborhood_routing (service = service, neighborhood = neighborhood) fallback "rv.311"

state open
  limit until due_at when due_at > 0
  limit 10 working days
  on event ServiceRequest when event.attrs["status"] == "closed" -> closed, resolution "closed"
state closed terminal

escalate
  step overdue at limit: mark overdue
)";

struct Request {
  std::string id, service, neighborhood;
  int64_t opened = 0, due = 0, closed = 0;  // closed 0: still open
};

json Event(const Request& r, int64_t at, bool closing) {
  json attrs = {{{"key", "neighborhood"}, {"value", r.neighborhood}}};
  if (closing) attrs.push_back({{"key", "status"}, {"value", "closed"}});
  json body = {{"service_code", r.service}, {"attrs", attrs}};
  if (!closing) body["due_at"] = r.due;
  return {{"source", "riverton-311"},
          {"subject", r.id},
          {"occurred_at", at},
          {"body_type", "ServiceRequest"},
          {"body", body}};
}

TEST_CASE("a third city built from data alone imports a year and reports its own overdue figures") {
  Cli cli;
  REQUIRE(cli.Run({"publish", "--data", cli.data, cli.Write("setup.jsonl", Setup())}).exit_code ==
          0);
  REQUIRE_MESSAGE(
      cli.Run({"deploy", "--data", cli.data, cli.Write("riverton_request.wf", kWorkflow)})
              .exit_code == 0,
      cli.Stderr());

  // A year of requests, 2025 in Eastern time (UTC-5/-4): opened at random, each with the
  // due date the city set (2 to 15 days), most closed after 1 hour to 25 days, some never.
  std::mt19937_64 rng(2025);
  const int64_t day = 86'400'000, year_start = 1735707600000;  // 2025-01-01 00:00 -05:00
  const char* services[] = {"pothole", "graffiti", "streetlight"};
  const char* hoods[] = {"eastside", "westside", "downtown"};
  std::vector<Request> requests;
  for (int i = 0; i < 400; ++i) {
    Request r;
    r.id = "RV-" + std::to_string(100000 + i);
    r.service = services[rng() % 3];
    r.neighborhood = hoods[rng() % 3];
    r.opened = year_start + static_cast<int64_t>(rng() % (330 * day));
    r.due = r.opened + 2 * day + static_cast<int64_t>(rng() % (13 * day));
    if (rng() % 10 != 0) r.closed = r.opened + 3'600'000 + static_cast<int64_t>(rng() % (25 * day));
    requests.push_back(r);
  }
  std::vector<std::pair<int64_t, json>> events;
  for (const auto& r : requests) {
    events.push_back({r.opened, Event(r, r.opened, false)});
    if (r.closed) events.push_back({r.closed, Event(r, r.closed, true)});
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // As exported: two neighbouring records a few minutes apart in the wrong order, which the
  // import puts back (within its reorder window).
  for (size_t i = 10; i + 1 < events.size(); i += 97) {
    if (events[i + 1].first - events[i].first < 30 * 60'000) std::swap(events[i], events[i + 1]);
  }
  std::string history;
  for (const auto& [at, e] : events) history += e.dump() + "\n";
  const int64_t end = events.back().first > events[events.size() - 2].first
                          ? events.back().first
                          : events[events.size() - 2].first;

  // Line order beyond the window is refused, with the line, and nothing is imported.
  std::string late = json(events[5].second).dump() + "\n" + json(events[0].second).dump() + "\n";
  if (events[5].first - events[0].first > 3'600'000) {
    const std::string path = cli.Write("unsorted.jsonl", late);
    ChildRun bad = cli.Run({"import", "--data", cli.data, path});
    CHECK(bad.exit_code == 1);
    CHECK(cli.Stderr().find(path + ":2:1: occurred_at: ") != std::string::npos);
    CHECK(cli.Stderr().find("before line 1") != std::string::npos);
    CHECK(cli.Tickets({}).empty());
  }

  // A close before its open (an export that lost a request's first record) is named by its
  // line, not silently dropped; nothing is imported, and the trial copy is gone.
  {
    Request lost{"RV-LOST-1", "pothole", "eastside", year_start, year_start + 2 * day, 0};
    Request good{"RV-GOOD-1", "pothole", "eastside", year_start + day, year_start + 3 * day, 0};
    const std::string path =
        cli.Write("close_first.jsonl", Event(lost, year_start + day, true).dump() + "\n" +
                                           Event(good, good.opened, false).dump() + "\n");
    ChildRun bad = cli.Run({"import", "--data", cli.data, path});
    CHECK(bad.exit_code == 1);
    CHECK_MESSAGE(cli.Stderr().find(path + ":1:1: subject: ServiceRequest about 'RV-LOST-1'") !=
                      std::string::npos,
                  cli.Stderr());
    CHECK(cli.Stderr().find("nothing took it") != std::string::npos);
    CHECK(cli.Stderr().find(":2:") == std::string::npos);  // the good line is not blamed
    CHECK(cli.Tickets({}).empty());
    CHECK(!std::filesystem::exists(cli.data + ".import-trial"));
  }

  ChildRun imported = cli.Run({"import", "--data", cli.data, cli.Write("history.jsonl", history)});
  REQUIRE_MESSAGE(imported.exit_code == 0, cli.Stderr());
  CHECK(imported.out.find("imported " + std::to_string(events.size()) + " event(s)") !=
        std::string::npos);

  // The figures, computed here from the data: a request is overdue once the clock passed its
  // due date while it was open (the clock moves with the events, so for one still open that
  // is the last event's time), and closed late when it closed after its due date.
  size_t want_ever = 0, want_late = 0, want_open = 0;
  std::map<std::string, const Request*> by_id;
  for (const auto& r : requests) {
    by_id[r.id] = &r;
    const int64_t until = r.closed ? r.closed : end;
    if (until >= r.due) ++want_ever;
    if (r.closed && r.closed >= r.due) ++want_late;
    if (!r.closed && end >= r.due) ++want_open;
  }
  REQUIRE(want_late > 10);  // the data exercise what is tested
  REQUIRE(want_open > 5);
  std::vector<json> all = cli.Tickets({});
  CHECK(all.size() == requests.size());
  CHECK(cli.Tickets({"--overdue=ever"}).size() == want_ever);
  CHECK(cli.Tickets({"--overdue=closed_late"}).size() == want_late);
  CHECK(cli.Tickets({"--overdue"}).size() == want_open);

  // Each ticket opened when the request was made, with the city's due date, routed by its
  // own column: graffiti in the east side to parks, potholes to street services.
  for (const json& t : all) {
    const Request& r = *by_id.at(t["subject"].get<std::string>());
    INFO(t.dump());
    CHECK(t["opened_at"].get<int64_t>() == r.opened);
    CHECK(t["closed"].get<bool>() == (r.closed != 0));
    if (r.closed) {
      CHECK(t["closed_at"].get<int64_t>() == r.closed);
      CHECK((t["overdue_count"].get<int>() > 0) == (r.closed >= r.due));
    } else {
      CHECK(t["deadline_at"].get<int64_t>() == r.due);  // the city's own due date
    }
    std::string want = r.service == "pothole"                                    ? "rv.streets"
                       : r.service == "graffiti" && r.neighborhood == "eastside" ? "rv.parks"
                       : r.service == "graffiti"                                 ? "rv.streets"
                                                                                 : "rv.311";
    CHECK(t["lead"] == want);
  }

  // Replaying the log, decisions re-run, gives the same records and the same state.
  ChildRun replay = cli.Run(
      {"replay", "--data", cli.data, "--into", (cli.root / "replayed").string(), "--reprocess"});
  CHECK_MESSAGE(replay.exit_code == 0, replay.out << cli.Stderr());
  // The same file again is refused as a whole: its first events are before the clock now.
  ChildRun again = cli.Run({"import", "--data", cli.data, (cli.root / "history.jsonl").string()});
  CHECK(again.exit_code == 1);
  CHECK(cli.Stderr().find("before the engine's clock") != std::string::npos);
}

}  // namespace
}  // namespace closeloop::testing
