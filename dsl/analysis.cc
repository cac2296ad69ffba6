#include "dsl/analysis.h"

#include <algorithm>
#include <deque>
#include <set>

namespace closeloop::dsl {
namespace {

bool TimeStep(const EscalationStep& s) { return s.trigger != StepTriggerKind::kCondition; }

// Does transition `a` (earlier, unguarded) take every command `b` would match?
bool Shadows(const Transition& a, const Transition& b) {
  if (a.guard || a.trigger != b.trigger) return false;
  switch (a.trigger) {
    case TriggerKind::kVerb:
      if (a.verb != b.verb) return false;
      if (a.roles.empty()) return true;
      if (b.roles.empty()) return false;
      return std::all_of(b.roles.begin(), b.roles.end(), [&](const std::string& r) {
        return std::find(a.roles.begin(), a.roles.end(), r) != a.roles.end();
      });
    case TriggerKind::kEvent: return a.event_type == b.event_type;
    case TriggerKind::kTimer: return a.after == b.after;
  }
  return false;
}

}  // namespace

void Analyse(const ast::Workflow& tree, const Workflow& wf, DiagSink* diags) {
  bool chain_start = std::any_of(tree.starts.begin(), tree.starts.end(),
                                 [](const ast::Start& s) { return s.event.text == "chain"; });
  // Reachability from every way a ticket can open.
  std::set<std::string> reached;
  std::deque<std::string> todo;
  auto reach = [&](const std::string& s) {
    if (!s.empty() && reached.insert(s).second) todo.push_back(s);
  };
  for (const StartRule& s : wf.starts) reach(s.initial_state);
  for (const Schedule& s : wf.schedules) reach(s.initial_state);
  if (chain_start || (wf.starts.empty() && wf.schedules.empty())) reach(wf.chain_entry_state);
  while (!todo.empty()) {
    const State* st = wf.FindState(todo.front());
    todo.pop_front();
    if (st == nullptr) continue;
    for (const Transition& t : st->transitions) reach(t.target);
  }
  if (wf.starts.empty() && wf.schedules.empty() && !chain_start) {
    diags->Warning(tree.name.offset, "W016",
                   "nothing opens tickets of '" + wf.name +
                       "': add 'start on EVENT', a schedule, or 'start on chain enter STATE'");
  }
  bool any_terminal = false;
  bool any_limit = false;
  for (const State& st : wf.states) {
    any_terminal = any_terminal || st.terminal;
    any_limit = any_limit || !st.limits.empty();
    if (reached.count(st.name) == 0) {
      diags->Warning(st.offset, "W001", "state '" + st.name + "' is unreachable");
    }
    if (!st.terminal) {
      bool way_out = std::any_of(st.transitions.begin(), st.transitions.end(), [&](const auto& t) {
        return !t.target.empty() && t.target != st.name;
      });
      if (!way_out) {
        diags->Warning(st.offset, "W002",
                       "state '" + st.name + "' has no way out: no transition leads elsewhere");
      }
    }
    for (size_t j = 0; j < st.transitions.size(); ++j) {
      for (size_t i = 0; i < j; ++i) {
        if (Shadows(st.transitions[i], st.transitions[j])) {
          diags->Warning(st.transitions[j].offset, "W009",
                         "this transition never fires: an earlier one in '" + st.name +
                             "' with the same trigger has no condition");
          break;
        }
      }
    }
  }
  if (!any_terminal && !wf.states.empty()) {
    diags->Warning(tree.name.offset, "W008",
                   "workflow '" + wf.name + "' has no terminal state: its tickets never close");
  }
  for (const EscalationStep& s : wf.escalation) {
    if (!TimeStep(s)) continue;
    if (!any_limit) {
      diags->Warning(s.offset, "W014",
                     "step '" + s.name + "' never fires: no state of '" + wf.name +
                         "' has a time limit");
      continue;
    }
    if (!s.states.empty() && std::none_of(s.states.begin(), s.states.end(), [&](const auto& n) {
          const State* st = wf.FindState(n);
          return st != nullptr && !st->limits.empty();
        })) {
      diags->Warning(s.offset, "W011",
                     "step '" + s.name + "' never fires: none of its states has a time limit");
    }
  }
}

void CheckChainCycles(const Program& program, const WorkflowIndex& index,
                      const std::map<std::string, WorkflowSpots>& spots, DiagSink* diags) {
  std::set<std::string> reported;
  for (const Workflow& start : program.workflows) {
    if (reported.count(start.name) != 0) continue;
    // Breadth-first from `start`, remembering parents, until `start` is reached again.
    std::map<std::string, std::string> parent;
    std::deque<std::string> todo{start.name};
    std::string closing;  // the workflow whose chain leads back to `start`
    std::set<std::string> seen{start.name};
    while (!todo.empty() && closing.empty()) {
      const Workflow* w = program.Find(todo.front());
      todo.pop_front();
      if (w == nullptr) continue;
      for (const std::string& child : w->chains_to) {
        if (child == start.name) {
          closing = w->name;
          break;
        }
        if (seen.insert(child).second) {
          parent[child] = w->name;
          todo.push_back(child);
        }
      }
    }
    if (closing.empty()) continue;
    std::vector<std::string> path{start.name};
    for (std::string at = closing; at != start.name; at = parent[at]) {
      path.insert(path.begin() + 1, at);
    }
    std::string text;
    for (const std::string& p : path) {
      text += p + " -> ";
      reported.insert(p);
    }
    text += start.name;
    const std::string& next = path.size() > 1 ? path[1] : start.name;
    uint32_t offset = 0;
    auto sp = spots.find(start.name);
    if (sp != spots.end()) {
      auto off = sp->second.chain_offsets.find(next);
      if (off != sp->second.chain_offsets.end()) offset = off->second;
    }
    diags->set_file(index.at(start.name).file);
    diags->Error(offset, "E073", "chain cycle: " + text);
  }
}

}  // namespace closeloop::dsl
