// WorkflowChecker, part 2: states, time limits, transitions and their effects.
#include <algorithm>
#include <map>

#include "dsl/workflow_checker.h"

namespace closeloop::dsl {
namespace {

std::string Clip(const std::string& s) { return s.size() > 40 ? s.substr(0, 40) + "..." : s; }

// "rectifying/submit_evidence", "monitoring/event SensorAlarm", "waiting/after 3 days".
std::string RuleName(const std::string& state, const dsl::Transition& t) {
  switch (t.trigger) {
    case TriggerKind::kVerb:
      return state + "/" + t.verb;
    case TriggerKind::kEvent:
      return state + "/event " + t.event_type;
    case TriggerKind::kTimer:
      return state + "/after " + FormatDuration(t.after);
  }
  return state;
}

}  // namespace

void WorkflowChecker::States(Workflow* out) {
  for (const ast::State& in : tree_->states) {
    State st;
    st.name = in.name.text;
    st.terminal = in.terminal;
    st.title_en = in.title_en;
    st.title_zh = in.title_zh;
    st.offset = in.name.offset;
    Limits(in, &st);
    if (in.terminal && !in.transitions.empty()) {
      ctx_.diags->Error(in.transitions.front().offset, "E075",
                        "terminal state '" + in.name.text + "' cannot have transitions");
    } else {
      for (const ast::Transition& t : in.transitions) Transition(in, t, &st);
    }
    // Rule names are unique within the workflow: a repeated trigger gets "#2", "#3".
    std::map<std::string, int> seen;
    for (dsl::Transition& t : st.transitions) {
      int n = ++seen[t.rule];
      if (n > 1) t.rule += "#" + std::to_string(n);
    }
    out->states.push_back(std::move(st));
  }
}

void WorkflowChecker::Limits(const ast::State& in, State* out) {
  Scope scope;
  scope.where = "in a time limit (it is evaluated when the state is entered)";
  bool unconditional_seen = false;
  for (const ast::Limit& l : in.limits) {
    if (in.terminal) {
      ctx_.diags->Warning(l.offset, "W003",
                          "time limit on terminal state '" + in.name.text + "' never applies");
      continue;
    }
    if (unconditional_seen) {
      ctx_.diags->Warning(
          l.offset, "W017",
          "this limit never applies: an earlier limit of '" + in.name.text + "' has no condition");
    }
    TimeLimit limit;
    if (l.until) {
      SType type;
      limit.until.emplace();
      if (!exprs_.Check(*l.until, scope, &*limit.until, &type)) continue;
      if (type.base != ValueType::kInt || type.null_literal) {
        ctx_.diags->Error(l.until->offset, "E090",
                          "'limit until' takes a time: an int of milliseconds since the epoch "
                          "(a fact set from the event, e.g. event.due_at); this is " +
                              TypeLabel(type));
        continue;
      }
      // Months are allowed: a periodic duty is due at the end of its cycle ("limit 2 months").
    } else if (!exprs_.ResolveDuration(l.duration, DurationRules{true}, &limit.duration)) {
      continue;
    }
    if (l.when) {
      limit.condition.emplace();
      if (!exprs_.Condition(*l.when, scope, &*limit.condition)) continue;
    } else {
      unconditional_seen = true;
    }
    out->limits.push_back(std::move(limit));
  }
}

void WorkflowChecker::Transition(const ast::State& state, const ast::Transition& in, State* out) {
  dsl::Transition t;
  t.trigger = in.trigger;
  t.offset = in.offset;
  bool ok = true;
  Scope scope;
  static const std::string kStaffCommand = "StaffCommand";
  switch (in.trigger) {
    case TriggerKind::kVerb: {
      t.verb = in.verb.text;
      bool builtin = std::any_of(std::begin(kBuiltinVerbs), std::end(kBuiltinVerbs),
                                 [&](std::string_view v) { return v == t.verb; });
      bool declared = verb_set_.count(t.verb) != 0;
      if (t.verb == kAssignVerb) {
        ctx_.diags->Error(in.verb.offset, "E034",
                          "'assign' is the staff action every workflow has, in every open "
                          "state; it takes no transition");
        ok = false;
      } else if (!builtin && !declared) {
        ctx_.diags->Error(in.verb.offset, "E034",
                          "unknown verb '" + Clip(t.verb) + "' (declare a custom verb with 'verb " +
                              Clip(t.verb) + "')");
        ok = false;
      }
      ctx_.used_verbs.insert(t.verb);
      if ((t.verb == "request_extension" || t.verb == "approve_extension") &&
          (!tree_->extensions || tree_->extensions->max_count == 0)) {
        ctx_.diags->Warning(in.verb.offset, "W012",
                            "'" + t.verb +
                                "' is allowed here but the workflow allows no "
                                "extensions (add 'extensions at most N')");
      }
      for (const ast::Name& r : in.roles) {
        if (RoleName(r))
          t.roles.push_back(r.text);
        else
          ok = false;
      }
      scope.event_type = &kStaffCommand;
      VerbReads(t.verb, in);
      break;
    }
    case TriggerKind::kEvent:
      t.event_type = in.event.text;
      if (EventType(in.event, false)) {
        scope.event_type = &in.event.text;
      } else {
        ok = false;
        scope.where = "here (unknown event type)";
      }
      break;
    case TriggerKind::kTimer:
      scope.where = "in a timer transition";
      ok = exprs_.ResolveDuration(in.after, DurationRules{}, &t.after) && ok;
      break;
  }
  if (in.when && (in.trigger != TriggerKind::kEvent || scope.event_type != nullptr)) {
    t.guard.emplace();
    ok = exprs_.Condition(*in.when, scope, &*t.guard) && ok;
  }
  if (in.target) {
    if (StateName(*in.target))
      t.target = in.target->text;
    else
      ok = false;
  }
  for (const ast::Effect& e : in.effects) {
    dsl::Effect effect;
    if (Effect(e, scope, &effect))
      t.effects.push_back(std::move(effect));
    else
      ok = false;
  }
  if (!ok) return;
  t.rule = RuleName(state.name.text, t);
  out->transitions.push_back(std::move(t));
}

bool WorkflowChecker::Effect(const ast::Effect& in, const Scope& scope, dsl::Effect* out) {
  out->kind = in.kind;
  switch (in.kind) {
    case EffectKind::kReopen:
    case EffectKind::kDispatch:
    case EffectKind::kRelease:
    case EffectKind::kAnswerExpert:
      return true;
    case EffectKind::kResolution:
      if (in.code.empty()) {
        ctx_.diags->Error(in.offset, "E063", "a resolution code must not be empty");
        return false;
      }
      out->code = in.code;
      return true;
    case EffectKind::kIncrement: {
      auto it = ctx_.facts.find(in.fact.text);
      if (it == ctx_.facts.end()) {
        ctx_.diags->Error(in.fact.offset, "E040", "unknown fact '" + Clip(in.fact.text) + "'");
        return false;
      }
      if (it->second.builtin) {
        ctx_.diags->Error(in.fact.offset, "E056",
                          "'" + in.fact.text + "' is kept by the engine and cannot be counted");
        return false;
      }
      if (it->second.type != FactType::kInt) {
        ctx_.diags->Error(in.fact.offset, "E057",
                          "'count' needs an int fact; '" + in.fact.text + "' is " +
                              std::string(FactTypeName(it->second.type)));
        return false;
      }
      ctx_.used_facts.insert(in.fact.text);
      out->fact = in.fact.text;
      return true;
    }
    case EffectKind::kSet: {
      Assignment a;
      if (!exprs_.Assign(ast::Assign{in.fact, in.value}, ctx_.facts, "this workflow", scope, &a)) {
        return false;
      }
      out->fact = std::move(a.fact);
      out->value = std::move(a.value);
      return true;
    }
  }
  return false;
}

}  // namespace closeloop::dsl
