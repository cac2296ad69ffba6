// Notifications from a real `closeloop serve` (manual clock) to real receivers started here:
// signed webhooks counted by idempotency key across a kill -9, an escalation's e-mail and SMS
// in Chinese, retries, a dead letter replayed, and quiet hours.
#include <doctest/doctest.h>
#include <signal.h>

#include <memory>
#include <set>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/notify/notify_city.h"

namespace closeloop::testing {
namespace {

TEST_CASE("every delivery reaches the receiver once after dedup, across a kill -9 of the server") {
  // One worker, so exactly one delivery is in flight when the server is killed.
  NotifyCity city("kill", {{"timeout_ms", 20000}, {"backoff_ms", 100}, {"concurrency", 1}});
  city.Subscribe({city.Webhook("hook", {"TicketOpened", "TicketRouted"})});
  city.hook->Mode("stall");  // takes the first delivery, never answers
  for (const char* subject : {"ent-k-1", "ent-k-2", "ent-k-3"}) city.api->OpenFireTicket(subject);
  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 1; }, 10));
  // The six deliveries are committed with the tickets; one is sent but not acknowledged.
  ::kill(city.api->server.pid(), SIGKILL);
  city.api->server.Stop();
  city.hook->Mode("ok");
  Status s = city.api->server.Start(
      CLOSELOOP_BIN,
      {"serve", "--data", (city.api->dir / "data").string(), "--http", "127.0.0.1:0", "--clock",
       "manual", "--no-sync", "--notify-config", city.config},
      (city.api->dir / "server-after-kill.log").string());  // a new log: a new port
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 6; }, 15));
  json stats = city.hook->Stats();
  CHECK(stats["bad_signatures"] == 0);
  CHECK(stats["posts"] == 7);  // the unacknowledged one came twice...
  int twice = 0;
  std::multiset<std::string> types;
  for (const auto& [key, n] : stats["keys"].items()) {
    twice += n.get<int>() == 2;
    const json& body = stats["bodies"][key];
    CHECK(body["delivery_id"] == key);  // ...with the same key, which dedup folds into one
    CHECK(key == body["record"]["id"].get<std::string>() + ".hook");
    types.insert(body["record"]["body_type"].get<std::string>());
  }
  CHECK(twice == 1);
  CHECK(types.count("TicketOpened") == 3);
  CHECK(types.count("TicketRouted") == 3);
  CHECK(WaitFor([&] { return city.Metric("closeloop_notify_pending") == 0; }, 5));
}

TEST_CASE("an escalation to a unit's head arrives by e-mail and SMS in Chinese") {
  NotifyCity city("smtp", json::object(), /*with_smtp=*/true);
  json mail = {
      {"id", "head-mail"},
      {"match", {{"types", {"TicketEscalated"}}}},
      {"channel", "email"},
      {"to", {"department_head"}},
      {"template",
       {{"zh",
         {{"subject", "【督办】{department_name}：工单 {ticket_id} 已超时"},
          {"body", "{department_name}负责人：工单已超过办理时限（{deadline}），请督促办理。"}}},
        {"en", {{"subject", "Overdue: {ticket_id}"}, {"body", "Overdue."}}}}}};
  json sms = {{"id", "head-sms"},
              {"match", {{"types", {"TicketEscalated"}}}},
              {"channel", "sms"},
              {"to", {"department_head"}},
              {"gateway",
               {{"url", city.hook->url() + "/sms"},
                {"content_type", "application/json"},
                {"body", R"({{"to": "{phone}", "text": "{message}"}})"}}},
              {"template", {{"zh", {{"body", "工单 {ticket_id} 已超时，请处理。"}}}}}};
  city.Subscribe(
      {mail, sms},
      {{"nj.xuanwu.fire",
        {{"head", {{"email", "chief@xuanwu-fire.example"}, {"phone", "13800000000"}}}}}});
  std::string ticket = city.api->OpenFireTicket("ent-mail-1");
  city.api->Advance("2026-03-02T11:05");  // past the 2-hour limit: overdue, notify the head
  REQUIRE(WaitFor([&] { return city.smtp->Messages().size() == 1; }, 10));
  json m = city.smtp->Messages()[0];
  std::string name;
  const json departments = city.api->Get("admin", "/v1/departments").body["departments"];
  for (const auto& d : departments) {
    if (d["id"] == "nj.xuanwu.fire") name = d["name_zh"];
  }
  REQUIRE(!name.empty());
  CHECK(m["subject"] == "【督办】" + name + "：工单 " + ticket + " 已超时");
  CHECK(m["to"] == json({"chief@xuanwu-fire.example"}));
  CHECK(m["from"] == "closeloop@nanjing.example");
  CHECK(m["raw_headers_ascii"] == true);  // the subject went as RFC 2047 encoded words
  CHECK(m["body"].get<std::string>().find(name + "负责人") == 0);
  CHECK(m["body"].get<std::string>().find("2026-03-02 11:00:00 +08:00") != std::string::npos);

  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 1; }, 10));
  json stats = city.hook->Stats();
  auto entry = stats["bodies"].items().begin();
  CHECK(entry.key().ends_with(".head-sms:13800000000"));
  json gateway = json::parse(entry.value().get<std::string>());
  CHECK(gateway["to"] == "13800000000");
  CHECK(gateway["text"] == "工单 " + ticket + " 已超时，请处理。");
}

