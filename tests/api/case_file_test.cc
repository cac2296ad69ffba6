// The case file through the real pipeline: every ingress example of docs/events.md published
// by its agency over HTTP; the ticket it opens shows the example's whole content, with its
// source and time, to the people who act on it, personal data masked for everyone else, and
// a read that showed personal data is in the access log. Also: a verb's declared fields
// (422 naming the field, nothing recorded) and the forms' declarations in `actions`.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

struct Example {
  std::string heading;
  json record;
};

// The JSON examples under "## Ingress records" of docs/events.md (StaffCommand aside).
std::vector<Example> IngressExamples() {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/docs/events.md");
  std::vector<Example> out;
  std::string line, heading, block;
  bool ingress = false, in_block = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) ingress = line == "## Ingress records";
    if (line.rfind("### ", 0) == 0) heading = line.substr(4);
    if (!ingress) continue;
    if (line == "```json") {
      in_block = true;
      block.clear();
    } else if (line == "```" && in_block) {
      in_block = false;
      if (heading != "StaffCommand") out.push_back({heading, json::parse(block)});
    } else if (in_block) {
      block += line + "\n";
    }
  }
  return out;
}

// Every field of `want` is in `got` with the same value (numbers as the float they are).
void CheckSameContent(const json& want, const json& got, const std::string& path) {
  CAPTURE(path);
  if (want.is_number()) {
    REQUIRE(got.is_number());
    CHECK(std::fabs(want.get<double>() - got.get<double>()) <=
          1e-6 * (1 + std::fabs(want.get<double>())));
  } else if (want.is_object()) {
    REQUIRE(got.is_object());
    for (auto& [k, v] : want.items()) {
      const std::string where = path + "." + k;
      REQUIRE_MESSAGE(got.contains(k), where << " is missing");
      CheckSameContent(v, got[k], path + "." + k);
    }
  } else if (want.is_array()) {
    REQUIRE(got.is_array());
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      CheckSameContent(want[i], got[i], path + "[" + std::to_string(i) + "]");
    }
  } else {
    CHECK(want == got);
  }
}

const char* kPersonal[] = {"reporter", "reporter_contact", "requester", "contact"};

