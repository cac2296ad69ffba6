// Subscriptions as data and the outbox the processor writes from them: validation with the
// field at fault, deterministic delivery ids, quiet hours from the recipient's calendar, and
// replay that writes nothing to send.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "engine/keys.h"
#include "engine/notify_rules.h"
#include "engine/outbox.h"
#include "engine/queries.h"
#include "engine/testing/harness.h"

namespace closeloop::engine {
namespace {

using nlohmann::json;
using testing::Harness;
using testing::Shanghai;

json Table(json subscriptions, json contacts = json::object()) {
  return {{"subscriptions", std::move(subscriptions)}, {"contacts", std::move(contacts)}};
}

json Webhook(const std::string& id, json types) {
  return {{"id", id},
          {"match", {{"types", std::move(types)}}},
          {"channel", "webhook"},
          {"url", "http://127.0.0.1:9/hook"},
          {"secret", "provincial"},
          {"template", {{"zh", {{"subject", "{record_type}"}, {"body", "工单 {ticket_id}"}}}}}};
}

std::string Publish(Harness& h, const json& table, int version) {
  json rec = {{"source", "test-admin"},
              {"body_type", "ReferenceDataUpdated"},
              {"body",
               {{"table_name", "notify_subscriptions"},
                {"version", version},
                {"content_json", table.dump()}}}};
  return h.Publish(rec.dump());
}

std::vector<json> Outbox(Harness& h) {
  std::vector<json> out;
  for (uint32_t p = 0; p < h.partitions(); ++p) {
    REQUIRE(outbox::ForEachPending(h.store(), p, [&](std::string_view, std::string_view v) {
              out.push_back(json::parse(v));
              return true;
            }).ok());
  }
  return out;
}

std::string Report(Harness& h, const std::string& severity) {
  return h.Publish(R"({"source": "hotline-12345","subject": "ENT-00002",)"
                   R"("jurisdiction": "liuhe.getang.g02","occurred_at": )" +
                   std::to_string(h.now()) +
                   R"(,"body_type": "HazardReport","body": {"category": "hazardous_chemicals",)"
                   R"("severity": ")" +
                   severity + R"("}})");
}

TEST_CASE("a template with an unknown placeholder is refused with its field and column") {
  json t = Table({Webhook("hook", {"TicketRouted"})});
  t["subscriptions"][0]["template"]["zh"]["body"] = "工单 {ticket_id} 由 {departmnet_name}";
  auto parsed = NotifyTable::Parse(t.dump(), 1);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().starts_with(
      "subscriptions[0].template.zh.body: unknown placeholder {departmnet_name} at column"));
}

TEST_CASE("a table is refused for an unknown field, a non-engine type or a missing language") {
  json t = Table({Webhook("hook", {"HazardReport"})});
  CHECK(NotifyTable::Parse(t.dump(), 1)
            .status()
            .message()
            .starts_with(
                "subscriptions[0].match.types: 'HazardReport' is not an engine record type"));
  t = Table({Webhook("hook", {"TicketRouted"})});
  t["subscriptions"][0]["colour"] = "red";
  CHECK(NotifyTable::Parse(t.dump(), 1).status().message() ==
        "subscriptions[0].colour: unknown field");
  t = Table({Webhook("hook", {"TicketRouted"})});
  t["subscriptions"][0]["language"] = "en";
  CHECK(NotifyTable::Parse(t.dump(), 1)
            .status()
            .message()
            .starts_with("subscriptions[0].template.en: required"));
  t = Table({Webhook("hook", {"TicketRouted"})});
  t["subscriptions"][0]["template"]["zh"]["subject"] = "{{literal}} and a lone }";
  CHECK(NotifyTable::Parse(t.dump(), 1)
            .status()
            .message()
            .starts_with("subscriptions[0].template.zh.subject: a lone '}' at column 24"));
}

TEST_CASE("templates render placeholders and literal braces") {
  auto t = NotifyTemplate::Parse("{{x}} {ticket_id}: {department_name}");
  REQUIRE(t.ok());
  CHECK(t->Render({{"ticket_id", "T1"}, {"department_name", "六合区应急管理局"}}) ==
        "{x} T1: 六合区应急管理局");
}

