#include "workflows/tests/city.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace closeloop::workflows {

std::vector<std::string> ShippedWorkflows() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows")) {
    if (e.path().extension() == ".wf") out.push_back("workflows/" + e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

City::City(int64_t start, CityOptions options) {
  h.Clock(start);
  for (const char* table :
       {"calendars", "departments", "jurisdictions", "hazard_classes", "hazard_routing",
        "rescue_teams", "material_depots", "experts", "plans"}) {
    h.PublishFile(std::string("workflows/reference/") + table + ".jsonl");
  }
  if (options.enterprises) h.PublishFile("workflows/reference/enterprises.jsonl");
  for (const auto& path : ShippedWorkflows()) {
    std::string name = std::filesystem::path(path).stem().string();
    if (name == "periodic_inspection" && !options.periodic) continue;
    h.Deploy(name, path);
  }
}

namespace {
std::string Envelope(const std::string& source, const std::string& subject,
                     const std::string& jurisdiction, int64_t now) {
  return R"({"source": ")" + source + R"(","subject": ")" + subject + R"(","jurisdiction": ")" +
         jurisdiction + R"(","occurred_at": )" + std::to_string(now) + ",";
}
}  // namespace

std::string City::SensorAlarm(const std::string& enterprise, const std::string& jurisdiction,
                              const std::string& sensor, const std::string& risk_source,
                              const std::string& measure, const std::string& level,
                              const std::string& state) {
  return h.Publish(Envelope("iot-platform", enterprise, jurisdiction, h.now()) +
                   R"("body_type": "SensorAlarm","body": {"sensor_id": ")" + sensor +
                   R"(","risk_source_id": ")" + risk_source + R"(","measure": ")" + measure +
                   R"(","state": ")" + state + R"(","level": ")" + level +
                   R"(","value": 31.5,"threshold": 25.0,"unit": "%LEL"}})");
}

std::string City::HazardReport(const std::string& subject, const std::string& jurisdiction,
                               const std::string& category, const std::string& severity,
                               const std::string& channel) {
  return h.Publish(Envelope("hotline-12345", subject, jurisdiction, h.now()) +
                   R"("body_type": "HazardReport","body": {"channel": ")" + channel +
                   R"(","category": ")" + category + R"(","severity": ")" + severity + R"("}})");
}

std::string City::Incident(const std::string& subject, const std::string& jurisdiction,
                           const std::string& type, const std::string& level, int casualties) {
  return h.Publish(Envelope("110-119-120", subject, jurisdiction, h.now()) +
                   R"("body_type": "IncidentReport","body": {"incident_type": ")" + type +
                   R"(","level": ")" + level + R"(","casualties": )" + std::to_string(casualties) +
                   "}}");
}

std::string City::ServiceRequest(const std::string& subject, const std::string& jurisdiction,
                                 const std::string& service, const std::string& external_id) {
  return h.Publish(Envelope("hotline-12345", subject, jurisdiction, h.now()) +
                   R"("body_type": "ServiceRequest","body": {"service_code": ")" + service +
                   R"(","channel": "hotline_12345","requester_kind": "public","external_id": ")" +
                   external_id + R"("}})");
}

std::string City::Inspection(const std::string& enterprise, const std::string& role, int items,
                             int hazards) {
  std::string jurisdiction;  // the enterprise's grid, as its duty tickets carry it
  for (const auto& t : h.TicketsOf("periodic_inspection")) {
    if (t.subject == enterprise) jurisdiction = t.jurisdiction;
  }
  return h.Publish(
      Envelope("self-inspection-system", enterprise, jurisdiction, h.now()) +
      R"("body_type": "SelfInspection","body": {"period": "2026-03","inspector_role": ")" + role +
      R"(","items_checked": )" + std::to_string(items) + R"(,"hazards_found": )" +
      std::to_string(hazards) + "}}");
}

std::string City::Act(const Ticket& t, const std::string& verb, const std::string& role,
                      const std::string& department, const std::string& extra) {
  return h.Act(t.id, verb, role + "-on-duty", role, department, extra);
}
std::string City::Act(const std::string& id, const std::string& verb, const std::string& role,
                      const std::string& department, const std::string& extra) {
  return Act(Get(id), verb, role, department, extra);
}

void City::AdvanceTo(int64_t at, int64_t step_ms) {
  int64_t now = h.now();
  while (now < at) {
    now = std::min(at, now + step_ms);
    h.Clock(now);
  }
}

Ticket City::Get(const std::string& id) const {
  auto t = h.Find(id);
  REQUIRE_MESSAGE(t.has_value(), "no ticket " << id);
  return *t;
}

Ticket City::Only(const std::string& workflow) const {
  auto all = h.TicketsOf(workflow);
  REQUIRE_MESSAGE(all.size() == 1, workflow << " has " << all.size() << " tickets");
  return all[0];
}

std::vector<Ticket> City::Of(const std::string& workflow) const { return h.TicketsOf(workflow); }

std::vector<std::string> City::RecordsAbout(const std::string& type, const std::string& id) const {
  std::vector<std::string> out;
  for (const auto& json : h.RecordsOfType(type)) {
    if (Contains(json, "\"ticket_id\": \"" + id + "\"")) out.push_back(json);
  }
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string BodyField(const std::string& json, const std::string& field) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.contains("body") || !j["body"].contains(field)) return "";
  const auto& v = j["body"][field];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

nlohmann::json Items(const std::string& table) {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/reference/" + table + ".jsonl");
  REQUIRE_MESSAGE(in.good(), "no reference table " << table);
  std::string line;
  nlohmann::json items = nlohmann::json::array();
  while (std::getline(in, line)) {
    auto doc = nlohmann::json::parse(
        nlohmann::json::parse(line)["body"]["content_json"].get<std::string>());
    for (auto& i : doc["items"]) items.push_back(i);
  }
  return items;
}

}  // namespace closeloop::workflows
