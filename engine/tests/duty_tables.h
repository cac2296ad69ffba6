// The duty roster and paging subscription the engine's duty tests start from, and the
// records they publish and read (engine/tests/duty_test.cc, notify_contacts_test.cc,
// roster_calendar_test.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/testing/duty_roster_fixture.h"
#include "engine/testing/harness.h"

namespace closeloop::engine::duty_tables {

using nlohmann::json;
using testing::Harness;

inline json Rosters() { return testing::DutyRosters(); }

inline json PagingSubscription() {
  return testing::DutyPagingSubscription("http://127.0.0.1:9/sms",
                                         "告警 {ticket_id}，确认：{ack_url}");
}

inline std::string TableRecord(std::string_view table, int version, const json& content) {
  return json{
      {"source", "admin"},
      {"body_type", "ReferenceDataUpdated"},
      {"body", {{"table_name", table}, {"version", version}, {"content_json", content.dump()}}}}
      .dump();
}

inline std::string GasAlarm(Harness& h, const std::string& subject,
                            const std::string& sensor = "GAS-7") {
  return h.Publish(R"({"source": "iot-platform","subject": ")" + subject +
                   R"(","jurisdiction": "liuhe.getang.g02","occurred_at": )" +
                   std::to_string(h.now()) +
                   R"(,"body_type": "SensorAlarm","body": {"sensor_id": ")" + sensor +
                   R"(","measure": "combustible_gas",)"
                   R"("state": "alarm","level": "critical","value": 42.5,"threshold": 25.0}})");
}

inline std::vector<json> Records(Harness& h, const std::string& type) {
  std::vector<json> out;
  for (const auto& r : h.RecordsOfType(type)) out.push_back(json::parse(r));
  return out;
}

// A PageAcknowledgement as the API builds it.
inline void Ack(Harness& h, const std::string& subject, const std::string& delivery,
                const std::string& actor, const std::string& via) {
  h.Publish(json{{"source", "api"},
                 {"subject", subject},
                 {"occurred_at", h.now()},
                 {"actor", actor},
                 {"body_type", "PageAcknowledgement"},
                 {"body", {{"delivery_id", delivery}, {"via", via}}}}
                .dump());
}

}  // namespace closeloop::engine::duty_tables
