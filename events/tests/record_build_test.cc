// Records built in code (events/record_build.h) are stored as the same bytes as the same
// records decoded from JSON: the boundary stamps both the same way, so moving a writer from
// JSON text to typed objects changes nothing on the log.
#include "events/record_build.h"

#include <doctest/doctest.h>

#include "events/json_codec.h"
#include "events/validate.h"

namespace closeloop::events {
namespace {

constexpr int64_t kNow = 1767225600000;

std::string Stamped(std::string_view bytes) {
  auto s = StampIngress(bytes, kNow);
  REQUIRE(s.ok());
  return *s;
}

std::string FromJson(std::string_view json) {
  JsonCodec codec;
  auto bytes = codec.FromJson(json);
  REQUIRE(bytes.ok());
  return *bytes;
}

TEST_CASE("a clock tick built in code is the clock tick the JSON gives") {
  const std::string id = R"("id": "01JGZZZZZZZZZZZZZZZZZZZZZZ", )";
  fb::RecordT typed;
  (*VerifyRecord(ClockTickRecord("api-clock", 1767300000000)))->UnPackTo(&typed);
  typed.id = "01JGZZZZZZZZZZZZZZZZZZZZZZ";
  CHECK(Stamped(PackRecord(std::move(typed))) ==
        Stamped(FromJson("{" + id +
                         R"("source": "api-clock","body_type": "ClockTick","body": {"now": )"
                         R"(1767300000000}})")));
  // Built without what the log sets, so the boundary takes it as it takes the JSON.
  CHECK(ValidateIngress(**VerifyRecord(ClockTickRecord("api-clock", 1767300000000))).empty());
  // A different time is a different record.
  CHECK(Stamped(ClockTickRecord("api-clock", 1)) != Stamped(ClockTickRecord("api-clock", 2)));
}

TEST_CASE("a deployment built in code is the deployment the JSON gives, digest included") {
  const std::string text = "workflow w {\n  version 3\n}\n";
  std::string built = WorkflowDeployedRecord("api/ada", "ada", "w", 3, text);
  CHECK(ValidateIngress(**VerifyRecord(built)).empty());
  fb::RecordT r;
  (*VerifyRecord(built))->UnPackTo(&r);
  r.id = "01JGZZZZZZZZZZZZZZZZZZZZZZ";
  CHECK(r.body.AsWorkflowDeployed()->source_sha256 == ToHex(Sha256Of(text)));
  std::string json = R"({"id": "01JGZZZZZZZZZZZZZZZZZZZZZZ", "source": "api/ada", "actor": "ada",)"
                     R"("body_type": "WorkflowDeployed", "body": {"name": "w", "version": 3,)"
                     R"("source": "workflow w {\n  version 3\n}\n", "source_sha256": ")" +
                     ToHex(Sha256Of(text)) + R"("}})";
  CHECK(Stamped(PackRecord(std::move(r))) == Stamped(FromJson(json)));
}

TEST_CASE(
    "a staff command with fields and a service request with a location and attributes "
    "built in code are the records their JSON gives") {
  fb::StaffCommandT cmd;
  cmd.ticket_id = "T1";
  cmd.verb = "transfer";
  cmd.role = "staff";
  cmd.department = "d.fire";
  cmd.to_department = "d.env";
  cmd.days = 3;
  cmd.evidence = {"sha256:" + std::string(64, 'a')};
  for (const char* k : {"a", "b"}) {  // key order, as the API gives them
    auto attr = std::make_unique<fb::AttrT>();
    attr->key = k;
    attr->value = std::string(k) + "!";
    cmd.fields.push_back(std::move(attr));
  }
  fb::RecordT rec;
  rec.id = "01JGZZZZZZZZZZZZZZZZZZZZZZ";
  rec.source = "api";
  rec.subject = "s1";
  rec.occurred_at = kNow - 5;
  rec.actor = "ada";
  rec.body.Set(std::move(cmd));
  CHECK(
      Stamped(PackRecord(std::move(rec))) ==
      Stamped(FromJson(
          R"({"id": "01JGZZZZZZZZZZZZZZZZZZZZZZ", "source": "api", "subject": "s1",)"
          R"("jurisdiction": "", "occurred_at": 1767225599995, "actor": "ada",)"
          R"("body_type": "StaffCommand", "body": {"ticket_id": "T1", "verb": "transfer",)"
          R"("role": "staff", "department": "d.fire", "to_department": "d.env", "days": 3,)"
          R"("evidence": ["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],)"
          R"("fields": [{"key": "a", "value": "a!"}, {"key": "b", "value": "b!"}]}})")));

  fb::ServiceRequestT req;
  req.service_code = "pothole";
  req.description = "";
  req.requester_kind = fb::RequesterKind::public_;
  req.channel = fb::Channel::web;
  req.external_id = "X1";
  req.location = std::make_unique<fb::GeoPoint>(31.2304, 121.4737);
  auto attr = std::make_unique<fb::AttrT>();
  attr->key = "zipcode";
  attr->value = "200000";
  req.attrs.push_back(std::move(attr));
  fb::RecordT r2;
  r2.id = "01JGZZZZZZZZZZZZZZZZZZZZZZ";
  r2.source = "open311";
  r2.subject = "open311/X1";
  r2.body.Set(std::move(req));
  CHECK(Stamped(PackRecord(std::move(r2))) ==
        Stamped(FromJson(
            R"({"id": "01JGZZZZZZZZZZZZZZZZZZZZZZ", "source": "open311", "subject": "open311/X1",)"
            R"("body_type": "ServiceRequest", "body": {"service_code": "pothole",)"
            R"("description": "", "requester_kind": "public", "channel": "web",)"
            R"("external_id": "X1", "location": {"lat": 31.2304, "lon": 121.4737},)"
            R"("attrs": [{"key": "zipcode", "value": "200000"}]}})")));
}

}  // namespace
}  // namespace closeloop::events
