// The HTTP API against a real server on loopback with a real client: publishing, staff
// actions, chains, audit, administration, live updates and metrics.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/support/child_process.h"

namespace closeloop::testing {
namespace {

// Sends `request` as is on a fresh connection and returns what comes back within 5 s.
std::string RawExchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

json Hazard(const std::string& id, const std::string& subject) {
  return {{"id", id},
          {"source", "hotline-12345"},
          {"subject", subject},
          {"jurisdiction", "xuanwu.meiyuan"},
          {"occurred_at", 1772413200000},
          {"body_type", "HazardReport"},
          {"body", {{"category", "fire_safety"}, {"description", "exit blocked"}}}};
}

TEST_CASE("an agency publishes one event or a batch, and a resent event is recorded once") {
  ApiFixture api("publish");
  Reply one = api.Post("hotline", "/v1/events", Hazard("01JC0000000000000000000001", "s-1"));
  REQUIRE(one.status == 201);
  CHECK(one.body["recorded"] == 1);
  CHECK(one.body["events"][0]["id"] == "01JC0000000000000000000001");

  json batch = json::array(
      {Hazard("01JC0000000000000000000002", "s-2"), Hazard("01JC0000000000000000000001", "s-1")});
  Reply two = api.Post("hotline", "/v1/events", batch);
  REQUIRE(two.status == 201);
  CHECK(two.body["recorded"] == 1);
  CHECK(two.body["duplicates"] == 1);
  CHECK(two.body["events"][1]["duplicate"] == true);
  CHECK(two.body["events"][1]["offset"] == one.body["events"][0]["offset"]);

  Reply again = api.Post("hotline", "/v1/events", Hazard("01JC0000000000000000000002", "s-2"));
  CHECK(again.status == 200);
  CHECK(again.body["recorded"] == 0);

  std::string nd = Hazard("01JC0000000000000000000003", "s-3").dump() + "\n\n" +
                   Hazard("01JC0000000000000000000004", "s-4").dump() + "\n";
  Reply lines = api.Call("hotline", "POST", "/v1/events", nd, "application/x-ndjson");
  CHECK(lines.status == 201);
  CHECK(lines.body["recorded"] == 2);
}

TEST_CASE(
    "a batch with one bad event records nothing and names the event, field, line and column") {
  ApiFixture api("badbatch");
  std::string body =
      "[\n" + Hazard("01JC0000000000000000000011", "s-1").dump() + ",\n" +
      R"(  {"source": "hotline-12345", "subject": "s-2", "body_type": "HazardReport",)" + "\n" +
      R"(   "body": {"category": 42}})" + "\n]";
  Reply r = api.Call("hotline", "POST", "/v1/events", body);
  REQUIRE(r.status == 400);
  const json& e = r.body["error"];
  CHECK(e["errors"][0]["index"] == 1);
  CHECK(e["line"] == 4);
  CHECK(e["column"].get<int>() > 1);
  CHECK(e["field"].get<std::string>().find("category") != std::string::npos);
  // Nothing from the batch: the good first event is not in the log either.
  Reply resend = api.Post("hotline", "/v1/events", Hazard("01JC0000000000000000000011", "s-1"));
  CHECK(resend.status == 201);
  CHECK(resend.body["recorded"] == 1);

  Reply broken = api.Call("hotline", "POST", "/v1/events", "{\"source\": \n  oops}");
  CHECK(broken.status == 400);
  CHECK(broken.body["error"]["line"] == 2);
  Reply unknown = api.Post("hotline", "/v1/events",
                           json{{"source", "hotline-12345"},
                                {"subject", "s"},
                                {"body_type", "HazardReport"},
                                {"body", {{"category", "gas"}, {"colour", "red"}}}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body["error"]["field"].get<std::string>().find("colour") != std::string::npos);
  Reply text = api.Call("hotline", "POST", "/v1/events", "hello", "text/plain");
  CHECK(text.status == 415);
  Reply staff_cmd = api.Post("admin", "/v1/events",
                             json{{"source", "x"},
                                  {"subject", "s"},
                                  {"body_type", "StaffCommand"},
                                  {"body", {{"ticket_id", "T"}, {"verb", "close"}}}});
  CHECK(staff_cmd.status == 403);
}

TEST_CASE("a publisher publishes only as its own agency and only its event types") {
  ApiFixture api("publisher");
  json other = Hazard("01JC0000000000000000000021", "s-1");
  other["source"] = "video-platform";
  Reply r = api.Post("hotline", "/v1/events", other);
  CHECK(r.status == 403);
  CHECK(r.body["error"]["field"] == "source");
  json alarm = {{"source", "hotline-12345"},
                {"subject", "s"},
                {"body_type", "SensorAlarm"},
                {"body", {{"sensor_id", "S-1"}, {"measure", "combustible_gas"}}}};
  CHECK(api.Post("hotline", "/v1/events", alarm).status == 403);
}

TEST_CASE("staff sign for their ticket with the expected version, and a stale version is 409") {
  ApiFixture api("act");
  std::string id = api.OpenFireTicket();
  json t = api.WaitTicket(id)["ticket"];
  uint32_t v = t["version"];
  Reply mine = api.Get("fire", "/v1/tickets/" + id);
  REQUIRE(mine.status == 200);
  bool can_sign = false;
  for (const auto& a : mine.body["actions"]) can_sign |= a["verb"] == "sign_for";
  CHECK_MESSAGE(can_sign, mine.text);

  Reply signed_for = api.Post("fire", "/v1/tickets/" + id + "/actions",
                              {{"verb", "sign_for"}, {"expected_version", v}});
  REQUIRE_MESSAGE(signed_for.status == 200, signed_for.text);
  CHECK(signed_for.body["ticket"]["state"] == "verifying");
  CHECK(signed_for.body["ticket"]["version"].get<uint32_t>() > v);

  Reply stale = api.Post("fire", "/v1/tickets/" + id + "/actions",
                         {{"verb", "progress"}, {"expected_version", v}});
  CHECK(stale.status == 409);
  CHECK(stale.body["error"]["current_version"] == signed_for.body["ticket"]["version"]);

  Reply wrong_state = api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}});
  CHECK(wrong_state.status == 422);
  Reply typo =
      api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "progress"}, {"nots", "x"}});
  CHECK(typo.status == 400);
  CHECK(typo.body["error"]["field"] == "nots");
}