TEST_CASE(
    "every ingress example of docs/events.md that opens a ticket is in its case file whole, for "
    "the lead department; personal data is masked for the others, and reading it is logged") {
  ApiFixture api("casefile");
  const std::filesystem::path src = CLOSELOOP_SOURCE_DIR;
  for (const char* wf : {"incident_response", "service_request"}) {
    std::ifstream in(src / "workflows" / (std::string(wf) + ".wf"));
    std::stringstream text;
    text << in.rdbuf();
    Reply d = api.Post("admin", "/v1/admin/workflows",
                       {{"file", std::string(wf) + ".wf"}, {"source", text.str()}});
    REQUIRE_MESSAGE(d.status == 201, d.text);
    api.WaitWorkflow(wf);
  }
  auto examples = IngressExamples();
  REQUIRE(examples.size() == 9);
  int opened = 0, with_personal = 0;
  for (const auto& ex : examples) {
    CAPTURE(ex.heading);
    const json& rec = ex.record;
    const std::string type = rec["body_type"], source = rec["source"];
    const std::string agency_user = "agency-" + std::to_string(&ex - examples.data());
    api.AddUser({{"name", agency_user},
                 {"role", "publisher"},
                 {"agency", source},
                 {"event_types", {type}}});
    Reply r = api.Post(agency_user, "/v1/events", rec);
    REQUIRE_MESSAGE(r.status == 201, r.text);
    // The ticket it opened, if its workflows open one for it.
    std::string id;
    for (int i = 0; i < 150 && id.empty(); ++i) {
      Reply list = api.Get("admin", "/v1/tickets?subject=" + rec["subject"].get<std::string>());
      for (const auto& t : list.body["tickets"]) {
        Reply one = api.Get("admin", "/v1/tickets/" + t["id"].get<std::string>());
        for (const auto& e : one.body["case_file"]) {
          if (e["event_id"] == rec["id"] && !t.value("lead", "").empty()) id = t["id"];
        }
      }
      if (id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (type == "SelfInspection" || type == "EnforcementStep") {
      // These answer or advance tickets that already exist; alone they open none.
      CHECK(id.empty());
      continue;
    }
    REQUIRE_MESSAGE(!id.empty(), "no ticket shows " << type << " in its case file");
    ++opened;
    json ticket = api.Get("admin", "/v1/tickets/" + id).body["ticket"];
    const std::string lead = ticket["lead"];
    const std::string reader = "lead-" + std::to_string(opened);
    api.AddUser({{"name", reader}, {"role", "staff"}, {"department", lead}});

    // The lead department reads it whole: source, time, every field.
    Reply mine = api.Get(reader, "/v1/tickets/" + id);
    REQUIRE(mine.status == 200);
    const json& first = mine.body["case_file"][0];
    CHECK(first["relation"] == "opened");
    CHECK(first["event_id"] == rec["id"]);
    CHECK(first["type"] == type);
    CHECK(first["source"] == source);
    CHECK(first["occurred_at"] == rec["occurred_at"]);
    CHECK_FALSE(first.contains("masked"));
    CheckSameContent(rec["body"], first["content"], type);

    // The auditor reads what happened, not who told it.
    Reply audit = api.Get("auditor", "/v1/tickets/" + id);
    REQUIRE(audit.status == 200);
    const json& seen = audit.body["case_file"][0];
    bool personal = false;
    for (const char* f : kPersonal) {
      if (!rec["body"].contains(f)) continue;
      personal = true;
      CAPTURE(f);
      const std::string plain = rec["body"][f];
      const std::string shown = seen["content"][f];
      CHECK(shown != plain);
      CHECK(shown.find('*') != std::string::npos);
      CHECK(std::find(seen["masked"].begin(), seen["masked"].end(), f) != seen["masked"].end());
    }
    json unmasked = seen["content"];
    for (const char* f : kPersonal) {
      if (rec["body"].contains(f)) unmasked[f] = rec["body"][f];
    }
    CheckSameContent(rec["body"], unmasked, type + " (auditor)");
    if (personal) {
      ++with_personal;
      Reply log = api.Get("admin", "/v1/admin/access-log?limit=1000");
      bool logged = false;
      for (const auto& e : log.body["entries"]) {
        logged |= e.value("user", "") == reader &&
                  e.value("detail", "").find("personal-data") != std::string::npos;
      }
      CHECK_MESSAGE(logged, "the read of " << id << "'s personal data is not in the access log");
    }
  }
  CHECK(opened == 7);
  CHECK(with_personal == 2);  // HazardReport (reporter, contact), ServiceRequest (requester)
}

TEST_CASE(
    "an action's fields come from the workflow's declaration; a missing required field or a "
    "choice not declared is 422 naming the field, and nothing is recorded") {
  ApiFixture api("verbfields");
  const std::string id = api.OpenFireTicket("ent-xw-fields");
  Reply t = api.Get("fire", "/v1/tickets/" + id);
  REQUIRE(t.status == 200);
  json sign_for;
  for (const auto& a : t.body["actions"]) {
    if (a["verb"] == "sign_for") sign_for = a;
  }
  REQUIRE(sign_for.is_object());
  CHECK(sign_for["title_zh"] == "签收");
  REQUIRE(api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 200);

  t = api.Get("fire", "/v1/tickets/" + id);
  json dismiss, rectify;
  for (const auto& a : t.body["actions"]) {
    if (a["verb"] == "dismiss") dismiss = a;
    if (a["verb"] == "order_rectification") rectify = a;
  }
  REQUIRE(dismiss.is_object());
  REQUIRE(dismiss["fields"].size() == 2);
  CHECK(dismiss["fields"][0]["name"] == "reason");
  CHECK(dismiss["fields"][0]["kind"] == "text");
  CHECK(dismiss["fields"][0]["required"] == true);
  REQUIRE(rectify.is_object());
  CHECK(rectify["fields"][0]["param"] == "fields.severity");
  CHECK(rectify["fields"][0]["choices"][1]["value"] == "major");
  CHECK(rectify["fields"][0]["choices"][1]["title_zh"] == "重大隐患");

  const uint64_t before = t.body["ticket"]["history_length"];
  Reply bare = api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "dismiss"}});
  CHECK(bare.status == 422);
  CHECK(bare.body["error"]["field"] == "reason");
  Reply wrong = api.Post("fire", "/v1/tickets/" + id + "/actions",
                         {{"verb", "order_rectification"}, {"fields", {{"severity", "huge"}}}});
  CHECK(wrong.status == 422);
  CHECK(wrong.body["error"]["field"] == "fields.severity");
  Reply stray = api.Post("fire", "/v1/tickets/" + id + "/actions",
                         {{"verb", "dismiss"}, {"reason", "x"}, {"days", 3}});
  CHECK(stray.status == 422);
  CHECK(stray.body["error"]["field"] == "days");
  CHECK(api.Get("fire", "/v1/tickets/" + id).body["ticket"]["history_length"] == before);

  Reply ok = api.Post("fire", "/v1/tickets/" + id + "/actions",
                      {{"verb", "dismiss"}, {"reason", "the exit was cleared before we came"}});
  CHECK(ok.status == 200);
  CHECK(ok.body["ticket"]["resolution"] == "false_alarm");
  // Closed tickets are listed by their outcome (enforcement cases: closure, suspension, ...).
  Reply by_outcome = api.Get("admin", "/v1/tickets?outcome=false_alarm");
  REQUIRE(by_outcome.status == 200);
  REQUIRE(by_outcome.body["tickets"].size() == 1);
  CHECK(by_outcome.body["tickets"][0]["id"] == id);
  CHECK(api.Get("admin", "/v1/tickets?outcome=rectified").body["tickets"].empty());
}

TEST_CASE("an enforcement system's update that names no case is 400 naming body.case_id") {
  ApiFixture api("caseid");
  api.AddUser({{"name", "enforcement"},
               {"role", "publisher"},
               {"agency", "enforcement-system"},
               {"event_types", {"EnforcementStep"}}});
  json step = {{"source", "enforcement-system"},
               {"subject", "ENT-00002"},
               {"occurred_at", 1772413200000},
               {"body_type", "EnforcementStep"},
               {"body", {{"case_id", ""}, {"step", "executed"}}}};
  Reply unnamed = api.Post("enforcement", "/v1/events", step);
  CHECK(unnamed.status == 400);
  CHECK(unnamed.body["error"]["field"] == "body.case_id");
  step["body"]["case_id"] = "LH-2026-031";
  CHECK(api.Post("enforcement", "/v1/events", step).status == 201);
}

}  // namespace
}  // namespace closeloop::testing
