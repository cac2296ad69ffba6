// Loop 4, request / service: service_request.wf.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

const char* kSatisfied = R"("fields": [{"key": "satisfaction", "value": "satisfied"}])";
const char* kBasically = R"("fields": [{"key": "satisfaction", "value": "basically_satisfied"}])";
const char* kUnsatisfied =
    R"("note": "nobody explained the permit", "fields": [{"key": "satisfaction", "value": "unsatisfied"}])";

TEST_CASE("a 12345 request answered late and rated unsatisfied is reopened") {
  City c(Shanghai(2026, 3, 2, 9));
  c.ServiceRequest("CITIZEN-8812", "xuanwu.meiyuan", "consultation", "12345-20260302-0031");
  Ticket req = c.Only("service_request");
  CHECK(req.lead == "nj.xuanwu.emb");
  c.Act(req, "accept", "staff", "nj.xuanwu.emb");
  req = c.Get(req.id);
  CHECK(req.deadline_at == Shanghai(2026, 3, 11, 17));  // 7 working days
  c.AdvanceTo(Shanghai(2026, 3, 13, 10), 4 * 3600 * 1000);
  CHECK(c.Get(req.id).overdue);  // answered late
  c.Act(req.id, "resolve", "staff", "nj.xuanwu.emb", R"("note": "answered by phone")");
  CHECK(c.Get(req.id).state == "callback_due");
  c.Act(req.id, "callback", "hotline", "nj.12345", kUnsatisfied);
  req = c.Get(req.id);
  CHECK(req.state == "handling");
  CHECK(req.reopens == 1);
  CHECK(!req.closed);
  CHECK(req.deadline_at == Shanghai(2026, 3, 24, 17));  // a fresh 7 working days
  CHECK(c.RecordsAbout("TicketReopened", req.id).size() == 1);
  c.Act(req.id, "resolve", "staff", "nj.xuanwu.emb", R"("note": "visited, permit explained")");
  c.Act(req.id, "callback", "hotline", "nj.12345", kSatisfied);
  req = c.Get(req.id);
  CHECK(req.closed);
  CHECK(req.outcome == "satisfied");
  CHECK(req.Fact("callbacks").as_int() == 2);
}

TEST_CASE("a complex request is promised 15 working days, a simple one 7") {
  City c(Shanghai(2026, 3, 2, 9));
  c.ServiceRequest("ENT-00002", "liuhe.changlu.g09", "training", "OS-1");
  Ticket req = c.Only("service_request");
  c.Act(req, "accept", "staff", "nj.liuhe.emb");
  CHECK(c.Get(req.id).deadline_at == Shanghai(2026, 3, 23, 17));
}

TEST_CASE(
    "an order that comes with its own due date keeps it, and a reopened one gets the standard "
    "time") {
  City c(Shanghai(2026, 3, 2, 9));
  // The city's dispatch system set this order due on Friday noon, earlier than 7 working days.
  const int64_t due = Shanghai(2026, 3, 6, 12);
  c.h.Publish(
      R"({"source": "hotline-12345","subject": "CITIZEN-77","jurisdiction": "xuanwu.meiyuan",)"
      R"("occurred_at": )" +
      std::to_string(c.h.now()) +
      R"(,"body_type": "ServiceRequest","body": {"service_code": "consultation",)"
      R"("channel": "hotline_12345","external_id": "12345-77","due_at": )" +
      std::to_string(due) + "}}");
  Ticket req = c.Only("service_request");
  CHECK(req.deadline_at == due);
  c.AdvanceTo(Shanghai(2026, 3, 6, 13), 3600 * 1000);
  CHECK(c.Get(req.id).overdue);  // past the city's own due date, though within 7 working days
  c.Act(req.id, "resolve", "staff", "nj.xuanwu.emb", R"("note": "answered")");
  c.Act(req.id, "callback", "hotline", "nj.12345", kUnsatisfied);
  req = c.Get(req.id);
  CHECK(req.state == "handling");
  CHECK(req.deadline_at == Shanghai(2026, 3, 17, 17));  // reopened Friday 13:00: 7 working days
}

TEST_CASE("a callback nobody answers closes the request after five working days") {
  City c(Shanghai(2026, 3, 2, 9));
  c.ServiceRequest("CITIZEN-1", "xuanwu.meiyuan", "risk_reminder", "12345-1");
  Ticket req = c.Only("service_request");
  c.Act(req, "accept", "staff", "nj.xuanwu.emb");
  c.Act(req.id, "resolve", "staff", "nj.xuanwu.emb");
  c.AdvanceTo(Shanghai(2026, 3, 10, 9), 4 * 3600 * 1000);
  req = c.Get(req.id);
  CHECK(req.closed);
  CHECK(req.outcome == "no_callback_answer");
}

