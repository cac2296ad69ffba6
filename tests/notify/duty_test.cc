// Duty paging from a real `closeloop serve` (manual clock) to a real SMS gateway (the test's
// receiver, tests/notify/receiver.py at /sms): a night alarm pages the person on duty of the
// night shift that began before midnight; unanswered after ack_within, the next person; the
// link in the message (or the recipient's own sign-in) acknowledges and the chain stops.
// Then the log is replayed and reprocessed offline: the same records, the same state digest.
#include <doctest/doctest.h>

#include <regex>
#include <thread>

#include "engine/testing/duty_roster_fixture.h"
#include "tests/notify/notify_city.h"
#include "tests/support/child_process.h"

namespace closeloop::testing {
namespace {

const char* kAckKey = "the-key-that-signs-ack-links";

json Rosters(int version) {
  json rosters = engine::testing::DutyRosters();
  rosters["version"] = version;
  return rosters;
}

json Paging(const std::string& gateway) {
  return engine::testing::DutyPagingSubscription(gateway,
                                                 "重大告警 {ticket_id}，请确认：{ack_url}");
}

// The SMS texts the gateway received, by phone, in the order of their first arrival.
std::vector<std::pair<std::string, std::string>> Texts(const Receiver& r) {
  std::vector<std::pair<std::string, std::string>> out;
  const json stats = r.Stats();  // held: items() refers into it
  for (const auto& [key, body] : stats["bodies"].items()) {
    json sms = json::parse(body.get<std::string>());
    out.emplace_back(sms["to"].get<std::string>(), sms["text"].get<std::string>());
  }
  return out;
}

std::string TextTo(const Receiver& r, const std::string& phone) {
  for (const auto& [to, text] : Texts(r)) {
    if (to == phone) return text;
  }
  return "";
}

TEST_CASE(
    "a night alarm pages the night shift across midnight, the next person after 10 minutes, "
    "and an acknowledgement stops the chain, which replay decides the same") {
  NotifyCity city("duty",
                  {{"ack", {{"base_url", "https://closeloop.example"}, {"secret", kAckKey}}}});
  city.api->AddUser({{"name", "iot"},
                     {"role", "publisher"},
                     {"agency", "iot-platform"},
                     {"event_types", {"SensorAlarm"}}});
  city.api->AddUser({{"name", "duty-wang"}, {"role", "staff"}, {"department", "nj.liuhe.emb"}});
  city.api->AddUser({{"name", "duty-zhao"}, {"role", "staff"}, {"department", "nj.liuhe.emb"}});

  // The boundary: a subscription naming a roster not in effect, a roster with a gap, a stale
  // version; each refused with its field, nothing published.
  Reply r =
      city.api->Call("admin", "PUT", "/v1/admin/notify/subscriptions",
                     json{{"version", 1}, {"subscriptions", {Paging(city.hook->url())}}}.dump());
  CHECK(r.status == 422);
  CHECK(r.body["error"]["code"] == "refused");
  CHECK(r.body["error"]["message"].get<std::string>().find(
            "names roster 'env-duty', which the duty_rosters in effect do not hold") !=
        std::string::npos);
  CHECK(r.body["error"]["field"] == "subscriptions[0].to[0]");
  json gap = Rosters(1);
  gap["rosters"][0]["shifts"][1]["to"] = "07:30";
  r = city.api->Call("admin", "PUT", "/v1/admin/notify/rosters", gap.dump());
  CHECK(r.status == 422);
  CHECK(r.body["error"]["field"] == "rosters[0].shifts");
  CHECK(r.body["error"]["message"].get<std::string>().starts_with(
      "rosters[0].shifts: no shift covers Monday 07:30"));
  r = city.api->Call("admin", "PUT", "/v1/admin/notify/rosters", Rosters(1).dump());
  REQUIRE_MESSAGE(r.status == 201, r.text);
  REQUIRE(WaitFor(
      [&] {
        return city.api->Get("admin", "/v1/admin/notify/rosters").body.value("version", 0) == 1;
      },
      10));
  r = city.api->Call("admin", "PUT", "/v1/admin/notify/rosters", Rosters(1).dump());
  CHECK(r.status == 409);
  CHECK(r.body["error"]["field"] == "version");
  city.Subscribe({Paging(city.hook->url() + "/sms")});
  // A roster table that leaves a paged person without a phone: refused, naming the field.
  json no_phone = Rosters(2);
  no_phone["rosters"][0]["people"][1].erase("phone");
  no_phone["rosters"][0]["people"][1]["email"] = "li@example.gov.cn";
  r = city.api->Call("admin", "PUT", "/v1/admin/notify/rosters", no_phone.dump());
  CHECK(r.status == 422);
  CHECK(r.body["error"]["code"] == "refused");
  CHECK(r.body["error"]["field"] == "rosters[0].people[1].phone");
  CHECK(r.body["error"]["message"].get<std::string>().starts_with(
      "rosters[0].people[1].phone: 'li' is on shift 'day', and subscription 'duty' sends SMS"));
  CHECK(city.api->Get("admin", "/v1/admin/notify/rosters").body["version"] == 1);

  city.api->Advance("2026-03-02T23:00");  // Monday night
  city.api->Advance("2026-03-03T00:40");  // past midnight: still Monday's night shift
  PublishAlarm(city, 1772469600000);      // 2026-03-03 00:40 Shanghai
  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 1; }, 10));
  std::string to_zhao = TextTo(*city.hook, "13900000003");  // the night shift's first
  REQUIRE_MESSAGE(!to_zhao.empty(), city.hook->Stats().dump());
  std::smatch m;
  const std::regex link(
      R"(https://closeloop\.example(/v1/notify/deliveries/([A-Za-z0-9._-]+)/ack)\?token=([0-9a-f]{64}))");
  REQUIRE_MESSAGE(std::regex_search(to_zhao, m, link), to_zhao);
  const std::string zhao_path = m[1], zhao_delivery = m[2], zhao_token = m[3];
  CHECK(to_zhao.starts_with("重大告警 "));

  // Nobody answers for 9 minutes: nothing more; at 10, the next of the order.
  city.api->Advance("2026-03-03T00:49");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(Keys(*city.hook) == 1);
  city.api->Advance("2026-03-03T00:50");
  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 2; }, 10));
  std::string to_wang = TextTo(*city.hook, "13900000001");
  REQUIRE_MESSAGE(std::regex_search(to_wang, m, link), to_wang);
  const std::string wang_path = m[1], wang_token = m[3];
  CHECK(wang_path != zhao_path);

  // Who may acknowledge: not a forged token, not another person's user.
  r = city.api->Post("", wang_path + "?token=" + zhao_token, json::object());
  CHECK(r.status == 401);
  CHECK(r.body["error"]["field"] == "token");
  r = city.api->Post("duty-zhao", wang_path, json::object());
  CHECK(r.status == 403);
  // The link's form (what a phone opens) changes nothing by itself.
  r = city.api->Get("", wang_path + "?token=" + wang_token);
  CHECK(r.status == 200);
  CHECK(r.text.find("<form method=post") != std::string::npos);

  city.api->Advance("2026-03-03T00:53");
  r = city.api->Post("duty-wang", wang_path, json::object());  // wang signs in and answers
  REQUIRE_MESSAGE(r.status == 200, r.text);
  CHECK(r.body["status"] == "acknowledged");
  CHECK(r.body["acknowledged_by"] == "wang");
  r = city.api->Post("", zhao_path + "?token=" + zhao_token, json::object());
  CHECK(r.status == 409);  // the chain was acknowledged already

  city.api->Advance("2026-03-03T02:00");  // long past every deadline: li is never paged
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(Keys(*city.hook) == 2);
  CHECK(TextTo(*city.hook, "13900000002").empty());
  CHECK(city.hook->Stats()["posts"] == 2);

  // Offline, from the log: the live digest, a rebuild's and a reprocess's (which re-decides
  // every page and compares it with the recorded one) are the same.
  city.api->server.Stop();
  const std::string data = (city.api->dir / "data").string();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), CLOSELOOP_BIN);
    auto child = RunChild(args, (city.dir / "cli.err").string(), std::nullopt);
    REQUIRE(child.ok());
    CHECK_MESSAGE(child->exit_code == 0, child->out);
    size_t at = child->out.find("digest ");
    REQUIRE(at != std::string::npos);
    return child->out.substr(at + 7, 64);
  };
  const std::string live = run({"digest", "--data", data});
  CHECK(run({"replay", "--data", data, "--into", (city.dir / "rebuilt").string()}) == live);
  CHECK(run({"replay", "--data", data, "--into", (city.dir / "reprocessed").string(),
             "--reprocess"}) == live);
  std::string dump;
  {
    auto child = RunChild({CLOSELOOP_BIN, "log", "dump", "--data", data},
                          (city.dir / "cli.err").string(), std::nullopt);
    REQUIRE(child.ok());
    dump = child->out;
  }
  CHECK(dump.find("DutyPaged") != std::string::npos);
  CHECK(dump.find("PageAcknowledged") != std::string::npos);
  CHECK(dump.find("PagingExhausted") == std::string::npos);

  // The server again on the same log: nothing is paged or sent again.
  Status s = city.api->server.Start(CLOSELOOP_BIN,
                                    {"serve", "--data", data, "--http", "127.0.0.1:0", "--clock",
                                     "manual", "--no-sync", "--notify-config", city.config},
                                    (city.api->dir / "server-again.log").string());
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  city.api->Advance("2026-03-03T02:05");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK_MESSAGE(city.hook->Stats()["posts"] == 2, city.hook->Stats().dump());
}

}  // namespace
}  // namespace closeloop::testing
