// The test city for the shipped workflows: the real Nanjing reference data and PRC calendar
// (workflows/reference/*.jsonl) published as records, every shipped workflow (workflows/*.wf)
// deployed, one WorkflowDeployed per file as the app does, and helpers that say what the
// agencies and staff do in the words of the domain.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/testing/harness.h"

namespace closeloop::workflows {

using engine::Ticket;
using engine::testing::Harness;
using engine::testing::Shanghai;

// The shipped workflow files, sorted by name ("workflows/hazard_disposal.wf", ...).
std::vector<std::string> ShippedWorkflows();

struct CityOptions {
  bool periodic = false;    // deploy periodic_inspection.wf (its schedules open many tickets)
  bool enterprises = true;  // publish the shipped enterprises table
};

class City {
 public:
  explicit City(int64_t start = Shanghai(2026, 3, 2, 9), CityOptions options = {});

  Harness h;

  // Agencies.
  std::string SensorAlarm(const std::string& enterprise, const std::string& jurisdiction,
                          const std::string& sensor, const std::string& risk_source,
                          const std::string& measure, const std::string& level,
                          const std::string& state = "alarm");
  std::string HazardReport(const std::string& subject, const std::string& jurisdiction,
                           const std::string& category, const std::string& severity,
                           const std::string& channel = "hotline_12345");
  std::string Incident(const std::string& subject, const std::string& jurisdiction,
                       const std::string& type, const std::string& level, int casualties = 0);
  std::string ServiceRequest(const std::string& subject, const std::string& jurisdiction,
                             const std::string& service, const std::string& external_id);
  std::string Inspection(const std::string& enterprise, const std::string& role, int items,
                         int hazards = 0);

  // Staff: `extra` adds StaffCommand fields, e.g. R"("reason": "not ours")".
  std::string Act(const Ticket& t, const std::string& verb, const std::string& role,
                  const std::string& department, const std::string& extra = "");
  std::string Act(const std::string& id, const std::string& verb, const std::string& role,
                  const std::string& department, const std::string& extra = "");

  // Time: the clock moves to `at`, in steps of at most `step_ms` so every timer, reminder
  // and ladder step fires at its own moment as a scheduler would make it.
  void AdvanceTo(int64_t at, int64_t step_ms = 3600 * 1000);

  Ticket Get(const std::string& id) const;
  // The only ticket of `workflow` (fails the test when there is not exactly one).
  Ticket Only(const std::string& workflow) const;
  std::vector<Ticket> Of(const std::string& workflow) const;
  // Engine records of `type` (JSON) that name ticket `id`.
  std::vector<std::string> RecordsAbout(const std::string& type, const std::string& id) const;
};

bool Contains(const std::string& haystack, const std::string& needle);
bool Has(const std::vector<std::string>& v, const std::string& x);
// The JSON value of a top-level string field of body (crude, for reading records in tests).
std::string BodyField(const std::string& json, const std::string& field);
// Every item of a shipped reference table (workflows/reference/TABLE.jsonl), in file order.
nlohmann::json Items(const std::string& table);

}  // namespace closeloop::workflows
