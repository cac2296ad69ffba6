// Taicang, the second shipped city (issue 17, seed 004), deployed on its own from its
// reference data and the same workflows as Nanjing: hazards reach the Taicang units its
// routing names (the towns' and zones' own work safety offices, the city bureaus, the port's
// chemical park), a hazard nobody's row covers reaches the city's work safety committee
// office through the workflow's `fallback kind`, and no ticket names a Nanjing department.
// The engine refuses a workflow that falls back to a kind no department has, and a
// departments table that would take that department away.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/cli/cli_dir.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kWorkflows = fs::path(CLOSELOOP_SOURCE_DIR) / "workflows";
const fs::path kTaicang = kWorkflows / "cities" / "taicang";

// docs/reference-data.md's publishing order.
const char* const kTables[] = {"calendars",      "jurisdictions", "departments",  "hazard_classes",
                               "hazard_routing", "enterprises",   "rescue_teams", "material_depots",
                               "experts",        "plans"};

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> ShippedWorkflows() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kWorkflows)) {
    if (e.path().extension() == ".wf") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Taicang : CliDir {
  Taicang() : CliDir("taicang") {}

  void PublishReference() {
    std::string all;
    for (const char* table : kTables) all += Read(kTaicang / (std::string(table) + ".jsonl"));
    ChildRun r = Run({"publish", "--data", data, Write("taicang.jsonl", all)});
    REQUIRE_MESSAGE(r.exit_code == 0, Stderr());
  }
  ChildRun Deploy() {
    std::vector<std::string> args = {"deploy", "--data", data};
    for (const auto& wf : ShippedWorkflows()) args.push_back(wf);
    return Run(args);
  }
  std::map<std::string, json> TicketsBySubject() {
    ChildRun r = Run({"tickets", "--data", data, "--json", "--limit", "100000"});
    REQUIRE(r.exit_code == 0);
    std::map<std::string, json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      json t = json::parse(line);
      out[t["subject"].get<std::string>()] = t;
    }
    return out;
  }
};

json Hazard(const std::string& subject, const std::string& jurisdiction,
            const std::string& category, const std::string& what) {
  return {{"source", "taicang-12345"},
          {"subject", subject},
          {"jurisdiction", jurisdiction},
          {"occurred_at", 1772431200000},  // Mon 2026-03-02 14:00 in Taicang (UTC+8)
          {"body_type", "HazardReport"},
          {"body",
           {{"channel", "hotline_12345"},
            {"category", category},
            {"severity", "general"},
            {"description", what},
            {"location", {{"lat", 31.6}, {"lon", 121.2}}},
            {"address", "太仓市"},
            {"reporter", "市民"}}}};
}

TEST_CASE(
    "Taicang on its own: hazards reach its towns' and bureaus' units, an uncovered one its "
    "work safety committee office, and nothing reaches a Nanjing department") {
  Taicang city;
  city.PublishReference();
  ChildRun deployed = city.Deploy();
  REQUIRE_MESSAGE(deployed.exit_code == 0, city.Stderr());

  std::string events;
  for (const json& e : {
           // A leaking tank farm in the port zone's chemical park.
           Hazard("ENT-00001", "gangqu.a01.g03", "hazardous_chemicals",
                  "储罐区可燃气体检测报警器失灵"),
           // Blocked fire exits in Shaxi: the city's fire brigade leads, the town assists.
           Hazard("SITE-shaxi-1", "shaxi.a02.g01", "fire_safety", "消防通道被杂物堵塞"),
           // A hazard of no class: the town's work safety committee office sorts it out.
           Hazard("SITE-liuhe-1", "liuhe.a01.g02", "other", "河边护栏缺失"),
           // Reported with no place in any town: no row of the table covers it.
           Hazard("SITE-nowhere-1", "", "gas", "燃气管道有异味"),
       }) {
    events += e.dump() + "\n";
  }
  ChildRun published =
      city.Run({"publish", "--data", city.data, city.Write("events.jsonl", events)});
  REQUIRE_MESSAGE(published.exit_code == 0, city.Stderr());
  REQUIRE(city.Run({"process", "--data", city.data}).exit_code == 0);

  auto tickets = city.TicketsBySubject();
  REQUIRE(tickets.size() == 4);
  CHECK(tickets["ENT-00001"]["lead"] == "tc.gangqu.emb");
  CHECK(tickets["ENT-00001"]["assist"] == json::array({"tc.gangqu.chempark", "tc.fire", "tc.eco"}));
  CHECK(tickets["SITE-shaxi-1"]["lead"] == "tc.fire");
  CHECK(tickets["SITE-shaxi-1"]["assist"] == json::array({"tc.shaxi.emb"}));
  CHECK(tickets["SITE-liuhe-1"]["lead"] == "tc.liuhe.awb");
  CHECK(tickets["SITE-nowhere-1"]["lead"] == "tc.awb");  // fallback kind "safety_office"
  for (const auto& [subject, t] : tickets) {
    CAPTURE(t.dump());
    CHECK(t["lead"].get<std::string>().rfind("tc.", 0) == 0);
    for (const auto& a : t["assist"]) CHECK(a.get<std::string>().rfind("tc.", 0) == 0);
  }

  // A departments table with no city-level work safety committee office would leave the
  // fallbacks of hazard_disposal and grid_report with nobody: refused whole, naming the
  // first such workflow (in name order) and the kind.
  json depts = json::parse(Read(kTaicang / "departments.jsonl"));
  json content = json::parse(depts["body"]["content_json"].get<std::string>());
  json kept = json::array();
  for (const json& d : content["items"]) {
    if (d["id"] == "tc.awb") continue;
    json copy = d;
    if (copy["parent"] == "tc.awb") copy["parent"] = copy["level"] == "city" ? "" : "tc.emb";
    kept.push_back(copy);
  }
  content["items"] = kept;
  depts["body"]["version"] = 2;
  depts["body"]["content_json"] = content.dump();
  ChildRun refused =
      city.Run({"publish", "--data", city.data, city.Write("depts.jsonl", depts.dump() + "\n")});
  CHECK(refused.exit_code != 0);
  const std::string why = city.Stderr();
  CAPTURE(why);
  CHECK(why.find("workflow grid_report v1 falls back to the city-level department of kind "
                 "'safety_office'") != std::string::npos);
  // Still routed as before: the refused table never took effect.
  ChildRun again =
      city.Run({"publish", "--data", city.data,
                city.Write("more.jsonl",
                           Hazard("SITE-nowhere-2", "", "gas", "燃气管道有异味").dump() + "\n")});
  REQUIRE_MESSAGE(again.exit_code == 0, city.Stderr());
  REQUIRE(city.Run({"process", "--data", city.data}).exit_code == 0);
  CHECK(city.TicketsBySubject()["SITE-nowhere-2"]["lead"] == "tc.awb");
}

TEST_CASE(
    "a workflow that falls back to a kind of department is refused until a department of "
    "that kind exists") {
  Taicang city;
  ChildRun early = city.Deploy();  // no departments published yet
  CHECK(early.exit_code != 0);
  CHECK(city.Stderr().find("publish a departments table") != std::string::npos);
  city.PublishReference();
  ChildRun later = city.Deploy();
  CHECK_MESSAGE(later.exit_code == 0, city.Stderr());
}

}  // namespace
}  // namespace closeloop::testing
