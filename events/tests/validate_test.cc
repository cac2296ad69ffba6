#include "events/validate.h"

#include <doctest/doctest.h>

#include "events/ids.h"
#include "events/json_codec.h"

namespace closeloop::events {
namespace {

std::vector<FieldError> Check(std::string_view json) {
  JsonCodec codec;
  auto bytes = codec.FromJson(json);
  REQUIRE(bytes.ok());
  return ValidateIngress(**VerifyRecord(*bytes));
}

bool Has(const std::vector<FieldError>& errors, std::string_view field) {
  for (const auto& e : errors) {
    if (e.field == field) return true;
  }
  return false;
}

TEST_CASE("a complete sensor alarm may be published") {
  auto errors = Check(R"({"source": "iot","subject": "RS-1","occurred_at": 1767225600000,
      "body_type": "SensorAlarm","body": {"sensor_id": "G-1","value": 3.0}})");
  CHECK(errors.empty());
}

TEST_CASE("engine records cannot be published") {
  auto errors = Check(R"({"source": "x","subject": "s","occurred_at": 1767225600000,
      "body_type": "TicketOpened","body": {"ticket_id": "T","workflow": "w","state": "new"}})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "body_type");
}

TEST_CASE("a type without its body is refused, not read (it once crashed the process)") {
  for (const char* type : {"HazardReport", "SensorAlarm", "StaffCommand", "ClockTick",
                           "WorkflowDeployed", "ReferenceDataUpdated"}) {
    std::string json =
        std::string("{\"source\": \"hotline\", \"subject\": \"s\", \"body_type\": \"") + type +
        "\"}";
    auto errors = Check(json);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "body");
  }
}

TEST_CASE("fields the log sets must be left out") {
  auto errors = Check(R"({"source": "x","subject": "s","occurred_at": 1767225600000,
      "recorded_at": 5, "prev_hash": "abc", "body_type": "ClockTick","body": {"now": 1767225600000}})");
  CHECK(Has(errors, "recorded_at"));
  CHECK(Has(errors, "prev_hash"));
}

TEST_CASE("missing envelope fields and seconds-for-milliseconds are reported by field") {
  auto errors = Check(R"({"occurred_at": 1767225600, "body_type": "HazardReport",
      "body": {"category": "gas"}})");
  CHECK(Has(errors, "source"));
  CHECK(Has(errors, "subject"));
  CHECK(Has(errors, "occurred_at"));
}

TEST_CASE("out-of-range body values are reported by field") {
  auto errors = Check(R"({"source": "v","subject": "s","occurred_at": 1767225600000,
      "body_type": "VideoAlarm","body": {"camera_id": "c","algorithm": "smoke","confidence": 1.5,
      "location": {"lat": 95, "lon": 0}}})");
  CHECK(Has(errors, "body.confidence"));
  CHECK(Has(errors, "body.location.lat"));
}

TEST_CASE("an enforcement update must name its case; an accident's figures are not negative") {
  auto unnamed =
      Check(R"({"source": "enforcement-system","subject": "ENT-1","occurred_at": 1767225600000,
      "body_type": "EnforcementStep","body": {"case_id": "","step": "executed"}})");
  REQUIRE(unnamed.size() == 1);
  CHECK(unnamed[0].field == "body.case_id");
  CHECK(Check(R"({"source": "enforcement-system","subject": "ENT-1","occurred_at": 1767225600000,
      "body_type": "EnforcementStep","body": {"case_id": "LH-1","step": "executed"}})")
            .empty());
  auto figures = Check(R"({"source": "119","subject": "s","occurred_at": 1767225600000,
      "body_type": "IncidentReport","body": {"incident_type": "explosion","deaths": -1,
      "serious_injuries": -2,"direct_loss_yuan": -5.0}})");
  CHECK(Has(figures, "body.deaths"));
  CHECK(Has(figures, "body.serious_injuries"));
  CHECK(Has(figures, "body.direct_loss_yuan"));
}

TEST_CASE("a staff command needs an actor") {
  auto errors = Check(R"({"source": "console","subject": "s","occurred_at": 1767225600000,
      "body_type": "StaffCommand","body": {"ticket_id": "T","verb": "sign_for"}})");
  CHECK(Has(errors, "actor"));
}

TEST_CASE("a malformed id is reported") {
  auto errors = Check(
      R"({"id": "nope","source": "x","body_type": "ClockTick","body": {"now": 1767225600000}})");
  CHECK(Has(errors, "id"));
}

TEST_CASE("stamping assigns id, recorded_at and the hash placeholder, keeping a given id") {
  JsonCodec codec;
  auto bytes =
      codec.FromJson(R"({"source": "x","body_type": "ClockTick","body": {"now": 1767225600000}})");
  auto stamped = StampIngress(*bytes, 1767225600500);
  REQUIRE(stamped.ok());
  const fb::Record* r = *VerifyRecord(*stamped);
  CHECK(IsValidId(r->id()->string_view()));
  CHECK(r->recorded_at() == 1767225600500);
  CHECK(r->occurred_at() == 1767225600500);
  CHECK(r->prev_hash()->string_view() == kUnsetHash);

  auto with_id = codec.FromJson(
      R"({"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV","source": "x","body_type": "ClockTick","body": {"now": 1}})");
  const fb::Record* r2 = *VerifyRecord(*StampIngress(*with_id, 5));
  CHECK(r2->id()->string_view() == "01ARZ3NDEKTSV4RRFFQ69G5FAV");
}

TEST_CASE("control records go to every partition, others to their subject's") {
  JsonCodec codec;
  auto clock = codec.FromJson(R"({"body_type": "ClockTick","body": {"now": 1}})");
  CHECK(TargetPartitions(**VerifyRecord(*clock), 4).size() == 4);
  auto alarm = codec.FromJson(
      R"({"subject": "RS-1","body_type": "SensorAlarm","body": {"sensor_id": "g"}})");
  auto parts = TargetPartitions(**VerifyRecord(*alarm), 4);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0] < 4);
}

}  // namespace
}  // namespace closeloop::events