TEST_CASE("a receiver failing for a while gets the delivery after retries") {
  NotifyCity city("retry", {{"backoff_ms", 50}, {"max_backoff_ms", 200}});
  city.Subscribe({city.Webhook("hook", {"TicketOpened"})});
  city.hook->Mode("fail", 3);
  city.api->OpenFireTicket("ent-retry-1");
  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 1; }, 10));
  CHECK(city.hook->Stats()["posts"] == 4);
  CHECK(city.Metric("closeloop_notify_failures_total") == 3);
  CHECK(city.Metric("closeloop_notify_retries_total") == 3);
  CHECK(city.Metric("closeloop_notify_deliveries_total") == 1);
}

TEST_CASE("a receiver that never answers leaves a dead letter, replayed once it is fixed") {
  NotifyCity city("dead", {{"timeout_ms", 300}, {"max_attempts", 3}, {"backoff_ms", 50}});
  // The boundary refuses a bad table with the field at fault, and a stale version.
  json bad = city.Webhook("hook", {"TicketOpened"});
  bad["template"]["zh"]["body"] = "工单 {ticket}";
  Reply r = city.api->Call("admin", "PUT", "/v1/admin/notify/subscriptions",
                           json{{"version", 1}, {"subscriptions", {bad}}}.dump());
  CHECK(r.status == 422);
  CHECK(r.body["error"]["field"] == "subscriptions[0].template.zh.body");
  CHECK(r.body["error"]["message"].get<std::string>().find("unknown placeholder {ticket}") !=
        std::string::npos);
  city.Subscribe({city.Webhook("hook", {"TicketOpened"})});
  r = city.api->Call("admin", "PUT", "/v1/admin/notify/subscriptions",
                     json{{"version", 1}, {"subscriptions", json::array()}}.dump());
  CHECK(r.status == 409);

  city.hook->Mode("hang");
  city.api->OpenFireTicket("ent-dead-1");
  json dead;
  REQUIRE(WaitFor(
      [&] {
        dead = city.api->Get("admin", "/v1/admin/notify/dead-letters").body["dead_letters"];
        return dead.size() == 1;
      },
      15));
  CHECK(dead[0]["attempts"] == 3);
  CHECK(dead[0]["last_error"].get<std::string>().find("timed out") != std::string::npos);
  CHECK(WaitFor([&] { return city.Metric("closeloop_notify_dead_letters") == 1; }, 5));
  CHECK(Keys(*city.hook) == 0);

  city.hook->Mode("ok");
  std::string id = dead[0]["id"];
  r = city.api->Post("admin", "/v1/admin/notify/dead-letters/" + id + "/replay", json::object());
  CHECK(r.status == 200);
  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 1; }, 10));
  CHECK(city.hook->Stats()["keys"].contains(id));
  CHECK(city.api->Get("admin", "/v1/admin/notify/dead-letters").body["dead_letters"].empty());
  r = city.api->Post("admin", "/v1/admin/notify/dead-letters/" + id + "/replay", json::object());
  CHECK(r.status == 404);
}

TEST_CASE("at night a critical alarm goes at once while a routine reminder waits for morning") {
  NotifyCity city("night", json::object());
  city.api->AddUser({{"name", "iot"},
                     {"role", "publisher"},
                     {"agency", "iot-platform"},
                     {"event_types", {"SensorAlarm"}}});
  city.Subscribe({city.Webhook("all", {"TicketOpened", "TicketReminded"}, "routine")});
  city.api->Advance("2026-03-02T23:00");  // Monday night
  std::string routine = city.api->OpenFireTicket("ent-night-1");
  city.api->Advance("2026-03-03T00:40");  // its reminder (80% of 2 hours) is due
  PublishAlarm(city, 1772469600000);      // 2026-03-03 00:40 Shanghai
  REQUIRE(WaitFor([&] { return Keys(*city.hook) == 1; }, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  json stats = city.hook->Stats();
  REQUIRE(stats["keys"].size() == 1);
  json first = stats["bodies"].items().begin().value();
  CHECK(first["record"]["body_type"] == "TicketOpened");
  CHECK(first["record"]["body"]["severity"] == "major");
  CHECK(city.Metric("closeloop_notify_pending") == 2);  // the routine ticket's opening, reminder
  const json waiting = city.api->Get("admin", "/v1/admin/notify/outbox").body["deliveries"];
  REQUIRE(waiting.size() == 2);
  for (const auto& d : waiting) {
    CHECK(d["ticket_id"] == routine);
    CHECK(d["urgent"] == false);
    CHECK(d["not_before"] == 1772499600000);  // Tuesday 2026-03-03 09:00 Shanghai
    CHECK(d["attempts"] == 0);
  }

  city.api->Advance("2026-03-03T09:00");  // Tuesday's opening
  std::set<std::string> routine_types;
  REQUIRE(WaitFor(
      [&] {
        routine_types.clear();
        const json bodies = city.hook->Stats()["bodies"];
        for (const auto& [key, body] : bodies.items()) {
          if (body["record"]["body"]["ticket_id"] == routine) {
            routine_types.insert(body["record"]["body_type"].get<std::string>());
          }
        }
        return routine_types.size() == 2;
      },
      10));
  CHECK(routine_types == std::set<std::string>{"TicketOpened", "TicketReminded"});
}

}  // namespace
}  // namespace closeloop::testing
