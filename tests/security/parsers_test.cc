// Issue 13, part 2 and the error fields of part 7, against a real `closeloop serve` and the
// real `closeloop publish`: input that crashed a parser (a 30 KB unknown key, 100,000 levels
// of nesting) is refused with a 400 or an exit code naming the place, the process stays up,
// a type error is a 400 naming the field (never a 500 with a library's text), every refused
// write is in the access log, and an out-of-range value is reported on its own field.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/api/api_fixture.h"
#include "tests/support/child_process.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;

const std::string kKey(30000, 'k');  // the unknown key that overflowed std::regex's stack

json Event(const std::string& subject) {
  return {{"source", "hotline-12345"},
          {"subject", subject},
          {"jurisdiction", "xuanwu.meiyuan"},
          {"occurred_at", 1772413200000},
          {"body_type", "HazardReport"},
          {"body", {{"category", "fire_safety"}, {"description", "blocked exit"}}}};
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The server is still alive and answering.
void CheckAlive(ApiFixture& api) {
  CHECK(::kill(api.server.pid(), 0) == 0);
  CHECK(api.Get("", "/readyz").status == 200);
}

// No header and no body of `r` carries a library's exception text.
void CheckNoLibraryText(const Reply& r) {
  for (const auto& [k, v] : r.headers) {
    CHECK_MESSAGE(k != "EXCEPTION_WHAT", v);
    CHECK(v.find("json.exception") == std::string::npos);
  }
  CHECK(r.text.find("json.exception") == std::string::npos);
  CHECK(r.text.find("type_error") == std::string::npos);
}

TEST_CASE("input that crashed a parser is refused with its place, and the server stays up") {
  ApiFixture api("sec-parse-crash");

  // A 30 KB unknown key in an event: SIGSEGV in std::regex before.
  std::string event = Event("ent-xw-901").dump();
  event.insert(1, "\"" + kKey + "\": 1, ");
  Reply r = api.Call("hotline", "POST", "/v1/events", event);
  CHECK(r.status == 400);
  CHECK(r.body["error"]["line"] == 1);
  CHECK(r.body["error"]["column"] == 2);
  CHECK(r.text.size() < 2000);  // the key is not echoed in full
  CheckAlive(api);
  r = api.Call("hotline", "POST", "/v1/events", event, "application/x-ndjson");
  CHECK(r.status == 400);
  CheckAlive(api);

  // 100,000 levels of nesting to the reference data: SIGSEGV in nlohmann::json before.
  r = api.Call("admin", "POST", "/v1/admin/reference-data", Nested(100000));
  CHECK(r.status == 400);
  CHECK(r.body["error"]["code"] == "bad_json");
  CHECK(r.body["error"]["message"] == "nesting deeper than 32 levels");
  CHECK(r.body["error"]["line"] == 1);
  CHECK(r.body["error"]["column"] == 33);
  CheckAlive(api);

  // The same nesting everywhere else a JSON body enters.
  std::string deep_item = "[" + Event("ent-xw-902").dump();
  deep_item.insert(deep_item.size() - 1, ", \"x\": " + Nested(100000));
  deep_item += "]";
  for (const auto& [user, path, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"hotline", "/v1/events", Nested(100000)},
           {"hotline", "/v1/events", deep_item},
           {"admin", "/v1/admin/workflows", "{\"source\": " + Nested(100000) + "}"},
           {"admin", "/v1/admin/clock", Nested(100000)},
           {"admin", "/v1/admin/users", Nested(100000)},
           {"admin", "/v1/admin/users/fire/tokens", Nested(100000)},
           {"fire", "/v1/tickets/01JDAZ8Q8R0000000000000000/actions", Nested(100000)}}) {
    CAPTURE(path);
    r = api.Call(user, "POST", path, body);
    CHECK(r.status == 400);
    CHECK(r.text.find("nesting deeper than") != std::string::npos);
    CheckAlive(api);
  }
  // A comment, which FlatBuffers' parser skipped while others refused it, is refused.
  r = api.Call("hotline", "POST", "/v1/events", "/* x */" + Event("ent-xw-903").dump());
  CHECK(r.status == 400);
  CHECK(r.text.find("a comment is not JSON") != std::string::npos);
}

