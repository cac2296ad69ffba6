// An attacker holding a publisher's token, or a staff member reusing ids, against a real
// server: every record is authorized as decoded (the record appended is the record checked),
// control records and staff commands cannot be published, an id already used by other
// content is a 409, and a command_id is scoped to its caller and ticket.
#include <doctest/doctest.h>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

// A JSON text with a C comment before each key: accepted by the record parser, which is why
// the permission check must look at the record that parser produced.
std::string Commented(const json& record) {
  std::string text = "{";
  bool first = true;
  for (auto& [k, v] : record.items()) {
    if (!first) text += ",";
    first = false;
    text += "/* note */ " + json(k).dump() + ": " + v.dump();
  }
  return text + "}";
}

json HazardFrom(const std::string& source, const std::string& id, const std::string& what) {
  return {{"id", id},
          {"source", source},
          {"subject", "ent-xw-sec"},
          {"jurisdiction", "xuanwu.meiyuan"},
          {"occurred_at", 1772413200000},
          {"body_type", "HazardReport"},
          {"body", {{"category", "fire_safety"}, {"description", what}}}};
}

std::string TicketState(ApiFixture& api, const std::string& id) {
  Reply r = api.Get("admin", "/v1/tickets/" + id);
  REQUIRE_MESSAGE(r.status == 200, r.text);
  return r.body["ticket"]["state"];
}

}  // namespace

TEST_CASE("a publisher's token cannot forge a supervisor's action, a clock tick or a deployment") {
  ApiFixture api("forge");
  api.AddUser({{"name", "sensors"},
               {"role", "publisher"},
               {"agency", "iot-platform"},
               {"event_types", {"SensorAlarm"}}});
  std::string id = api.OpenFireTicket();
  api.WaitTicket(id);
  const std::string before = TicketState(api, id);

  json review = {{"source", "hotline-12345"},
                 {"subject", "ent-xw-001"},
                 {"jurisdiction", "xuanwu.meiyuan"},
                 {"occurred_at", 1772413200000},
                 {"actor", "office"},
                 {"body_type", "StaffCommand"},
                 {"body",
                  {{"ticket_id", id},
                   {"verb", "review_pass"},
                   {"role", "supervisor"},
                   {"department", "nj.xuanwu.awb"}}}};
  json tick = {
      {"source", "hotline-12345"}, {"body_type", "ClockTick"}, {"body", {{"now", 1778413200000}}}};
  json deploy = {{"source", "hotline-12345"},
                 {"body_type", "WorkflowDeployed"},
                 {"body", {{"name", "hazard_disposal"}, {"source", "workflow x {}"}}}};
  for (const json& forged : {review, tick, deploy}) {
    for (bool comments : {false, true}) {
      CAPTURE(forged["body_type"]);
      CAPTURE(comments);
      std::string text = comments ? Commented(forged) : forged.dump();
      // With comments the text is not strict JSON and is refused before any parser reads
      // it (400); without, the decoded record is refused for what it is (403).
      const int expected = comments ? 400 : 403;
      Reply r = api.Call("hotline", "POST", "/v1/events", text);
      CHECK_MESSAGE(r.status == expected, r.text);
      if (!comments) CHECK(r.body["error"]["field"] == "body_type");
      // An administrator cannot either: control records have their own endpoints and staff
      // commands are built by the server from a token.
      Reply a = api.Call("admin", "POST", "/v1/events", text);
      CHECK_MESSAGE(a.status == expected, a.text);
    }
  }
  // Nothing of it happened: the ticket is where it was, the clock did not move.
  CHECK(TicketState(api, id) == before);
  Reply overview = api.Get("admin", "/v1/tickets?overdue=true");
  REQUIRE(overview.status == 200);
  CHECK(overview.body["tickets"].empty());

  // A publisher limited to SensorAlarm cannot publish a HazardReport, comments or not;
  // nor can anyone write another agency's source.
  json hazard = HazardFrom("iot-platform", "01JC00000000000000000SEC01", "smoke");
  for (bool comments : {false, true}) {
    Reply r =
        api.Call("sensors", "POST", "/v1/events", comments ? Commented(hazard) : hazard.dump());
    CHECK_MESSAGE(r.status == (comments ? 400 : 403), r.text);
    if (!comments) CHECK(r.body["error"]["field"] == "body_type");
  }
  Reply spoof = api.Call("hotline", "POST", "/v1/events", hazard.dump());
  CHECK_MESSAGE(spoof.status == 403, spoof.text);
  CHECK(spoof.body["error"]["field"] == "source");

  // Comments are refused whoever sends them, even on the publisher's own event: the one
  // parser that decides is strict, so no second reading can disagree with it.
  Reply own = api.Call("hotline", "POST", "/v1/events",
                       Commented(HazardFrom("hotline-12345", "01JC00000000000000000SEC02", "x")));
  CHECK_MESSAGE(own.status == 400, own.text);
  Reply plain = api.Post("hotline", "/v1/events",
                         HazardFrom("hotline-12345", "01JC00000000000000000SEC02", "x"));
  CHECK_MESSAGE(plain.status == 201, plain.text);
}

