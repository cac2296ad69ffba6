// Tokens and secrets against a real `closeloop serve` (issue 13, parts 5 and 7). Each case
// first does what the attack did (a token in the URL of an admin route, a token in the
// access log, a public /metrics, an expired token) and checks it is refused now.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

// A request with a raw token (or none), for tokens the fixture's users do not hold.
Reply Raw(ApiFixture& api, const std::string& method, const std::string& path,
          const std::string& token = "", const std::string& body = "",
          const std::string& content_type = "application/json") {
  return api.CallWithToken(token, method, path, body, content_type);
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Reads GET /v1/stream?stream_ticket=T until `stop`; returns the HTTP status.
int Listen(ApiFixture& api, const std::string& ticket, std::string* out, std::atomic<bool>* stop) {
  httplib::Client c("127.0.0.1", api.server.port());
  c.set_read_timeout(20, 0);
  int status = 0;
  (void)c.Get(
      "/v1/stream?stream_ticket=" + ticket, httplib::Headers{},
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t n) {
        out->append(data, n);
        return !stop->load();
      });
  return status;
}

std::string StreamTicket(ApiFixture& api, const std::string& user) {
  Reply t = api.Post(user, "/v1/stream/ticket", json::object());
  REQUIRE_MESSAGE(t.status == 201, t.text);
  return t.body["stream_ticket"];
}

TEST_CASE("a token in the URL is refused on every route, admin routes first, with the reason") {
  ApiFixture api("tok-url");
  const std::string admin = api.token("admin");
  // The finding: ?access_token= on an admin route answered 200.
  Reply r = Raw(api, "GET", "/v1/admin/users?access_token=" + admin);
  CHECK(r.status == 401);
  CHECK(r.body["error"]["code"] == "token_in_url");
  CHECK(r.body["error"]["field"] == "access_token");
  CHECK(r.text.find("Authorization: Bearer") != std::string::npos);
  CHECK(r.text.find(admin) == std::string::npos);
  // Also beside a good header, percent-encoded, on the stream, on public routes.
  CHECK(Raw(api, "GET", "/v1/admin/users?access_token=" + admin, admin).status == 401);
  CHECK(Raw(api, "GET", "/v1/me?acc%65ss_token=" + admin).status == 401);
  CHECK(Raw(api, "GET", "/v1/stream?access_token=" + api.token("fire")).status == 401);
  CHECK(Raw(api, "GET", "/open311/v2/services.json?access_token=x").status == 401);
  CHECK(Raw(api, "POST", "/v1/admin/clock?access_token=" + admin, "", R"({"by": "1h"})").status ==
        401);
  // The header works.
  CHECK(Raw(api, "GET", "/v1/admin/users", admin).status == 200);
  // Open311 keys go in the form body, not the URL.
  Reply o = Raw(api, "POST", "/open311/v2/requests.json?api_key=" + api.token("hotline"), "",
                "service_code=hazard", "application/x-www-form-urlencoded");
  CHECK(o.status == 401);
  CHECK(o.text.find("form body") != std::string::npos);
}

TEST_CASE("the access log and the server log hold no token and no stream ticket") {
  ApiFixture api("tok-log");
  const std::string admin = api.token("admin"), hotline = api.token("hotline");
  const std::string auditor = api.token("auditor");
  // What the attack did: a token in the URL of a write, which went to the access log whole.
  CHECK(Raw(api, "POST", "/v1/admin/clock?access_token=" + admin, "", R"({"by": "1h"})").status ==
        401);
  CHECK(Raw(api, "POST", "/v1/events?x=1&ACCESS_TOKEN=" + hotline, "", "{}").status == 401);
  CHECK(Raw(api, "POST", "/open311/v2/requests.json?api_key=" + hotline, "", "service_code=x",
            "application/x-www-form-urlencoded")
            .status == 401);
  // A stream opened by an auditor (whose reads are logged) with its ticket.
  std::string ticket = StreamTicket(api, "auditor");
  std::atomic<bool> stop{true};  // the first chunk is enough
  std::string seen;
  CHECK(Listen(api, ticket, &seen, &stop) == 200);
  // An issued token's answer is not logged either.
  Reply issued = api.Post("admin", "/v1/admin/users/fire/tokens", {{"label", "second"}});
  REQUIRE(issued.status == 201);
  const std::string fresh = issued.body["token"];

  Reply log = api.Get("auditor", "/v1/admin/access-log?limit=1000");
  REQUIRE(log.status == 200);
  for (const std::string& secret : {admin, hotline, auditor, ticket, fresh}) {
    CHECK_MESSAGE(log.text.find(secret) == std::string::npos, "a secret in the access log");
  }
  int redacted = 0, stream_reads = 0;
  for (const auto& e : log.body["entries"]) {
    std::string target = e["target"];
    if (target.find("=[redacted]") != std::string::npos) ++redacted;
    if (target.rfind("/v1/stream?stream_ticket=[redacted]", 0) == 0) ++stream_reads;
  }
  CHECK(redacted >= 4);  // the three refused writes and the stream (the name stays visible)
  CHECK(stream_reads == 1);
  // Nor is any token in the server's own log.
  std::string server_log = Slurp(api.dir / "server.log");
  REQUIRE(!server_log.empty());
  for (const std::string& secret : {admin, hotline, auditor, ticket, fresh}) {
    CHECK_MESSAGE(server_log.find(secret) == std::string::npos, "a secret in the server log");
  }
}

