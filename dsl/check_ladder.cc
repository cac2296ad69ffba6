// WorkflowChecker, part 3: the extension policy, the escalation ladder and schedules.
#include <algorithm>
#include <map>
#include <set>

#include "dsl/workflow_checker.h"

namespace closeloop::dsl {
namespace {

std::string Clip(const std::string& s) { return s.size() > 40 ? s.substr(0, 40) + "..." : s; }

}  // namespace

void WorkflowChecker::Extensions(Workflow* out) {
  if (!tree_->extensions) return;
  const ast::Extensions& x = *tree_->extensions;
  out->extensions.max_count = x.max_count;
  if (x.max_each) {
    exprs_.ResolveDuration(*x.max_each, DurationRules{}, &out->extensions.max_each);
  } else if (x.max_count > 0) {
    ctx_.diags->Error(x.offset, "E061",
                      "say how long each extension may be: 'extensions at most N, each at most "
                      "DURATION'");
  }
}

// E084 covers every rule of a clock's shape (program.h: Clock).
void WorkflowChecker::Clocks(Workflow* out) {
  std::map<std::string, std::string> owner;  // state -> clock
  std::set<std::string> names;
  for (const ast::Clock& k : tree_->clocks) {
    Clock clock;
    clock.name = k.name.text;
    clock.offset = k.offset;
    bool ok = names.insert(k.name.text).second;
    if (!ok) {
      ctx_.diags->Error(k.name.offset, "E084",
                        "clock '" + Clip(k.name.text) + "' is declared twice");
    }
    DurationRules rules;
    rules.calendar_only = true;
    ok = exprs_.ResolveDuration(k.duration, rules, &clock.duration) && ok;
    for (const ast::Name& n : k.states) {
      if (!StateName(n)) {
        ok = false;
        continue;
      }
      const ast::State* st = states_.at(n.text);
      if (st->terminal) {
        ctx_.diags->Error(n.offset, "E084",
                          "clock '" + Clip(k.name.text) + "' cannot run in terminal state '" +
                              Clip(n.text) + "'");
        ok = false;
      } else if (!st->limits.empty()) {
        ctx_.diags->Error(
            n.offset, "E084",
            "state '" + Clip(n.text) +
                "' has its own limit; a clock's states take "
                "the clock's deadline (remove the limit or the state from the clock)");
        ok = false;
      } else if (!owner.emplace(n.text, k.name.text).second) {
        ctx_.diags->Error(
            n.offset, "E084",
            "state '" + Clip(n.text) + "' is already in clock '" + Clip(owner[n.text]) + "'");
        ok = false;
      } else if (clock.Covers(n.text)) {
        ok = false;  // listed twice: already reported as in this clock
      } else {
        clock.states.push_back(n.text);
      }
    }
    for (const ast::Name& n : k.paused) {
      if (!StateName(n)) {
        ok = false;
      } else if (!clock.Covers(n.text)) {
        ctx_.diags->Error(n.offset, "E084",
                          "clock '" + Clip(k.name.text) + "' is paused in '" + Clip(n.text) +
                              "', which is not one of its states (list it after 'in' too)");
        ok = false;
      } else if (!clock.Pauses(n.text)) {
        clock.paused.push_back(n.text);
      }
    }
    if (clock.paused.size() == clock.states.size() && !clock.states.empty()) {
      ctx_.diags->Error(k.offset, "E084",
                        "clock '" + Clip(k.name.text) + "' is paused in every one of its states");
      ok = false;
    }
    if (!ok) continue;
    for (const StartRule& r : out->starts) {
      if (clock.Pauses(r.initial_state)) {
        ctx_.diags->Error(r.offset, "E084",
                          "a ticket cannot start in '" + r.initial_state + "', where clock '" +
                              clock.name + "' is paused");
      }
    }
    out->clocks.push_back(std::move(clock));
  }
}

void WorkflowChecker::Steps(Workflow* out, WorkflowSpots* spots) {
  std::set<std::string> names;
  std::set<std::string> chains;
  for (const ast::Step& s : tree_->steps) {
    if (!names.insert(s.name.text).second) {
      ctx_.diags->Error(s.name.offset, "E026",
                        "escalation step '" + Clip(s.name.text) + "' is declared twice");
      continue;
    }
    EscalationStep step;
    step.name = s.name.text;
    step.trigger = s.trigger;
    step.percent = s.percent;
    step.offset = s.name.offset;
    bool ok = true;
    for (const ast::Name& st : s.states) {
      if (StateName(st))
        step.states.push_back(st.text);
      else
        ok = false;
    }
    Scope scope;
    scope.where = "in an escalation step (it watches the ticket, not an event)";
    if (s.trigger == StepTriggerKind::kAfterLimit) {
      ok = exprs_.ResolveDuration(s.after, DurationRules{}, &step.after) && ok;
    }
    if (s.when) {
      step.condition.emplace();
      ok = exprs_.Condition(*s.when, scope, &*step.condition) && ok;
    }
    for (const ast::Action& a : s.actions) {
      Action action;
      action.kind = a.kind;
      for (const ast::Name& r : a.roles) {
        if (RoleName(r))
          action.roles.push_back(r.text);
        else
          ok = false;
      }
      if (a.kind == ActionKind::kChain) {
        action.workflow = a.workflow.text;
        auto target = index_->find(a.workflow.text);
        bool external = external_workflows_.count(a.workflow.text) != 0;
        if (target == index_->end() && !external) {
          ctx_.diags->Error(a.workflow.offset, "E039",
                            "unknown workflow '" + Clip(a.workflow.text) +
                                "' (compile it together with this one, or declare it with 'uses "
                                "workflow " +
                                Clip(a.workflow.text) + "')");
          ok = false;
          continue;
        }
        ctx_.used_workflows.insert(a.workflow.text);
        spots->chain_offsets.emplace(a.workflow.text, a.workflow.offset);
        // The mapping is checked against the target's facts when the target is in this
        // compile set and parsed cleanly. Otherwise (`uses workflow`, or a target with a
        // syntax error, which must not cascade here) only built-in facts can be checked;
        // other names are kept and the engine ignores those the target does not have.
        const bool trusted = target != index_->end() && !target->second.tree->has_syntax_errors;
        const FactTable builtin_only = BuiltinFacts({});
        const FactTable& child = trusted ? target->second.facts : builtin_only;
        const std::string label = "workflow '" + a.workflow.text + "'";
        std::set<std::string> mapped;
        for (const ast::Assign& m : a.mapping) {
          if (!mapped.insert(m.fact.text).second) {
            ctx_.diags->Error(m.fact.offset, "E074",
                              "fact '" + Clip(m.fact.text) + "' is mapped twice");
            ok = false;
            continue;
          }
          Assignment out_m;
          if (child.count(m.fact.text) == 0) {
            if (trusted) {
              ctx_.diags->Error(m.fact.offset, "E074",
                                label + " has no fact '" + Clip(m.fact.text) + "'");
              ok = false;
              continue;
            }
            SType t;
            out_m.fact = m.fact.text;
            if (exprs_.Check(m.value, scope, &out_m.value, &t)) {
              action.mapping.push_back(std::move(out_m));
            } else {
              ok = false;
            }
            continue;
          }
          if (exprs_.Assign(m, child, label, scope, &out_m)) {
            action.mapping.push_back(std::move(out_m));
          } else {
            ok = false;
          }
        }
        chains.insert(a.workflow.text);
      }
      step.actions.push_back(std::move(action));
    }
    if (ok) out->escalation.push_back(std::move(step));
  }
  out->chains_to.assign(chains.begin(), chains.end());
}

void WorkflowChecker::Schedules(Workflow* out) {
  std::set<std::string> names;
  for (const ast::Schedule& s : tree_->schedules) {
    if (!names.insert(s.name.text).second) {
      ctx_.diags->Error(s.name.offset, "E027",
                        "schedule '" + Clip(s.name.text) + "' is declared twice");
      continue;
    }
    Schedule sched;
    sched.name = s.name.text;
    sched.every_months = s.every_months;
    sched.day = s.day;
    sched.minute_of_day = s.minute_of_day;
    sched.offset = s.name.offset;
    auto ref = references_.find(s.table.text);
    if (ref == references_.end()) {
      ctx_.diags->Error(s.table.offset, "E044",
                        "unknown reference table '" + Clip(s.table.text) +
                            "' (declare it with 'uses reference " + Clip(s.table.text) +
                            " fields (...)')");
      StateName(s.enter);
      continue;
    }
    ctx_.used_references.insert(s.table.text);
    sched.member_table = s.table.text;
    Scope scope;
    scope.member = ref->second;
    scope.where = "in a schedule";
    if (s.where) {
      Scope filter = scope;
      filter.ticket = false;
      filter.where = "in a schedule's filter (no ticket exists yet)";
      sched.filter.emplace();
      exprs_.Condition(*s.where, filter, &*sched.filter);
    }
    for (const ast::Assign& a : s.sets) {
      Assignment out_a;
      if (exprs_.Assign(a, ctx_.facts, "this workflow", scope, &out_a)) {
        sched.assignments.push_back(std::move(out_a));
      }
    }
    if (StateName(s.enter)) {
      sched.initial_state = s.enter.text;
      if (states_.at(s.enter.text)->terminal) {
        ctx_.diags->Error(s.enter.offset, "E072",
                          "a ticket cannot start in terminal state '" + s.enter.text + "'");
      }
    }
    out->schedules.push_back(std::move(sched));
  }
}

}  // namespace closeloop::dsl