TEST_CASE("an event id already used by other content or another agency is a 409, not a duplicate") {
  ApiFixture api("identity");
  api.AddUser({{"name", "hotline2"},
               {"role", "publisher"},
               {"agency", "hotline-12319"},
               {"event_types", {"HazardReport"}}});
  const std::string id = "01JC00000000000000000SEC10";
  json first = HazardFrom("hotline-12345", id, "exit blocked");
  Reply r1 = api.Post("hotline", "/v1/events", first);
  REQUIRE_MESSAGE(r1.status == 201, r1.text);

  Reply again = api.Post("hotline", "/v1/events", first);  // a resend after a timeout
  CHECK_MESSAGE(again.status == 200, again.text);
  CHECK(again.body["events"][0]["duplicate"] == true);

  json changed = first;
  changed["body"]["description"] = "something else entirely";
  json fresh = HazardFrom("hotline-12345", "01JC00000000000000000SEC11", "a new report");
  Reply conflict = api.Post("hotline", "/v1/events", json::array({fresh, changed}));
  CHECK_MESSAGE(conflict.status == 409, conflict.text);
  CHECK(conflict.body["error"]["field"] == "id");
  CHECK(conflict.body["error"]["index"] == 1);
  CHECK(conflict.body["error"]["message"].get<std::string>().find("body") != std::string::npos);
  // All or nothing: the good event beside it was not recorded either; sent alone, it is new.
  Reply alone = api.Post("hotline", "/v1/events", fresh);
  CHECK_MESSAGE(alone.status == 201, alone.text);

  json other_agency = HazardFrom("hotline-12319", id, "exit blocked");
  Reply theirs = api.Post("hotline2", "/v1/events", other_agency);
  CHECK_MESSAGE(theirs.status == 409, theirs.text);
  CHECK(theirs.body["error"]["message"].get<std::string>().find("source") != std::string::npos);
}

TEST_CASE("a command_id is the caller's own on one ticket: it cannot name another event") {
  ApiFixture api("command-id");
  std::string id = api.OpenFireTicket();
  api.WaitTicket(id);
  // The id of the event that opened the ticket (the cause of TicketOpened), as a command_id.
  Reply history = api.Get("admin", "/v1/tickets/" + id);
  REQUIRE_MESSAGE(history.status == 200, history.text);
  std::string event_id;
  for (const auto& rec : history.body["history"]) {
    if (rec.value("body_type", "") == "TicketOpened") event_id = rec.value("causation_id", "");
  }
  REQUIRE_MESSAGE(!event_id.empty(), history.text);

  json sign = {{"verb", "sign_for"}, {"command_id", event_id}};
  Reply signed_for = api.Post("fire", "/v1/tickets/" + id + "/actions", sign);
  REQUIRE_MESSAGE(signed_for.status == 200, signed_for.text);
  CHECK(signed_for.body["duplicate"] == false);
  CHECK(signed_for.body["ticket"]["state"] == "verifying");
  CHECK(signed_for.body["command_id"] == event_id);

  // The same request again is a retry: the original decision, nothing applied twice.
  Reply retry = api.Post("fire", "/v1/tickets/" + id + "/actions", sign);
  CHECK_MESSAGE(retry.status == 200, retry.text);
  CHECK(retry.body["duplicate"] == true);
  CHECK(retry.body["records"] == signed_for.body["records"]);
  CHECK(retry.body["ticket"]["version"] == signed_for.body["ticket"]["version"]);

  // The same command_id for another action is a conflict, named.
  Reply reuse = api.Post("fire", "/v1/tickets/" + id + "/actions",
                         {{"verb", "progress"}, {"command_id", event_id}, {"note", "x"}});
  CHECK_MESSAGE(reuse.status == 409, reuse.text);
  CHECK(reuse.body["error"]["field"] == "command_id");
}

}  // namespace closeloop::testing