TEST_CASE("a stream ticket opens GET /v1/stream once, as its user, and nothing else") {
  ApiFixture api("tok-ticket");
  // Publishers have no stream, so no ticket.
  CHECK(api.Post("hotline", "/v1/stream/ticket", json::object()).status == 403);
  CHECK(Raw(api, "POST", "/v1/stream/ticket").status == 401);
  Reply t = api.Post("fire", "/v1/stream/ticket", json::object());
  REQUIRE(t.status == 201);
  CHECK(t.headers.find("Cache-Control")->second == "no-store");
  int64_t left =
      t.body["expires_at"].get<int64_t>() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count();
  CHECK(left <= 60000);
  CHECK(left > 30000);
  const std::string fire_ticket = t.body["stream_ticket"];
  // Not a token: refused on any other route (and not spent by the refusal).
  Reply other_route = Raw(api, "GET", "/v1/tickets?stream_ticket=" + fire_ticket);
  CHECK(other_route.status == 401);
  CHECK(other_route.body["error"]["code"] == "ticket_not_for_route");
  CHECK(Raw(api, "GET", "/v1/me", fire_ticket).status == 401);
  CHECK(Raw(api, "GET", "/v1/stream?stream_ticket=nonsense").status == 401);

  // The scope is the user's: fire (Xuanwu) sees its new ticket, other (Gulou) does not.
  const std::string other_ticket = StreamTicket(api, "other");
  std::atomic<bool> stop{false};
  std::string fire_seen, other_seen;
  int fire_status = 0, other_status = 0;
  std::thread a([&] { fire_status = Listen(api, fire_ticket, &fire_seen, &stop); });
  std::thread b([&] { other_status = Listen(api, other_ticket, &other_seen, &stop); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::string id = api.OpenFireTicket();
  for (int i = 0; i < 100 && fire_seen.find(id) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  api.OpenFireTicket("ent-wake");  // wakes both streams so they see `stop`
  a.join();
  b.join();
  CHECK(fire_status == 200);
  CHECK(other_status == 200);
  CHECK(fire_seen.find(id) != std::string::npos);
  CHECK(other_seen.find(": connected") != std::string::npos);
  CHECK(other_seen.find(id) == std::string::npos);

  // Spent: a second use (what the browser's own reconnect would do) is refused.
  Reply again = Raw(api, "GET", "/v1/stream?stream_ticket=" + fire_ticket);
  CHECK(again.status == 401);
  CHECK(again.body["error"]["code"] == "invalid_ticket");

  // A ticket is only as good as the token that asked for it.
  Reply issued = api.Post("admin", "/v1/admin/users/emb/tokens", {{"label", "short"}});
  REQUIRE(issued.status == 201);
  Reply t2 = Raw(api, "POST", "/v1/stream/ticket", issued.body["token"].get<std::string>(), "{}");
  REQUIRE(t2.status == 201);
  REQUIRE(Raw(api, "DELETE", "/v1/admin/tokens/" + issued.body["id"].get<std::string>(),
              api.token("admin"))
              .status == 200);
  Reply revoked =
      Raw(api, "GET", "/v1/stream?stream_ticket=" + t2.body["stream_ticket"].get<std::string>());
  CHECK(revoked.status == 401);
}

TEST_CASE("/metrics is not public: an admin's or an auditor's token") {
  ApiFixture api("tok-metrics");
  // The finding: GET /metrics with no token answered 200.
  Reply open = api.Get("", "/metrics");
  CHECK(open.status == 401);
  CHECK(open.text.find("closeloop_tickets") == std::string::npos);
  CHECK(api.Get("fire", "/metrics").status == 403);
  CHECK(api.Get("office", "/metrics").status == 403);
  CHECK(api.Get("hotline", "/metrics").status == 403);
  Reply auditor = api.Get("auditor", "/metrics");
  CHECK(auditor.status == 200);
  CHECK(auditor.text.find("closeloop_records_processed_total") != std::string::npos);
  CHECK(api.Get("admin", "/metrics").status == 200);
}

TEST_CASE("tokens expire: an expired token is 401 with the reason; lifetimes are bounded") {
  ApiFixture api("tok-expiry");
  const std::string admin = api.token("admin");
  // The first-start token lasts the documented 30 days; an issued one 90 days by default.
  Reply mine = api.Get("admin", "/v1/admin/users/admin/tokens");
  REQUIRE(mine.status == 200);
  REQUIRE(mine.body["tokens"].size() == 1);
  const json& boot = mine.body["tokens"][0];
  CHECK(boot["label"] == "bootstrap");
  CHECK(boot["expires_at"].get<int64_t>() - boot["created_at"].get<int64_t>() == 30 * 86400000LL);
  Reply def = api.Post("admin", "/v1/admin/users/fire/tokens", {{"label", "default"}});
  REQUIRE(def.status == 201);
  CHECK(def.body["expires_at"].get<int64_t>() - def.body["created_at"].get<int64_t>() ==
        90 * 86400000LL);
  for (const json& bad : {json("0s"), json("367d"), json("soon"), json(3600)}) {
    Reply r = api.Post("admin", "/v1/admin/users/fire/tokens", {{"lifetime", bad}});
    CHECK_MESSAGE(r.status == 400, bad.dump());
    CHECK(r.body["error"]["field"] == "lifetime");
  }

  // A token that lives two seconds: good, then refused with the reason.
  Reply s =
      api.Post("admin", "/v1/admin/users/fire/tokens", {{"label", "brief"}, {"lifetime", "2s"}});
  REQUIRE(s.status == 201);
  const std::string brief = s.body["token"];
  const int64_t expires_at = s.body["expires_at"];
  CHECK(expires_at - s.body["created_at"].get<int64_t>() == 2000);
  Reply me = Raw(api, "GET", "/v1/me", brief);
  CHECK(me.status == 200);
  CHECK(me.body["token"]["expires_at"] == expires_at);
  Reply hot = api.Post("admin", "/v1/admin/users/hotline/tokens", {{"lifetime", "2s"}});
  REQUIRE(hot.status == 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  Reply late = Raw(api, "GET", "/v1/me", brief);
  CHECK(late.status == 401);
  CHECK(late.body["error"]["code"] == "token_expired");
  CHECK(late.text.find("expired at") != std::string::npos);
  CHECK(late.headers.find("WWW-Authenticate")->second.find("invalid_token") != std::string::npos);
  // Open311's api_key expires too.
  Reply o = Raw(api, "POST", "/open311/v2/requests.json", "",
                "api_key=" + hot.body["token"].get<std::string>() + "&service_code=x",
                "application/x-www-form-urlencoded");
  CHECK(o.status == 403);
  CHECK(o.text.find("expired") != std::string::npos);
  // The list says which have expired.
  Reply list = api.Get("admin", "/v1/admin/users/fire/tokens");
  int expired = 0;
  for (const auto& t : list.body["tokens"]) expired += t["expired"].get<bool>() ? 1 : 0;
  CHECK(expired == 1);
}

TEST_CASE("rotation: the holder or an administrator replaces a token; the old one stops at once") {
  ApiFixture api("tok-rotate");
  const std::string old = api.token("fire");
  Reply r = Raw(api, "POST", "/v1/me/token/rotate", old, "{}");
  REQUIRE(r.status == 201);
  const std::string fresh = r.body["token"];
  CHECK(fresh != old);
  CHECK(r.body["label"] == "test");
  CHECK(r.body["revoked"].get<std::string>().size() == 16);
  CHECK(Raw(api, "GET", "/v1/me", old).status == 401);
  CHECK(Raw(api, "GET", "/v1/me", fresh).status == 200);
  // A shorter lifetime may be asked for.
  Reply r2 = Raw(api, "POST", "/v1/me/token/rotate", fresh, R"({"lifetime": "1d"})");
  REQUIRE(r2.status == 201);
  CHECK(r2.body["expires_at"].get<int64_t>() - r2.body["created_at"].get<int64_t>() == 86400000);
  CHECK(Raw(api, "GET", "/v1/me", fresh).status == 401);
  // An administrator: issue a new one, revoke the old by its id.
  const std::string emb_old = api.token("emb");
  Reply mine = Raw(api, "GET", "/v1/me", emb_old);
  REQUIRE(mine.status == 200);
  Reply issued = api.Post("admin", "/v1/admin/users/emb/tokens", {{"label", "rotated"}});
  REQUIRE(issued.status == 201);
  REQUIRE(
      api.Call("admin", "DELETE", "/v1/admin/tokens/" + mine.body["token"]["id"].get<std::string>())
          .status == 200);
  CHECK(Raw(api, "GET", "/v1/me", emb_old).status == 401);
  CHECK(Raw(api, "GET", "/v1/me", issued.body["token"].get<std::string>()).status == 200);
}

}  // namespace
}  // namespace closeloop::testing