TEST_CASE("concurrent conflicting actions on one ticket: exactly one wins") {
  ApiFixture api("race");
  std::string id = api.OpenFireTicket();
  uint32_t v = api.WaitTicket(id)["ticket"]["version"];
  std::atomic<int> won{0}, conflicts{0};
  std::mutex mu;
  std::string statuses;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      // Same verb, same version: a return would take the ticket out of this department's
      // sight, so the losers would rightly get 404 instead of 409.
      json action =
          json{{"verb", "sign_for"}, {"expected_version", v}, {"note", std::to_string(i)}};
      Reply r = api.Post("fire", "/v1/tickets/" + id + "/actions", action);
      if (r.status == 200) ++won;
      if (r.status == 409) ++conflicts;
      std::lock_guard lock(mu);
      statuses += std::to_string(r.status) + " " + r.text + "\n";
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 1);
  CHECK_MESSAGE(conflicts == 5, statuses);
}

TEST_CASE("a ticket outside the caller's scope is 404 for staff, readable for those it involves") {
  ApiFixture api("scope");
  std::string id = api.OpenFireTicket();
  api.WaitTicket(id);
  CHECK(api.Get("other", "/v1/tickets/" + id).status == 404);
  CHECK(api.Post("other", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 404);
  CHECK(api.Get("office2", "/v1/tickets/" + id).status == 404);
  Reply assist = api.Get("emb", "/v1/tickets/" + id);  // assisting department: reads
  CHECK(assist.status == 200);
  CHECK(api.Get("office", "/v1/tickets/" + id).status == 200);
  CHECK(api.Get("auditor", "/v1/tickets/" + id).status == 200);
  CHECK(api.Get("inspector", "/v1/tickets/" + id).status == 404);  // not escalated to them
  CHECK(api.Get("hotline", "/v1/tickets/" + id).status == 403);    // publishers read no tickets
  CHECK(api.Post("auditor", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status ==
        403);
  CHECK(api.Get("", "/v1/tickets/" + id).status == 401);

  Reply queue = api.Get("fire", "/v1/tickets");
  REQUIRE(queue.status == 200);
  CHECK(queue.body["tickets"].size() == 1);
  CHECK(api.Get("other", "/v1/tickets").body["tickets"].empty());
  CHECK(api.Get("fire", "/v1/tickets?department=nj.gulou.fire").status == 403);
  CHECK(api.Get("emb", "/v1/tickets?involved=true").body["tickets"].size() == 1);
}

TEST_CASE("a department's queue comes in cursor pages by deadline, with filters") {
  ApiFixture api("pages");
  std::set<std::string> opened;
  for (int i = 0; i < 5; ++i) opened.insert(api.OpenFireTicket("ent-page-" + std::to_string(i)));
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    Reply r = api.Get("fire", "/v1/tickets?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE_MESSAGE(r.status == 200, r.text);
    for (const auto& t : r.body["tickets"]) CHECK(seen.insert(t["id"]).second);
    cursor = r.body.value("next_cursor", "");
    ++pages;
  } while (!cursor.empty() && pages < 10);
  CHECK(seen == opened);
  CHECK(pages == 3);
  Reply text = api.Get("fire", "/v1/tickets?q=ent-page-3");
  CHECK(text.body["tickets"].size() == 1);
  CHECK(api.Get("fire", "/v1/tickets?limit=0").status == 400);
  CHECK(api.Get("fire", "/v1/tickets?overdue=maybe").status == 400);
  CHECK(api.Get("fire", "/v1/tickets?cursor=abc").status == 400);
  CHECK(api.Get("fire", "/v1/tickets?cursor=0000000000000000000/").status == 400);
}

TEST_CASE("an auditor sees a ticket as it stood at an earlier time, and the chain as of then") {
  ApiFixture api("asof");
  std::string id = api.OpenFireTicket();
  api.WaitTicket(id);
  Reply before = api.Get("admin", "/v1/tickets/" + id);
  int64_t opened_at = before.body["ticket"]["opened_at"];
  api.Advance("2026-03-02T10:00");
  REQUIRE(api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 200);
  Reply now = api.Get("auditor", "/v1/tickets/" + id);
  CHECK(now.body["ticket"]["state"] == "verifying");
  Reply then =
      api.Get("auditor", "/v1/tickets/" + id + "?as_of=" + std::to_string(opened_at + 1000));
  REQUIRE(then.status == 200);
  CHECK(then.body["ticket"]["state"] == "dispatched");
  CHECK(then.body["history"].size() < now.body["history"].size());
  Reply chain = api.Get("auditor", "/v1/chains/" + id);
  REQUIRE(chain.status == 200);
  CHECK(chain.body["tickets"].size() == 1);
  // The auditor's reads are in the access log.
  Reply log = api.Get("admin", "/v1/admin/access-log?limit=1000");
  bool recorded = false;
  for (const auto& e : log.body["entries"])
    recorded |= e["user"] == "auditor" && e["status"] == 200;
  CHECK(recorded);
}

TEST_CASE("an overdue ticket escalates to the inspectors, who read the whole chain and export it") {
  ApiFixture api("evidence");
  std::string id = api.OpenFireTicket();
  api.WaitTicket(id);
  // Nobody signs for it: weeks later the ladder has sent it to the discipline commission.
  for (const char* day : {"2026-03-03T09:00", "2026-03-05T09:00", "2026-03-10T09:00",
                          "2026-03-17T09:00", "2026-03-24T09:00", "2026-04-07T09:00"}) {
    api.Advance(day);
  }
  Reply chain;
  for (int i = 0; i < 200; ++i) {
    chain = api.Get("auditor", "/v1/chains/" + id);
    if (chain.body["tickets"].size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE_MESSAGE(chain.body["tickets"].size() >= 2, chain.text);
  std::string oversight;
  for (const auto& t : chain.body["tickets"]) {
    if (t["workflow"] == "oversight_case") oversight = t["id"];
  }
  REQUIRE(!oversight.empty());
  Reply theirs = api.Get("inspector", "/v1/tickets");
  REQUIRE(theirs.status == 200);
  CHECK(!theirs.body["tickets"].empty());
  CHECK(api.Get("inspector", "/v1/tickets/" + id).status == 200);  // the evidence
  Reply bundle = api.Get("inspector", "/v1/chains/" + id + "/evidence");
  REQUIRE(bundle.status == 200);
  CHECK(bundle.body["format"] == "closeloop-evidence/2");
  // Kilobytes: the chain's records with their inclusion proofs, no partition dump.
  CHECK(bundle.text.size() < 64 * 1024);
  std::set<std::string> ids;
  size_t records = 0;
  for (const auto& p : bundle.body["partitions"]) {
    CHECK(p["checkpoint"].get<std::string>().find("/partition/") != std::string::npos);
    records += p["records"].size();
  }
  CHECK(records >= 4);
  // The published key, and the offline verifier.
  Reply key = api.Get("", "/.well-known/closeloop-checkpoint-key");
  REQUIRE(key.status == 200);
  CHECK(bundle.body["key"].get<std::string>() + "\n" == key.text);
  std::string file = (api.dir / "evidence.json").string();
  {
    std::ofstream out(file, std::ios::binary);
    out << bundle.text;
  }
  auto verified = RunChild(
      {CLOSELOOP_BIN, "evidence", "verify", file, "--key", bundle.body["key"].get<std::string>()},
      "", std::nullopt);
  REQUIRE(verified.ok());
  CHECK_MESSAGE(verified->exit_code == 0, verified->out);
  CHECK(verified->out.find("ok: these " + std::to_string(records) + " records of chain") !=
        std::string::npos);
  // The checkpoints it was proven under are published, and later ones are consistent.
  Reply cps = api.Get("auditor", "/v1/audit/checkpoints");
  REQUIRE(cps.status == 200);
  CHECK(cps.body["key"] == bundle.body["key"]);
  CHECK(!cps.body["checkpoints"].empty());
  CHECK(api.Call("fire", "GET", "/v1/audit/checkpoints").status == 403);  // staff: no
  CHECK(api.Call("inspector", "GET", "/v1/audit/checkpoints").status == 200);  // witnesses
  uint32_t part = bundle.body["partitions"][0]["partition"];
  Reply mine = api.Get("auditor", "/v1/audit/checkpoints?partition=" + std::to_string(part));
  REQUIRE(mine.body["checkpoints"].size() == 1);
  uint64_t size = mine.body["checkpoints"][0]["tree_size"];
  Reply signed_now = api.Post("auditor", "/v1/audit/checkpoints", json::object());
  CHECK(signed_now.status == 200);
  Reply cons = api.Get("auditor", "/v1/audit/consistency?partition=" + std::to_string(part) +
                                      "&from=" + std::to_string(size));
  REQUIRE(cons.status == 200);
  CHECK(cons.body["from_root"] == mine.body["checkpoints"][0]["root_hash"]);
  CHECK(api.Get("auditor",
                "/v1/audit/consistency?partition=" + std::to_string(part) + "&from=99999999")
            .status == 400);
  CHECK(api.Get("fire", "/v1/chains/" + id + "/evidence").status == 403);
  Reply verify = api.Get("auditor", "/v1/audit/verify");
  CHECK(verify.body["intact"] == true);
  Reply digest = api.Get("auditor", "/v1/audit/digest");
  CHECK(digest.body["digest"].get<std::string>().size() == 64);
}

TEST_CASE("administration: a workflow that does not compile is refused with its diagnostics") {
  ApiFixture api("admin");
  Reply bad = api.Post(
      "admin", "/v1/admin/workflows",
      {{"source", "workflow broken version 1 loop prevention\nstate a\n  limit 2 parsecs\n"}});
  REQUIRE(bad.status == 422);
  CHECK(!bad.body["error"]["diagnostics"].empty());
  CHECK(bad.body["error"]["line"].get<int>() >= 1);
  CHECK(api.Post("fire", "/v1/admin/workflows", {{"source", "x"}}).status == 403);
  // Users and tokens: a revoked token stops working; a disabled user too.
  Reply issued = api.Post("admin", "/v1/admin/users/fire/tokens", {{"label", "laptop"}});
  REQUIRE(issued.status == 201);
  std::string token = issued.body["token"], token_id = issued.body["id"];
  httplib::Client c("127.0.0.1", api.server.port());
  CHECK(c.Get("/v1/me", {{"Authorization", "Bearer " + token}})->status == 200);
  CHECK(api.Call("admin", "DELETE", "/v1/admin/tokens/" + token_id).status == 200);
  CHECK(c.Get("/v1/me", {{"Authorization", "Bearer " + token}})->status == 401);
  CHECK(api.Call("admin", "DELETE", "/v1/admin/users/fire").status == 200);
  CHECK(api.Get("fire", "/v1/me").status == 401);
  Reply dup = api.Post("admin", "/v1/admin/users",
                       {{"name", "emb"}, {"role", "staff"}, {"department", "x"}});
  CHECK(dup.status == 409);
  Reply missing = api.Post("admin", "/v1/admin/users", {{"name", "x1"}, {"role", "staff"}});
  CHECK(missing.status == 400);
  CHECK(missing.body["error"]["field"] == "department");
}

TEST_CASE(
    "limits: oversized, chunked and header-flooded requests are refused, and the server stays up") {
  ApiFixture api("limits");
  // A body over the limit is refused from its Content-Length, before a byte of it is read
  // (the answer comes while the client still holds the body).
  std::string big = RawExchange(
      api.server.port(),
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + api.token("hotline") +
          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(5 << 20) +
          "\r\n\r\n{\"source\": ");
  CHECK_MESSAGE(big.rfind("HTTP/1.1 413", 0) == 0, big);
  httplib::Client c("127.0.0.1", api.server.port());
  httplib::Headers many;
  for (int i = 0; i < 100; ++i) many.emplace("X-H" + std::to_string(i), "v");
  auto flooded = c.Get("/v1/me", many);
  REQUIRE(flooded);
  CHECK(flooded->status == 431);
  // A chunked body: refused before it is read (only its first chunk is ever sent).
  std::string answer = RawExchange(
      api.server.port(),
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + api.token("hotline") +
          "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          "b\r\n{\"source\": \r\n");
  CHECK_MESSAGE(answer.rfind("HTTP/1.1 411", 0) == 0, answer);
  CHECK(api.Get("admin", "/v1/me").status == 200);
}

TEST_CASE("live updates: the stream carries changes of tickets the caller may see, only those") {
  ApiFixture api("stream");
  std::atomic<bool> stop{false};
  auto listen = [&](const std::string& user, std::string* out) {
    httplib::Client c("127.0.0.1", api.server.port());
    c.set_read_timeout(20, 0);
    (void)c.Get("/v1/stream", {{"Authorization", "Bearer " + api.token(user)}},
                [&](const char* data, size_t n) {
                  out->append(data, n);
                  return !stop.load();
                });
  };
  std::string fire, other;
  std::thread a(listen, "fire", &fire), b(listen, "other", &other);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::string id = api.OpenFireTicket();
  for (int i = 0; i < 100 && fire.find(id) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // One more change so a stream that filters ticks once more before we stop.
  REQUIRE(api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  api.OpenFireTicket("ent-wake");  // wakes both streams so they see `stop`
  a.join();
  b.join();
  CHECK(fire.find("event: ticket") != std::string::npos);
  CHECK(fire.find(id) != std::string::npos);
  CHECK(other.find(id) == std::string::npos);
}

TEST_CASE("metrics: Prometheus text with processing, tickets and HTTP latency") {
  ApiFixture api("metrics");
  api.OpenFireTicket();
  Reply m = api.Get("auditor", "/metrics");  // not public: docs/operations.md
  REQUIRE(m.status == 200);
  for (const char* name : {"closeloop_records_processed_total", "closeloop_partition_lag_records",
                           "closeloop_tickets{", "closeloop_tickets_overdue",
                           "closeloop_http_request_duration_seconds_bucket"}) {
    CHECK_MESSAGE(m.text.find(name) != std::string::npos, name);
  }
}

}  // namespace
}  // namespace closeloop::testing