TEST_CASE("type errors are 400 with the field; no library text; refused writes are logged") {
  ApiFixture api("sec-parse-types");
  struct Case {
    std::string user, path, body, field;
  };
  const std::vector<Case> cases = {
      {"admin", "/v1/admin/reference-data", R"({"body_type": 5})", "body_type"},
      {"admin", "/v1/admin/reference-data", "null", "body_type"},
      {"admin", "/v1/admin/reference-data", R"([{"body_type": null}])", "body_type"},
      {"admin", "/v1/admin/workflows", R"({"source": "x", "file": 5})", "file"},
      {"admin", "/v1/admin/users/fire/tokens", R"({"label": 5})", "label"},
      {"admin", "/v1/admin/clock", R"({"to": 5})", ""},
      {"hotline", "/v1/events", R"({"body_type": 5})", ""},
      {"hotline", "/v1/events", "null", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    CAPTURE(c.body);
    Reply r = api.Call(c.user, "POST", c.path, c.body);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CheckNoLibraryText(r);
    if (!c.field.empty()) CHECK(r.body["error"]["field"] == c.field);
  }
  CheckAlive(api);
  // Each refused write is in the access log, with its status.
  Reply log = api.Get("admin", "/v1/admin/access-log?limit=1000");
  REQUIRE(log.status == 200);
  for (const Case& c : cases) {
    CAPTURE(c.path);
    bool found = false;
    for (const auto& e : log.body["entries"]) {
      if (e.dump().find(c.path) != std::string::npos &&
          e.dump().find("\"status\":40") != std::string::npos)
        found = true;
    }
    CHECK(found);
  }
}

TEST_CASE("an out-of-range value is reported on its own field, as the value given") {
  ApiFixture api("sec-parse-fields");
  // occurred_at beyond 64 bits: was reported on body.description, the table's last field.
  json ev = Event("ent-xw-904");
  std::string text = ev.dump();
  text.replace(text.find("1772413200000"), 13, "99999999999999999999");
  Reply r = api.Call("hotline", "POST", "/v1/events", text);
  CHECK(r.status == 400);
  CHECK(r.body["error"]["field"] == "occurred_at");
  CHECK(r.body["error"]["column"] == static_cast<int>(text.find("9999")) + 1);

  std::string id = api.OpenFireTicket("ent-xw-905");
  std::string actions = "/v1/tickets/" + id + "/actions";
  // days beyond 32 bits: was reported on verb.
  r = api.Call("fire", "POST", actions, R"({"verb": "request_extension", "days": 3000000000})");
  CHECK(r.status == 400);
  CHECK(r.body["error"]["field"] == "days");
  // expected_version 2^64-1: was shown as -1.
  r = api.Call("fire", "POST", actions,
               R"({"verb": "accept", "expected_version": 18446744073709551615})");
  CHECK(r.status == 400);
  CHECK(r.body["error"]["field"] == "expected_version");
  CHECK(r.text.find("-1") == std::string::npos);
  // In range but not the ticket's version: the 409 names the value as given.
  r = api.Call("fire", "POST", actions, R"({"verb": "accept", "expected_version": 4294967295})");
  CHECK(r.status == 409);
  CHECK(r.body["error"]["message"].get<std::string>().find("4294967295") != std::string::npos);
}

TEST_CASE("closeloop publish refuses the lines that crashed it, by file, line and column") {
  fs::path root = fs::temp_directory_path() / ("cl-sec-parse-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  std::string good = Event("ent-xw-906").dump();
  std::string bad_key = good;
  bad_key.insert(1, "\"" + kKey + "\": 1, ");
  std::string deep = good;
  deep.insert(deep.size() - 1, ", \"x\": " + Nested(100000));
  std::string file = (root / "events.jsonl").string();
  std::ofstream(file) << good << "\n" << bad_key << "\n" << deep << "\n";
  std::string err = (root / "stderr.log").string();
  auto run = RunChild({CLOSELOOP_BIN, "publish", "--data", (root / "data").string(), file}, err,
                      std::nullopt);
  REQUIRE(run.ok());
  CHECK(run->signal == 0);  // SIGSEGV before
  CHECK(run->exit_code == 1);
  std::ifstream in(err);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK(text.find(file + ":2:2: ") != std::string::npos);
  CHECK(text.find(file + ":3:" + std::to_string(deep.find("[[") + 16) +
                  ": nesting deeper than 16 levels") != std::string::npos);
  CHECK(text.find("nothing was appended") != std::string::npos);
  CHECK(text.size() < 4000);  // the 30 KB key is not printed
  fs::remove_all(root);
}

}  // namespace
}  // namespace closeloop::testing
