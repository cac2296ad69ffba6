// Explain(): the compiled state machines as text (a normalised listing, with the rule names
// the engine writes into records), Graphviz DOT, or Mermaid stateDiagram-v2.
#include <fmt/format.h>

#include "dsl/compile.h"

namespace closeloop::dsl {
namespace {

std::string Roles(const std::vector<std::string>& roles) {
  std::string out;
  for (size_t i = 0; i < roles.size(); ++i) out += (i ? ", " : "") + roles[i];
  return out;
}

std::string Trigger(const Transition& t) {
  switch (t.trigger) {
    case TriggerKind::kVerb:
      return t.roles.empty() ? t.verb : t.verb + " by " + Roles(t.roles);
    case TriggerKind::kEvent:
      return "event " + t.event_type;
    case TriggerKind::kTimer:
      return "after " + FormatDuration(t.after);
  }
  return "";
}

std::string Assignments(const std::vector<Assignment>& as) {
  std::string out;
  for (size_t i = 0; i < as.size(); ++i) {
    out += (i ? ", " : "") + as[i].fact + " = " + FormatExpr(as[i].value);
  }
  return out;
}

std::string EffectText(const Effect& e) {
  switch (e.kind) {
    case EffectKind::kSet:
      return "set " + e.fact + " = " + FormatExpr(e.value);
    case EffectKind::kIncrement:
      return "count " + e.fact;
    case EffectKind::kReopen:
      return "reopen";
    case EffectKind::kDispatch:
      return "dispatch resources";
    case EffectKind::kRelease:
      return "release resources";
    case EffectKind::kAnswerExpert:
      return "answer expert";
    case EffectKind::kResolution:
      return "resolution " + QuoteString(e.code);
  }
  return "";
}

std::string StepTrigger(const EscalationStep& s) {
  switch (s.trigger) {
    case StepTriggerKind::kFraction:
      return fmt::format("at {}% of limit", s.percent);
    case StepTriggerKind::kAtLimit:
      return "at limit";
    case StepTriggerKind::kAfterLimit:
      return "at limit + " + FormatDuration(s.after);
    case StepTriggerKind::kCondition:
      return "when " + FormatExpr(*s.condition);
  }
  return "";
}

std::string ActionText(const Action& a) {
  switch (a.kind) {
    case ActionKind::kRemind:
      return a.roles.size() == 1 ? "remind " + a.roles[0] : "remind (" + Roles(a.roles) + ")";
    case ActionKind::kNotifyHead:
      return "notify head";
    case ActionKind::kMarkOverdue:
      return "mark overdue";
    case ActionKind::kEscalateParent:
      return "escalate parent";
    case ActionKind::kArbitration:
      return "arbitration";
    case ActionKind::kLeadCity:
      return "lead city";
    case ActionKind::kChain:
      return "chain " + a.workflow + (a.mapping.empty() ? "" : " (" + Assignments(a.mapping) + ")");
  }
  return "";
}

std::string LimitText(const TimeLimit& l) {
  return "limit " + (l.until ? "until " + FormatExpr(*l.until) : FormatDuration(l.duration)) +
         (l.condition ? " when " + FormatExpr(*l.condition) : "");
}

// A clock state's deadline, in labels: "clock decision (90 days)" or "... paused".
std::string ClockLabel(const Workflow& w, const State& s) {
  const Clock* c = w.ClockOf(s.name);
  if (c == nullptr) return "";
  return "clock " + c->name +
         (c->Pauses(s.name) ? " paused" : " (" + FormatDuration(c->duration) + ")");
}

void Text(const Workflow& w, std::string* out) {
  *out += fmt::format("workflow {} version {} loop {}\n", w.name, w.version, LoopName(w.loop));
  if (!w.title_en.empty() || !w.title_zh.empty()) {
    *out += "  title " + QuoteString(w.title_en);
    if (!w.title_zh.empty()) *out += " zh " + QuoteString(w.title_zh);
    *out += "\n";
  }
  *out += "  calendar " + w.calendar + "\n";
  for (const FactDecl& f : w.facts) {
    if (f.builtin) continue;
    std::string type = std::string(f.type == FactType::kBool       ? "bool"
                                   : f.type == FactType::kInt      ? "int"
                                   : f.type == FactType::kDouble   ? "number"
                                   : f.type == FactType::kString   ? "string"
                                   : f.type == FactType::kDuration ? "duration"
                                                                   : "one of (");
    if (f.type == FactType::kEnum) {
      for (size_t i = 0; i < f.enum_values.size(); ++i) {
        type += (i ? ", " : "") + QuoteString(f.enum_values[i]);
      }
      type += ")";
    }
    *out += "  fact " + f.name + ": " + type + " = " + f.initial.ToString() + "\n";
  }
  for (const std::string& v : w.verbs) *out += "  verb " + v + "\n";
  for (const std::string& r : w.roles) *out += "  role " + r + "\n";
  for (const StartRule& s : w.starts) {
    *out += "  start on " + s.event_type;
    if (s.condition) *out += " when " + FormatExpr(*s.condition);
    *out += "\n";
    if (!s.assignments.empty()) *out += "    set " + Assignments(s.assignments) + "\n";
    if (s.dedup) {
      *out += "    dedup by ";
      for (size_t i = 0; i < s.dedup->keys.size(); ++i) {
        *out += (i ? ", " : "") + FormatExpr(s.dedup->keys[i]);
      }
      *out += " within " + FormatDuration(s.dedup->window) + "\n";
    }
    *out += "    enter " + s.initial_state + "\n";
  }
  *out += "  chained tickets enter " + w.chain_entry_state + "\n";
  if (w.routing && !w.routing->kind.empty()) {
    *out += "  route to kind " + QuoteString(w.routing->kind);
    if (!w.routing->fallback_is_kind || w.routing->fallback != w.routing->kind) {
      *out += std::string(" fallback ") + (w.routing->fallback_is_kind ? "kind " : "") +
              QuoteString(w.routing->fallback);
    }
    *out += "\n";
  } else if (w.routing) {
    *out += "  route by " + w.routing->table + " (";
    for (size_t i = 0; i < w.routing->keys.size(); ++i) {
      *out += (i ? ", " : "") + w.routing->keys[i].column + " = " +
              FormatExpr(w.routing->keys[i].value);
    }
    *out += ") fallback " + std::string(w.routing->fallback_is_kind ? "kind " : "") +
            QuoteString(w.routing->fallback) + "\n";
  }
  for (const State& s : w.states) {
    *out += "  state " + s.name;
    if (!s.title_en.empty() || !s.title_zh.empty()) {
      *out += " title " + QuoteString(s.title_en);
      if (!s.title_zh.empty()) *out += " zh " + QuoteString(s.title_zh);
    }
    *out += std::string(s.terminal ? " terminal" : "") + "\n";
    for (const TimeLimit& l : s.limits) *out += "    " + LimitText(l) + "\n";
    if (!ClockLabel(w, s).empty()) *out += "    " + ClockLabel(w, s) + "\n";
    for (const Transition& t : s.transitions) {
      *out += "    on " + Trigger(t);
      if (t.guard) *out += " when " + FormatExpr(*t.guard);
      *out += " -> " + (t.target.empty() ? "(stay)" : t.target);
      for (const Effect& e : t.effects) *out += ", " + EffectText(e);
      *out += "  [" + t.rule + "]\n";
    }
  }
  for (const Clock& c : w.clocks) {
    *out += "  clock " + c.name + " " + FormatDuration(c.duration) + " in " + Roles(c.states);
    if (!c.paused.empty()) *out += " paused in " + Roles(c.paused);
    *out += "\n";
  }
  if (w.extensions.max_count > 0) {
    *out += fmt::format("  extensions at most {}, each at most {}\n", w.extensions.max_count,
                        FormatDuration(w.extensions.max_each));
  } else {
    *out += "  extensions none\n";
  }
  for (const EscalationStep& s : w.escalation) {
    *out += "  step " + s.name;
    if (!s.states.empty()) *out += " in " + Roles(s.states);
    *out += " " + StepTrigger(s) + ": ";
    for (size_t i = 0; i < s.actions.size(); ++i)
      *out += (i ? ", " : "") + ActionText(s.actions[i]);
    *out += "\n";
  }
  for (const Schedule& s : w.schedules) {
    *out += fmt::format("  schedule {} every {} month{} on day {} at {:02}:{:02} for each {}\n",
                        s.name, s.every_months, s.every_months == 1 ? "" : "s", s.day,
                        s.minute_of_day / 60, s.minute_of_day % 60, s.member_table);
    if (s.filter) *out += "    where " + FormatExpr(*s.filter) + "\n";
    if (!s.assignments.empty()) *out += "    set " + Assignments(s.assignments) + "\n";
    *out += "    enter " + s.initial_state + "\n";
  }
  if (!w.chains_to.empty()) *out += "  chains to " + Roles(w.chains_to) + "\n";
}

std::string DotEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Dot(const Workflow& w, std::string* out) {
  *out += "digraph \"" + DotEscape(w.name) + "\" {\n";
  *out +=
      "  label=\"" +
      DotEscape(fmt::format("{} v{} ({}) {}", w.name, w.version, LoopName(w.loop), w.title_en)) +
      "\";\n  labelloc=t;\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  *out += "  \"__start__\" [shape=point];\n";
  for (const State& s : w.states) {
    std::string label = s.name;
    for (const TimeLimit& l : s.limits) label += "\n" + LimitText(l);
    if (!ClockLabel(w, s).empty()) label += "\n" + ClockLabel(w, s);
    *out += "  \"" + DotEscape(s.name) + "\" [label=\"" + DotEscape(label) + "\"" +
            (s.terminal ? ", shape=doublecircle" : "") + "];\n";
  }
  for (const StartRule& s : w.starts) {
    *out += "  \"__start__\" -> \"" + DotEscape(s.initial_state) + "\" [label=\"" +
            DotEscape(s.event_type) + "\"];\n";
  }
  for (const Schedule& s : w.schedules) {
    *out += "  \"__start__\" -> \"" + DotEscape(s.initial_state) + "\" [label=\"schedule " +
            DotEscape(s.name) + "\"];\n";
  }
  if (w.chain_start_declared) {
    *out += "  \"__start__\" -> \"" + DotEscape(w.chain_entry_state) + "\" [label=\"chain\"];\n";
  }
  for (const State& s : w.states) {
    for (const Transition& t : s.transitions) {
      std::string label = Trigger(t) + (t.guard ? "\n[" + FormatExpr(*t.guard) + "]" : "");
      const std::string& to = t.target.empty() ? s.name : t.target;
      *out += "  \"" + DotEscape(s.name) + "\" -> \"" + DotEscape(to) + "\" [label=\"" +
              DotEscape(label) + "\"" + (t.target.empty() ? ", style=dashed" : "") + "];\n";
    }
  }
  *out += "}\n";
}

// Mermaid labels stop at ':' ';' '#' and newlines; keep them readable without those.
std::string MermaidText(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case ':':
        out += " -";
        break;
      case ';':
        out += ',';
        break;
      case '#':
        out += "no.";
        break;
      case '"':
        out += '\'';
        break;
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

void Mermaid(const Workflow& w, std::string* out) {
  *out += "stateDiagram-v2\n";
  *out +=
      "  %% " + MermaidText(fmt::format("{} v{} ({})", w.name, w.version, LoopName(w.loop))) + "\n";
  for (const State& s : w.states) {
    std::string label = s.name;
    for (const TimeLimit& l : s.limits) label += ", " + LimitText(l);
    if (!ClockLabel(w, s).empty()) label += ", " + ClockLabel(w, s);
    *out += "  state \"" + MermaidText(label) + "\" as s_" + s.name + "\n";
  }
  for (const StartRule& s : w.starts) {
    *out += "  [*] --> s_" + s.initial_state + " : " + MermaidText(s.event_type) + "\n";
  }
  for (const Schedule& s : w.schedules) {
    *out += "  [*] --> s_" + s.initial_state + " : schedule " + MermaidText(s.name) + "\n";
  }
  if (w.chain_start_declared) *out += "  [*] --> s_" + w.chain_entry_state + " : chain\n";
  for (const State& s : w.states) {
    for (const Transition& t : s.transitions) {
      std::string label = Trigger(t) + (t.guard ? " [" + FormatExpr(*t.guard) + "]" : "");
      const std::string& to = t.target.empty() ? s.name : t.target;
      *out += "  s_" + s.name + " --> s_" + to + " : " + MermaidText(label) + "\n";
    }
    if (s.terminal) *out += "  s_" + s.name + " --> [*]\n";
  }
}

}  // namespace

std::string Explain(const Program& program, ExplainFormat format) {
  std::string out;
  for (size_t i = 0; i < program.workflows.size(); ++i) {
    if (i > 0) out += "\n";
    const Workflow& w = program.workflows[i];
    switch (format) {
      case ExplainFormat::kText:
        Text(w, &out);
        break;
      case ExplainFormat::kDot:
        Dot(w, &out);
        break;
      case ExplainFormat::kMermaid:
        Mermaid(w, &out);
        break;
    }
  }
  return out;
}

}  // namespace closeloop::dsl