TEST_CASE("a request reopened three times goes to the discipline inspectors") {
  City c(Shanghai(2026, 3, 2, 9));
  c.ServiceRequest("CITIZEN-2", "xuanwu.meiyuan", "consultation", "12345-2");
  Ticket req = c.Only("service_request");
  c.Act(req, "accept", "staff", "nj.xuanwu.emb");
  for (int i = 0; i < 3; ++i) {
    c.Act(req.id, "resolve", "staff", "nj.xuanwu.emb");
    c.Act(req.id, "callback", "hotline", "nj.12345", kUnsatisfied);
  }
  Ticket o = c.Only("oversight_case");
  CHECK(o.parent_id == req.id);
  CHECK(o.lead == "nj.xuanwu.jw");
  CHECK(o.Fact("origin_lead").as_string() == "nj.xuanwu.emb");
}

TEST_CASE(
    "the reply is due 7 working days after the order reaches the unit, however late it signs "
    "for it, and signing late is told to the head") {
  City c(Shanghai(2026, 3, 2, 9));
  c.ServiceRequest("CITIZEN-3", "xuanwu.meiyuan", "consultation", "12345-3");
  Ticket req = c.Only("service_request");
  CHECK(req.state == "handling");
  CHECK(req.deadline_at == Shanghai(2026, 3, 11, 17));
  c.AdvanceTo(Shanghai(2026, 3, 4, 10), 3600 * 1000);
  auto escalated = c.RecordsAbout("TicketEscalated", req.id);
  REQUIRE(escalated.size() == 1);
  CHECK(BodyField(escalated[0], "rule") == "not_signed");
  CHECK(BodyField(escalated[0], "action") == "notify_head");
  c.Act(req, "sign_for", "staff", "nj.xuanwu.emb");
  req = c.Get(req.id);
  CHECK(req.Fact("accepted").as_bool());
  CHECK(req.deadline_at == Shanghai(2026, 3, 11, 17));  // signing does not restart the clock
}

TEST_CASE(
    "a unit returns an order to the 12345 dispatch centre, never to another unit; the centre "
    "re-dispatches it or rejects the return while the reply clock runs on, and an order "
    "returned three times goes to the safety-committee office") {
  City c(Shanghai(2026, 3, 2, 9));
  c.ServiceRequest("CITIZEN-4", "xuanwu.meiyuan", "consultation", "12345-4");
  Ticket req = c.Only("service_request");
  const int64_t due = req.deadline_at;
  c.Act(req, "return_to_centre", "staff", "nj.xuanwu.emb",
        R"("reason": "a gas pipe in a residential block: urban management's")");
  req = c.Get(req.id);
  CHECK(req.Fact("returned").as_bool());
  CHECK(req.lead == "nj.xuanwu.emb");  // with the centre to decide, not pushed to another unit
  std::string early = c.Act(req.id, "resolve", "staff", "nj.xuanwu.emb");
  CHECK(!c.h.RejectionOf(early).empty());  // it cannot be answered while returned
  std::string unit = c.Act(req.id, "transfer", "staff", "nj.xuanwu.emb",
                           R"("to_department": "nj.xuanwu.cgj", "reason": "x")");
  CHECK(Contains(c.h.RejectionOf(unit), "needs role hotline"));
  c.Act(req.id, "transfer", "hotline", "nj.12345",
        R"("to_department": "nj.xuanwu.cgj", "reason": "town gas: urban management")");
  req = c.Get(req.id);
  CHECK(req.lead == "nj.xuanwu.cgj");
  CHECK(!req.Fact("returned").as_bool());
  CHECK(req.deadline_at == due);  // the clock ran on

  c.Act(req, "return_to_centre", "staff", "nj.xuanwu.cgj", R"("reason": "private pipe")");
  c.Act(req.id, "reject_return", "hotline", "nj.12345",
        R"("reason": "the pipe is before the meter: the gas company's, which you supervise")");
  req = c.Get(req.id);
  CHECK(req.lead == "nj.xuanwu.cgj");
  CHECK(c.RecordsAbout("TicketEscalated", req.id).empty());
  c.Act(req, "return_to_centre", "staff", "nj.xuanwu.cgj", R"("reason": "still not ours")");
  auto escalated = c.RecordsAbout("TicketEscalated", req.id);
  REQUIRE(escalated.size() == 1);
  CHECK(BodyField(escalated[0], "action") == "arbitration");
  CHECK(c.Get(req.id).Fact("returns_to_centre").as_int() == 3);
}

TEST_CASE("the callback records one of three levels: basically satisfied closes the request") {
  City c(Shanghai(2026, 3, 2, 9));
  c.ServiceRequest("CITIZEN-5", "xuanwu.meiyuan", "consultation", "12345-5");
  Ticket req = c.Only("service_request");
  c.Act(req, "resolve", "staff", "nj.xuanwu.emb", R"("note": "answered by phone")");
  std::string yes = c.Act(req.id, "callback", "hotline", "nj.12345",
                          R"("fields": [{"key": "satisfaction", "value": "yes"}])");
  CHECK(Contains(c.h.RejectionOf(yes), "satisfaction: one of satisfied"));
  c.Act(req.id, "callback", "hotline", "nj.12345", kBasically);
  req = c.Get(req.id);
  CHECK(req.closed);
  CHECK(req.outcome == "basically_satisfied");
  CHECK(req.Fact("satisfaction").as_string() == "basically_satisfied");
  CHECK(req.Fact("callbacks").as_int() == 1);
}

}  // namespace
}  // namespace closeloop::workflows
