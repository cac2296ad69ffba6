// Loop 4, request / service: service_request.wf.
#include <doctest/doctest.h>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

const char* kSatisfied = R"("fields": [{"key": "satisfied", "value": "yes"}])";
const char* kUnsatisfied =
    R"("note": "nobody explained the permit", "fields": [{"key": "satisfied", "value": "no"}])";

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

}  // namespace
}  // namespace closeloop::workflows
