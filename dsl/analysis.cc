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
    case TriggerKind::kEvent:
      return a.event_type == b.event_type;
    case TriggerKind::kTimer:
      return a.after == b.after;
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
    any_limit = any_limit || !st.limits.empty() || wf.ClockOf(st.name) != nullptr;
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
    // Only the first few unguarded transitions are compared, so a state with thousands of
    // transitions stays linear; real states have a handful.
    constexpr size_t kShadowCandidates = 16;
    std::vector<const Transition*> unguarded;
    for (size_t j = 0; j < st.transitions.size(); ++j) {
      for (const Transition* earlier : unguarded) {
        if (Shadows(*earlier, st.transitions[j])) {
          diags->Warning(st.transitions[j].offset, "W009",
                         "this transition never fires: an earlier one in '" + st.name +
                             "' with the same trigger has no condition");
          break;
        }
      }
      if (!st.transitions[j].guard && unguarded.size() < kShadowCandidates) {
        unguarded.push_back(&st.transitions[j]);
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
      diags->Warning(
          s.offset, "W014",
          "step '" + s.name + "' never fires: no state of '" + wf.name + "' has a time limit");
      continue;
    }
    if (!s.states.empty() && std::none_of(s.states.begin(), s.states.end(), [&](const auto& n) {
          const State* st = wf.FindState(n);
          // A clock's running state has the clock's deadline.
          const Clock* clock = wf.ClockOf(n);
          return st != nullptr && (!st->limits.empty() || (clock && !clock->Pauses(n)));
        })) {
      diags->Warning(s.offset, "W011",
                     "step '" + s.name + "' never fires: none of its states has a time limit");
    }
  }
}

void CheckChainCycles(const Program& program, const WorkflowIndex& index,
                      const std::map<std::string, WorkflowSpots>& spots, DiagSink* diags) {
  // Tarjan's strongly connected components, iteratively (no recursion on hostile input).
  const size_t n = program.workflows.size();
  std::vector<std::vector<size_t>> adj(n);
  for (size_t v = 0; v < n; ++v) {
    for (const std::string& child : program.workflows[v].chains_to) {
      const Workflow* w = program.Find(child);
      if (w != nullptr) adj[v].push_back(static_cast<size_t>(w - program.workflows.data()));
    }
  }
  constexpr size_t kUnset = SIZE_MAX;
  std::vector<size_t> order(n, kUnset), low(n, 0), component(n, kUnset);
  std::vector<bool> on_stack(n, false);
  std::vector<size_t> stack;
  std::vector<std::pair<size_t, size_t>> calls;  // (node, next edge)
  size_t counter = 0, components = 0;
  for (size_t root = 0; root < n; ++root) {
    if (order[root] != kUnset) continue;
    calls.emplace_back(root, 0);
    while (!calls.empty()) {
      auto& [v, edge] = calls.back();
      if (edge == 0 && order[v] == kUnset) {
        order[v] = low[v] = counter++;
        stack.push_back(v);
        on_stack[v] = true;
      }
      if (edge < adj[v].size()) {
        size_t w = adj[v][edge++];
        if (order[w] == kUnset) {
          calls.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], order[w]);
        }
        continue;
      }
      if (low[v] == order[v]) {
        size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = components;
        } while (w != v);
        ++components;
      }
      size_t done = v;
      calls.pop_back();
      if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[done]);
    }
  }
  // One report per cyclic component, at its alphabetically first workflow.
  std::vector<bool> reported(components, false);
  for (size_t v = 0; v < n; ++v) {
    size_t c = component[v];
    if (reported[c]) continue;
    bool self_loop = std::find(adj[v].begin(), adj[v].end(), v) != adj[v].end();
    bool shared = false;
    for (size_t w : adj[v]) shared = shared || (w != v && component[w] == c);
    if (!self_loop && !shared) continue;
    reported[c] = true;
    // Shortest way round, breadth-first inside the component.
    std::map<size_t, size_t> parent;
    std::deque<size_t> todo{v};
    size_t closing = self_loop ? v : kUnset;
    while (!todo.empty() && closing == kUnset) {
      size_t at = todo.front();
      todo.pop_front();
      for (size_t w : adj[at]) {
        if (component[w] != c) continue;
        if (w == v) {
          closing = at;
          break;
        }
        if (parent.emplace(w, at).second) todo.push_back(w);
      }
    }
    std::vector<size_t> path{v};
    for (size_t at = closing; at != v && at != kUnset; at = parent[at]) {
      path.insert(path.begin() + 1, at);
    }
    std::string text;
    for (size_t p : path) text += program.workflows[p].name + " -> ";
    const std::string& name = program.workflows[v].name;
    text += name;
    const std::string& next = program.workflows[path.size() > 1 ? path[1] : v].name;
    uint32_t offset = 0;
    auto sp = spots.find(name);
    if (sp != spots.end()) {
      auto off = sp->second.chain_offsets.find(next);
      if (off != sp->second.chain_offsets.end()) offset = off->second;
    }
    diags->set_file(index.at(name).file);
    diags->Error(offset, "E073", "chain cycle: " + text);
  }
}

}  // namespace closeloop::dsl
