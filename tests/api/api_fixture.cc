#include "tests/api/api_fixture.h"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace closeloop::testing {

namespace fs = std::filesystem;

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ApiFixture::ApiFixture(const std::string& name, std::vector<std::string> extra_args) {
  ::signal(SIGPIPE, SIG_IGN);  // a server that closes on an oversized upload must not kill us
  dir = fs::temp_directory_path() / ("cl-api-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> args = {"serve",  "--data",      (dir / "data").string(),
                                   "--http", "127.0.0.1:0", "--clock",
                                   "manual", "--no-sync"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  Status s = server.Start(CLOSELOOP_BIN, args, (dir / "server.log").string());
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::string admin = ReadFile(dir / "data" / "admin-token");
  REQUIRE(admin.size() > 10);
  admin.pop_back();  // newline
  tokens_["admin"] = admin;

  // Reference data and workflows, as an administrator publishes them.
  const fs::path src = CLOSELOOP_SOURCE_DIR;
  json records = json::array();
  for (const char* table : {"calendars", "departments", "jurisdictions", "hazard_classes",
                            "hazard_routing", "enterprises"}) {
    std::ifstream in(src / "workflows" / "reference" / (std::string(table) + ".jsonl"));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) records.push_back(json::parse(line));
    }
  }
  Reply ref = Post("admin", "/v1/admin/reference-data", records);
  REQUIRE_MESSAGE(ref.status == 201, ref.text);
  // Answered once applied: the workflows below fall back to kinds these departments have.
  CHECK(ref.body["applied"] == true);
  // alarm_response answers sensor alarms and chains the disposal orders (after hazard_disposal).
  for (const char* wf :
       {"hazard_disposal", "oversight_case", "enforcement_case", "alarm_response"}) {
    Reply d = Post("admin", "/v1/admin/workflows",
                   {{"file", std::string(wf) + ".wf"},
                    {"source", ReadFile(src / "workflows" / (std::string(wf) + ".wf"))}});
    REQUIRE_MESSAGE(d.status == 201, d.text);
  }
  Advance("2026-03-02T09:00");
  AddUser({{"name", "fire"}, {"role", "staff"}, {"department", "nj.xuanwu.fire"}});
  AddUser({{"name", "emb"}, {"role", "staff"}, {"department", "nj.xuanwu.emb"}});
  AddUser({{"name", "other"}, {"role", "staff"}, {"department", "nj.gulou.fire"}});
  AddUser({{"name", "office"}, {"role", "supervisor"}, {"department", "nj.xuanwu.awb"}});
  AddUser({{"name", "office2"}, {"role", "supervisor"}, {"department", "nj.gulou.awb"}});
  AddUser({{"name", "inspector"}, {"role", "inspector"}, {"department", "nj.xuanwu.jw"}});
  AddUser({{"name", "auditor"}, {"role", "auditor"}});
  AddUser({{"name", "hotline"},
           {"role", "publisher"},
           {"agency", "hotline-12345"},
           {"event_types", {"HazardReport", "ServiceRequest"}}});
}

ApiFixture::~ApiFixture() {
  int code = server.Stop();
  CHECK_MESSAGE(code == 0, "serve exited with " << code << "; log: " << (dir / "server.log"));
  if (code == 0) fs::remove_all(dir);
}

Reply ApiFixture::Call(const std::string& user, const std::string& method, const std::string& path,
                       const std::string& body, const std::string& content_type) {
  return CallWithToken(user.empty() ? "" : tokens_.at(user), method, path, body, content_type);
}

Reply ApiFixture::CallWithToken(const std::string& token, const std::string& method,
                                const std::string& path, const std::string& body,
                                const std::string& content_type) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(30, 0);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Result r(nullptr, httplib::Error::Unknown);
  if (method == "GET")
    r = client.Get(path, headers);
  else if (method == "POST")
    r = client.Post(path, headers, body, content_type);
  else if (method == "PUT")
    r = client.Put(path, headers, body, content_type);
  else if (method == "DELETE")
    r = client.Delete(path, headers);
  Reply out;
  if (!r) return out;
  out.status = r->status;
  out.text = r->body;
  out.headers = r->headers;
  out.body = json::parse(r->body, nullptr, false);
  return out;
}

void ApiFixture::AddUser(const json& user) {
  Reply r = Post("admin", "/v1/admin/users", user);
  REQUIRE_MESSAGE(r.status == 201, r.text);
  std::string name = user["name"];
  Reply t = Post("admin", "/v1/admin/users/" + name + "/tokens", {{"label", "test"}});
  REQUIRE_MESSAGE(t.status == 201, t.text);
  tokens_[name] = t.body["token"];
}

void ApiFixture::Advance(const std::string& to) {
  Reply r = Post("admin", "/v1/admin/clock", {{"to", to}});
  REQUIRE_MESSAGE(r.status == 200, r.text);
  // The engine applies the tick (and everything published before it, such as calendars)
  // after the call answers: wait until its clock shows the new time.
  const int64_t target = r.body["to"];
  for (int i = 0; i < 500; ++i) {
    Reply list = Get("admin", "/v1/tickets?limit=1");
    if (list.status == 200 && list.body.value("now", int64_t{0}) >= target) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the engine did not reach " << to);
}

std::string ApiFixture::OpenFireTicket(const std::string& subject) {
  static int n = 0;
  json ev = {{"source", "hotline-12345"},
             {"subject", subject},
             {"jurisdiction", "xuanwu.meiyuan"},
             {"occurred_at", 1772413200000 + (n++) * 1000},
             {"body_type", "HazardReport"},
             {"body",
              {{"category", "fire_safety"},
               {"severity", "general"},
               {"description", "blocked fire exit " + std::to_string(n)}}}};
  Reply r = Post("hotline", "/v1/events", ev);
  REQUIRE_MESSAGE(r.status == 201, r.text);
  // The ticket: the first open one of this subject, once the engine routed it.
  for (int i = 0; i < 500; ++i) {
    Reply list = Get("admin", "/v1/tickets?subject=" + subject + "&open=true");
    if (list.status == 200 && !list.body["tickets"].empty()) {
      for (const auto& t : list.body["tickets"]) {
        if (!t.value("lead", "").empty()) return t["id"];
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("no ticket opened for " << subject);
  return "";
}

void ApiFixture::WaitWorkflow(const std::string& name) {
  for (int i = 0; i < 500; ++i) {
    Reply r = Get("admin", "/v1/workflows");
    if (r.status == 200) {
      for (const auto& wf : r.body["workflows"]) {
        if (wf["name"] == name) return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("workflow " << name << " was never deployed");
}

json ApiFixture::WaitTicket(const std::string& id) {
  for (int i = 0; i < 500; ++i) {
    Reply r = Get("admin", "/v1/tickets/" + id);
    if (r.status == 200) return r.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("ticket " << id << " never appeared");
  return {};
}

}  // namespace closeloop::testing