TEST_CASE("each matching record gets one delivery, its id derived from record and subscription") {
  Harness h;
  h.Clock(Shanghai(2026, 3, 2, 10));
  testing::LoadTestCity(h);
  Publish(h, Table({Webhook("routed", {"TicketRouted"}), Webhook("opened", {"TicketOpened"})}), 1);
  Report(h, "general");
  auto out = Outbox(h);
  REQUIRE(out.size() == 2);
  auto routed = h.RecordsOfType("TicketRouted");
  REQUIRE(routed.size() == 1);
  std::string routed_id = json::parse(routed[0])["id"];
  bool found = false;
  for (const auto& d : out) {
    if (d["subscription"] != "routed") continue;
    found = true;
    CHECK(d["id"] == outbox::DeliveryId(routed_id, "routed"));
    CHECK(d["record"]["body_type"] == "TicketRouted");
    CHECK_FALSE(d["record"].contains("prev_hash"));
    CHECK(d["not_before"] == 0);  // Monday 10:00 is working time
    CHECK(d["body"].get<std::string>().starts_with("工单 "));
  }
  CHECK(found);
}

TEST_CASE("a routine message at night waits for working hours, a major one goes at once") {
  Harness h;
  h.Clock(Shanghai(2026, 3, 2, 23));  // Monday night
  testing::LoadTestCity(h);
  json mail = {{"id", "mail"},
               {"match", {{"types", {"TicketRouted"}}}},
               {"channel", "email"},
               {"to", {"department_head", {{"address", "duty@example.org"}}}},
               {"template", {{"zh", {{"subject", "新工单 {ticket_id}"}, {"body", "{title}"}}}}}};
  Publish(h, Table({mail}, {{"nj.liuhe.emb", {{"head", {{"email", "head@example.org"}}}}}}), 1);
  Report(h, "general");
  Report(h, "major");
  auto out = Outbox(h);
  REQUIRE(out.size() == 2);
  int routine = 0, urgent = 0;
  for (const auto& d : out) {
    CHECK(d["to"] == json({"head@example.org", "duty@example.org"}));
    if (d["urgent"].get<bool>()) {
      ++urgent;
      CHECK(d["not_before"] == 0);
    } else {
      ++routine;
      CHECK(d["not_before"] == Shanghai(2026, 3, 3, 9));  // Tuesday's opening
    }
  }
  CHECK(routine == 1);
  CHECK(urgent == 1);
}

TEST_CASE("replay and reprocess write no deliveries, and the digest leaves the outbox out") {
  Harness h;
  h.Clock(Shanghai(2026, 3, 2, 10));
  testing::LoadTestCity(h);
  Publish(h, Table({Webhook("routed", {"TicketRouted"})}), 1);
  Report(h, "general");
  REQUIRE(Outbox(h).size() == 1);
  auto live = StateDigest(h.store());
  REQUIRE(live.ok());
  for (Mode mode : {Mode::kRebuild, Mode::kReprocess}) {
    testing::MemoryStore fresh(h.partitions(), "replay");
    for (uint32_t p = 0; p < h.partitions(); ++p) {
      Processor proc(p, h.store().log(), fresh, {.mode = mode});
      REQUIRE(proc.Open().ok());
      REQUIRE(proc.ProcessAvailable().ok());
      CHECK(proc.stats().mismatches == 0);
    }
    size_t deliveries = 0;
    for (uint32_t p = 0; p < h.partitions(); ++p) {
      REQUIRE(outbox::ForEachPending(fresh, p, [&](std::string_view, std::string_view) {
                ++deliveries;
                return true;
              }).ok());
    }
    CHECK(deliveries == 0);
    CHECK(*StateDigest(fresh) == *live);
  }
}

TEST_CASE("a bad table on the log is refused by the engine and the previous one stays") {
  Harness h;
  h.Clock(Shanghai(2026, 3, 2, 10));
  testing::LoadTestCity(h);
  Publish(h, Table({Webhook("routed", {"TicketRouted"})}), 1);
  json bad = Table({Webhook("routed", {"TicketRouted"})});
  bad["subscriptions"][0]["template"]["zh"]["body"] = "{nope}";
  Publish(h, bad, 2);
  auto rejected = h.RecordsOfType("CommandRejected");
  REQUIRE(rejected.size() >= 1);
  CHECK(rejected.back().find("unknown placeholder {nope}") != std::string::npos);
  Report(h, "general");
  CHECK(Outbox(h).size() == 1);
}

}  // namespace
}  // namespace closeloop::engine
