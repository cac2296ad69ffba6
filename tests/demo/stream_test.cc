// The demo city's generator: a pure function of scale and seed, a city the engine accepts
// at both scales, and staff whose decisions depend on the ticket alone.
#include "workflows/demo/stream.h"

#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/world.h"
#include "events/json_codec.h"
#include "events/record.h"
#include "workflows/demo/city.h"
#include "workflows/demo/staff.h"

namespace closeloop::demo {
namespace {

const std::string kWorkflows = std::string(CLOSELOOP_SOURCE_DIR) + "/workflows";

StreamOptions Small(uint64_t seed, int days) {
  StreamOptions o;
  o.seed = seed;
  o.days = days;
  o.reference_dir = kWorkflows + "/reference";
  o.workflows_dir = kWorkflows;
  return o;
}

std::string Generate(const StreamOptions& o, StreamCounts* counts = nullptr) {
  std::string out;
  auto r = GenerateStream(o, [&](std::string_view line) {
    out.append(line);
    out.push_back('\n');
  });
  REQUIRE(r.ok());
  if (counts) *counts = *r;
  return out;
}

TEST_CASE("the same scale and seed generate the same bytes, and another seed another stream") {
  const std::string a = Generate(Small(42, 3)), b = Generate(Small(42, 3));
  CHECK(a.size() > 100'000);
  CHECK(a == b);
  CHECK(a != Generate(Small(43, 3)));
}

TEST_CASE(
    "the stream opens with the clock, the reference data and every shipped workflow, then "
    "carries every kind of agency event and staff command") {
  StreamCounts counts;
  const std::string text = Generate(Small(1, 5), &counts);
  auto workflows = ReadWorkflows(kWorkflows);
  REQUIRE(workflows.ok());
  const auto first = nlohmann::json::parse(text.substr(0, text.find('\n')));
  CHECK(first["body_type"] == "ClockTick");
  CHECK(counts.by_type["WorkflowDeployed"] == workflows->size());
  CHECK(counts.by_type["CalendarUpdated"] == 1);
  CHECK(counts.by_type["RoutingTableUpdated"] >= 1);
  for (const char* type : {"HazardReport", "SensorAlarm", "VideoAlarm", "EnterpriseSelfReport",
                           "SelfInspection", "InspectionFinding", "EnforcementStep",
                           "IncidentReport", "ServiceRequest", "StaffCommand"}) {
    CAPTURE(type);
    CHECK(counts.by_type[type] > 0);
  }
  CHECK(counts.ticks == 5 * 24 * 6);
  // Every record has a fixed, unique id: publishing the file twice is recognisably the same.
  std::set<std::string> ids;
  size_t lines = 0;
  for (size_t at = 0; at < text.size(); at = text.find('\n', at) + 1, ++lines) {
    ids.insert(text.substr(at + 7, 26));  // {"id":"<26 characters>"
  }
  CHECK(ids.size() == lines);
  CHECK(lines == counts.records);
}

TEST_CASE(
    "city scale grows the enterprises table to tens of thousands, and the engine accepts it") {
  auto city = LoadCity(kWorkflows + "/reference");
  REQUIRE(city.ok());
  CHECK(city->enterprises.size() == 336);
  CHECK(city->sensors.size() == 1398);
  Synthesise(*city, 24'000, 1);
  CHECK(city->enterprises.size() == 24'000);
  std::set<std::string> ids;
  for (const auto& e : city->enterprises) ids.insert(e.id);
  CHECK(ids.size() == 24'000);
  // Through the ingress codec into the engine's World, as processing would apply them.
  events::JsonCodec codec;
  engine::World world;
  size_t parts = 0;
  for (const std::string& line : city->reference_records) {
    CHECK(line.size() < events::JsonCodec::kMaxJsonBytes);
    auto bytes = codec.FromJson(line);
    REQUIRE(bytes.ok());
    auto rec = events::VerifyRecord(*bytes);
    REQUIRE(rec.ok());
    Status applied = world.ApplyControl(**rec);
    CAPTURE(applied.ToString());
    CHECK(applied.ok());
    if (line.find("\\\"parts\\\"") != std::string::npos &&
        line.find("enterprises") != std::string::npos)
      ++parts;
  }
  CHECK(parts == (24'000 + kEnterprisesPerPart - 1) / kEnterprisesPerPart);
  CHECK(world.reference().FindEnterprise("ENT-00001") != nullptr);
  CHECK(world.reference().FindEnterprise("ENT-123999") != nullptr);
}

TEST_CASE("staff decide from the ticket alone, and most tickets are worked while some are left") {
  std::map<Temperament, int> seen;
  for (int i = 0; i < 10'000; ++i) ++seen[TemperamentOf(1, "T" + std::to_string(i))];
  CHECK(seen[Temperament::kDiligent] > 6'500);
  CHECK(seen[Temperament::kNeglected] > 800);
  CHECK(seen[Temperament::kNeglected] < 1'500);
  CHECK(seen[Temperament::kPingPong] > 200);

  // A ticket waiting for sign-for in the shipped prevention loop.
  auto workflows = ReadWorkflows(kWorkflows);
  REQUIRE(workflows.ok());
  engine::World world;
  events::JsonCodec codec;
  // The city first: the workflows fall back to kinds of department its table must have.
  auto city = LoadCity(kWorkflows + "/reference");
  REQUIRE(city.ok());
  for (const std::string& line : city->reference_records) {
    auto bytes = codec.FromJson(line);
    REQUIRE(bytes.ok());
    REQUIRE(world.ApplyControl(**events::VerifyRecord(*bytes)).ok());
  }
  for (const auto& [name, source] : *workflows) {
    nlohmann::ordered_json rec = {{"source", "test"},
                                  {"body_type", "WorkflowDeployed"},
                                  {"body", {{"name", name}, {"source", source}}}};
    auto bytes = codec.FromJson(rec.dump());
    REQUIRE(bytes.ok());
    REQUIRE(world.ApplyControl(**events::VerifyRecord(*bytes)).ok());
  }
  const dsl::Workflow* wf = world.Latest("hazard_disposal");
  REQUIRE(wf != nullptr);
  int signed_for = 0, silent = 0;
  for (int i = 0; i < 200; ++i) {
    engine::Ticket t;
    t.id = "T" + std::to_string(i);
    t.workflow = wf->name;
    t.state = "dispatched";
    t.lead = "nj.liuhe.emb";
    t.jurisdiction = "liuhe.getang.g06";
    t.state_entered_at = 1'000'000;
    t.deadline_at = 1'000'000 + 2 * 3600'000;
    t.version = 3;
    auto a = DecideNext(1, *wf, t, world.reference());
    auto again = DecideNext(1, *wf, t, world.reference());
    REQUIRE(a.has_value() == again.has_value());
    if (!a) {
      ++silent;
      continue;
    }
    CHECK(a->at == again->at);
    CHECK(a->verb == again->verb);
    CHECK(a->at > t.state_entered_at);
    if (a->verb == "sign_for") {
      ++signed_for;
      CHECK(a->department == t.lead);
    }
  }
  CHECK(signed_for > 120);
  CHECK(silent > 0);  // neglected ones, left to the ladder
}

}  // namespace
}  // namespace closeloop::demo
