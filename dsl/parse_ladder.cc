#include "dsl/parse_ladder.h"

#include "dsl/parse_expr.h"

namespace closeloop::dsl {
namespace {

bool ParseAction(Cursor* c, ast::Action* a) {
  a->offset = c->Peek().offset;
  if (c->AcceptWord("remind")) {
    a->kind = ActionKind::kRemind;
    bool list = c->Accept(Tok::kLParen);
    do {
      ast::Name r;
      if (!c->ExpectName(&r, "a role to remind")) return false;
      a->roles.push_back(r);
    } while (list && c->Accept(Tok::kComma));
    return !list || c->Expect(Tok::kRParen, "',' or ')'");
  }
  if (c->AcceptWord("notify")) {
    a->kind = ActionKind::kNotifyHead;
    return c->ExpectWord("head");
  }
  if (c->AcceptWord("mark")) {
    a->kind = ActionKind::kMarkOverdue;
    return c->ExpectWord("overdue");
  }
  if (c->AcceptWord("escalate")) {
    a->kind = ActionKind::kEscalateParent;
    return c->ExpectWord("parent");
  }
  if (c->AcceptWord("arbitration")) {
    a->kind = ActionKind::kArbitration;
    return true;
  }
  if (c->AcceptWord("lead")) {
    a->kind = ActionKind::kLeadCity;
    return c->ExpectWord("city");
  }
  if (c->AcceptWord("chain")) {
    a->kind = ActionKind::kChain;
    if (!c->ExpectName(&a->workflow, "the workflow to chain")) return false;
    if (c->Accept(Tok::kLParen)) {
      if (!ParseAssignments(c, &a->mapping)) return false;
      return c->Expect(Tok::kRParen, "',' or ')'");
    }
    return true;
  }
  return c->Fail(
      "an action (remind, notify head, mark overdue, escalate parent, arbitration, lead city, "
      "chain)");
}

}  // namespace

bool ParseExtensions(Cursor* c, ast::Workflow* wf) {
  ast::Extensions x;
  x.offset = c->Next().offset;
  if (!c->ExpectWord("at") || !c->ExpectWord("most")) return false;
  int64_t n = 0;
  uint32_t n_at = c->Peek().offset;
  if (!c->ExpectInt(&n, "the maximum number of extensions")) return false;
  if (n > 100) return c->FailAt(n_at, "E061", "at most 100 extensions may be allowed");
  x.max_count = static_cast<uint32_t>(n);
  if (c->Accept(Tok::kComma)) {
    if (!c->ExpectWord("each") || !c->ExpectWord("at") || !c->ExpectWord("most")) return false;
    ast::Duration d;
    if (!ParseDuration(c, &d)) return false;
    x.max_each = d;
  }
  if (wf->extensions) {
    return c->FailAt(x.offset, "E028", "a second 'extensions' statement in this workflow");
  }
  wf->extensions = x;
  return true;
}

bool ParseClock(Cursor* c, ast::Workflow* wf) {
  ast::Clock k;
  k.offset = c->Next().offset;
  if (!c->ExpectName(&k.name, "the clock's name")) return false;
  if (!ParseDuration(c, &k.duration)) return false;
  if (!c->ExpectWord("in")) return false;
  do {
    ast::Name n;
    if (!c->ExpectName(&n, "a state the clock runs in")) return false;
    k.states.push_back(n);
  } while (c->Accept(Tok::kComma));
  if (c->AcceptWord("paused")) {
    if (!c->ExpectWord("in")) return false;
    do {
      ast::Name n;
      if (!c->ExpectName(&n, "a state the clock is paused in")) return false;
      k.paused.push_back(n);
    } while (c->Accept(Tok::kComma));
  }
  wf->clocks.push_back(std::move(k));
  return true;
}

bool ParseStep(Cursor* c, ast::Workflow* wf) {
  c->Next();
  ast::Step s;
  if (!c->ExpectName(&s.name, "the step's name")) return false;
  if (c->AcceptWord("in")) {
    do {
      ast::Name n;
      if (!c->ExpectName(&n, "a state name")) return false;
      s.states.push_back(n);
    } while (c->Accept(Tok::kComma));
  }
  if (c->AcceptWord("when")) {
    s.trigger = StepTriggerKind::kCondition;
    s.when.emplace();
    if (!ParseExpr(c, &*s.when)) return false;
  } else if (c->AcceptWord("at")) {
    if (c->At(Tok::kInt)) {
      uint32_t at = c->Peek().offset;
      int64_t pct = c->Next().int_value;
      if (!c->Expect(Tok::kPercent, "'%'") || !c->ExpectWord("of") || !c->ExpectWord("limit")) {
        return false;
      }
      if (pct < 1 || pct > 99) {
        return c->FailAt(at, "E014", "a fraction of the limit must be between 1% and 99%");
      }
      s.trigger = StepTriggerKind::kFraction;
      s.percent = static_cast<uint32_t>(pct);
    } else {
      if (!c->ExpectWord("limit")) return false;
      s.trigger = StepTriggerKind::kAtLimit;
      if (c->Accept(Tok::kPlus)) {
        s.trigger = StepTriggerKind::kAfterLimit;
        if (!ParseDuration(c, &s.after)) return false;
      }
    }
  } else {
    return c->Fail("'at' or 'when' (the step's trigger)");
  }
  if (!c->Expect(Tok::kColon, "':' before the step's actions")) return false;
  do {
    ast::Action a;
    if (!ParseAction(c, &a)) return false;
    s.actions.push_back(std::move(a));
  } while (c->Accept(Tok::kComma));
  wf->steps.push_back(std::move(s));
  return true;
}

bool ParseSchedule(Cursor* c, ast::Workflow* wf) {
  c->Next();
  ast::Schedule s;
  if (!c->ExpectName(&s.name, "the schedule's name")) return false;
  if (!c->ExpectWord("every")) return false;
  if (c->AcceptWord("month")) {
    s.every_months = 1;
  } else if (c->AcceptWord("quarter")) {
    s.every_months = 3;
  } else {
    uint32_t at = c->Peek().offset;
    int64_t n = 0;
    if (!c->ExpectInt(&n, "'month', 'quarter' or a number of months")) return false;
    if (!c->AcceptWord("months") && !c->ExpectWord("month")) return false;
    if (n < 1 || n > 12 || 12 % n != 0) {
      return c->FailAt(at, "E017", "a schedule runs every 1, 2, 3, 4, 6 or 12 months");
    }
    s.every_months = static_cast<uint32_t>(n);
  }
  if (!c->ExpectWord("on") || !c->ExpectWord("day")) return false;
  uint32_t day_at = c->Peek().offset;
  int64_t day = 0;
  if (!c->ExpectInt(&day, "a day of the month")) return false;
  if (day < 1 || day > 28) {
    return c->FailAt(day_at, "E013", "the day of the month must be between 1 and 28");
  }
  s.day = static_cast<uint32_t>(day);
  if (!c->ExpectWord("at")) return false;
  uint32_t time_at = c->Peek().offset;
  int64_t hh = 0, mm = 0;
  if (!c->ExpectInt(&hh, "a time of day (HH:MM)") || !c->Expect(Tok::kColon, "':'") ||
      !c->ExpectInt(&mm, "minutes (HH:MM)")) {
    return false;
  }
  if (hh > 23 || mm > 59) return c->FailAt(time_at, "E012", "invalid time of day");
  s.minute_of_day = static_cast<uint32_t>(hh * 60 + mm);
  if (!c->ExpectWord("for") || !c->ExpectWord("each")) return false;
  if (!c->ExpectName(&s.table, "a reference table name")) return false;
  if (c->AcceptWord("where")) {
    s.where.emplace();
    if (!ParseExpr(c, &*s.where)) return false;
  }
  if (c->AcceptWord("set") && !ParseAssignments(c, &s.sets)) return false;
  if (!c->ExpectWord("enter")) return false;
  if (!c->ExpectName(&s.enter, "a state name")) return false;
  wf->schedules.push_back(std::move(s));
  return true;
}

}  // namespace closeloop::dsl
