// Contacts checked when a table is published (engine/notify_contacts.h): the World refuses a
// subscription table naming a roster person or a department head without the e-mail or
// phone its channel needs, and a roster table taking away a contact a subscription in
// effect needs; the table in effect stays. A delivery that still cannot be addressed (a
// department with no contacts entry) is written with the reason it cannot be sent.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "engine/notify_rules.h"
#include "engine/outbox.h"
#include "engine/testing/harness.h"
#include "engine/tests/duty_tables.h"

namespace closeloop::engine {
namespace {

using namespace duty_tables;
using testing::Shanghai;

json HeadMail(json match) {
  return {{"id", "head-mail"},
          {"match", match},
          {"channel", "email"},
          {"urgency", "immediate"},
          {"to", {"department_head"}},
          {"template", {{"zh", {{"subject", "工单 {ticket_id}"}, {"body", "请处理。"}}}}}};
}

std::string LastRefusal(Harness& h) {
  auto refused = Records(h, "CommandRejected");
  return refused.empty() ? "" : refused.back()["body"]["message"].get<std::string>();
}

struct City {
  Harness h;
  City() {
    h.Clock(Shanghai(2026, 3, 2, 10, 0));
    testing::LoadTestCity(h);
    h.Publish(TableRecord(kRosterTableName, 1, Rosters()));
    REQUIRE(Records(h, "CommandRejected").empty());
  }
  // A control record goes to every partition, and each refuses it.
  size_t Refusals() { return Records(h, "CommandRejected").size() / h.partitions(); }
};

TEST_CASE("a subscription naming someone without the contact its channel needs is refused") {
  City c;
  // E-mail to a roster whose people have phones only.
  json mail = PagingSubscription();
  mail["channel"] = "email";
  mail.erase("gateway");
  mail["template"]["zh"]["subject"] = "告警";
  c.h.Publish(TableRecord(kNotifyTableName, 1, json{{"subscriptions", {mail}}}));
  REQUIRE(c.Refusals() == 1);
  CHECK(LastRefusal(c.h) ==
        "notify_subscriptions v1: subscriptions[0].to[0]: 'wang' (shift 'day' of roster "
        "'env-duty') has no e-mail, which this e-mail subscription needs");

  // The head of a department the match names, without a contacts entry.
  json named = HeadMail({{"types", {"TicketOpened"}}, {"departments", {"nj.xuanwu.fire"}}});
  c.h.Publish(TableRecord(kNotifyTableName, 1, json{{"subscriptions", {named}}}));
  REQUIRE(c.Refusals() == 2);
  CHECK(LastRefusal(c.h) ==
        "notify_subscriptions v1: subscriptions[0].to[0]: contacts.nj.xuanwu.fire.head has no "
        "e-mail for department 'nj.xuanwu.fire' of match.departments, which this e-mail "
        "subscription needs");

  // Any department: each contacts entry must reach its head by e-mail.
  json any = HeadMail({{"types", {"TicketOpened"}}});
  json phone_only = {{"nj.xuanwu.fire", {{"head", {{"phone", "13800000000"}}}}}};
  c.h.Publish(
      TableRecord(kNotifyTableName, 1, json{{"subscriptions", {any}}, {"contacts", phone_only}}));
  REQUIRE(c.Refusals() == 3);
  CHECK(LastRefusal(c.h).starts_with(
      "notify_subscriptions v1: subscriptions[0].to[0]: contacts.nj.xuanwu.fire.head has no "
      "e-mail, which this e-mail subscription needs"));

  // The same contacts serve SMS; and the paging subscription's people all have phones.
  json sms = PagingSubscription();
  sms.erase("ack_within");
  sms["id"] = "head-sms";
  sms["to"] = {"department_head"};
  sms["template"]["zh"]["body"] = "工单 {ticket_id}";
  c.h.Publish(
      TableRecord(kNotifyTableName, 1,
                  json{{"subscriptions", {sms, PagingSubscription()}}, {"contacts", phone_only}}));
  CHECK(c.Refusals() == 3);
}

TEST_CASE("a roster table taking away a contact a subscription needs is refused, naming it") {
  City c;
  c.h.Publish(TableRecord(kNotifyTableName, 1, json{{"subscriptions", {PagingSubscription()}}}));
  REQUIRE(c.Refusals() == 0);
  json no_phone = Rosters();
  no_phone["rosters"][0]["people"][1].erase("phone");
  no_phone["rosters"][0]["people"][1]["email"] = "li@example.gov.cn";
  c.h.Publish(TableRecord(kRosterTableName, 2, no_phone));
  REQUIRE(c.Refusals() == 1);
  CHECK(LastRefusal(c.h) ==
        "duty_rosters v2: rosters[0].people[1].phone: 'li' is on shift 'day', and subscription "
        "'duty' sends SMS to roster 'env-duty'; give the phone or change the subscriptions "
        "first");

  // Taking li off every shift is fine: nobody pages her any more.
  json without_li = no_phone;
  without_li["rosters"][0]["shifts"][0]["order"] = {"wang"};
  without_li["rosters"][0]["shifts"][1]["order"] = {"zhao", "wang"};
  c.h.Publish(TableRecord(kRosterTableName, 2, without_li));
  CHECK(c.Refusals() == 1);
  c.h.Clock(Shanghai(2026, 3, 3, 10, 0));
  GasAlarm(c.h, "ENT-00002");
  c.h.Clock(Shanghai(2026, 3, 3, 10, 10));
  auto pages = Records(c.h, "DutyPaged");
  REQUIRE(pages.size() == 1);  // wang alone in the day shift's order now
  CHECK(pages[0]["body"]["order"] == json({"wang"}));
  CHECK(Records(c.h, "PagingExhausted").size() == 1);
}

TEST_CASE("a delivery to a department with no contacts entry carries why it cannot be sent") {
  City c;
  json contacts = {{"nj.xuanwu.fire", {{"head", {{"email", "chief@xuanwu-fire.example"}}}}}};
  c.h.Publish(TableRecord(
      kNotifyTableName, 1,
      json{{"subscriptions", {HeadMail({{"types", {"TicketOpened"}}})}}, {"contacts", contacts}}));
  REQUIRE(c.Refusals() == 0);
  GasAlarm(c.h, "ENT-00002");  // a Liuhe ticket: no contacts entry for its department
  size_t seen = 0;
  for (const auto& [k, v] : c.h.store().Snapshot()) {
    if (!outbox::IsOutboxKey(k)) continue;
    json d = json::parse(v);
    ++seen;
    CHECK(d["to"].empty());
    CHECK(d["unresolved"].get<std::string>().starts_with("no e-mail for the head of '"));
    CHECK(d["unresolved"].get<std::string>().ends_with("' in contacts"));
  }
  CHECK(seen == 1);
}

}  // namespace
}  // namespace closeloop::engine
