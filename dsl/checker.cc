#include "dsl/checker.h"

#include <algorithm>

#include "dsl/analysis.h"
#include "dsl/workflow_checker.h"
#include "events/record.h"

namespace closeloop::dsl {
namespace {

std::string Clip(const std::string& s) { return s.size() > 40 ? s.substr(0, 40) + "..." : s; }

FactTable FactsOf(const ast::Workflow& wf) {
  std::vector<std::string> states;
  for (const ast::State& s : wf.states) states.push_back(s.name.text);
  FactTable facts = BuiltinFacts(states);
  for (const ast::Fact& f : wf.facts) {
    if (facts.count(f.name.text) != 0) continue;  // E022 is reported by the owner
    FactInfo info;
    info.type = f.type;
    info.enum_values = f.enum_values;
    facts[f.name.text] = info;
  }
  return facts;
}

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

WorkflowChecker::WorkflowChecker(const ast::Workflow* tree, const WorkflowIndex* index,
                                 DiagSink* diags, SchemaCache* schema)
    : tree_(tree), index_(index), exprs_(&ctx_) {
  ctx_.diags = diags;
  ctx_.schema = schema;
}

void WorkflowChecker::Run(Workflow* out, WorkflowSpots* spots) {
  const size_t errors_before = ctx_.diags->errors();
  Declarations(out);
  Facts(out);
  for (const ast::State& s : tree_->states) {
    if (!states_.emplace(s.name.text, &s).second) {
      ctx_.diags->Error(s.name.offset, "E021",
                        "state '" + Clip(s.name.text) + "' is declared twice");
    }
  }
  if (tree_->states.empty()) {
    ctx_.diags->Error(tree_->name.offset, "E070",
                      "workflow '" + Clip(tree_->name.text) + "' has no states");
  }
  Starts(out);
  Route(out);
  States(out);
  Extensions(out);
  Clocks(out);
  Verbs(out);
  Services(out);
  Steps(out, spots);
  Schedules(out);
  if (out->chain_entry_state.empty() && !tree_->states.empty()) {
    out->chain_entry_state = tree_->states.front().name.text;
  }
  if (ctx_.diags->errors() == errors_before) {
    UnusedWarnings();
    Analyse(*tree_, *out, ctx_.diags);
  }
}

void WorkflowChecker::Declarations(Workflow* out) {
  out->name = tree_->name.text;
  out->version = tree_->version;
  out->loop = tree_->loop;
  out->title_en = tree_->title_en;
  out->title_zh = tree_->title_zh;
  ctx_.calendars.insert(std::string(kDefaultCalendar));
  std::set<std::string> declared_calendars;
  for (const ast::Name& c : tree_->calendars) {
    if (!declared_calendars.insert(c.text).second) {
      ctx_.diags->Error(c.offset, "E025", "calendar '" + Clip(c.text) + "' is declared twice");
    }
    ctx_.calendars.insert(c.text);
  }
  ctx_.default_calendar = std::string(kDefaultCalendar);
  if (tree_->calendar) {
    if (ctx_.calendars.count(tree_->calendar->text) == 0) {
      ctx_.diags->Error(tree_->calendar->offset, "E038",
                        "unknown calendar '" + Clip(tree_->calendar->text) +
                            "' (declare it with 'uses calendar')");
    } else {
      ctx_.default_calendar = tree_->calendar->text;
      ctx_.used_calendars.insert(tree_->calendar->text);
    }
  }
  out->calendar = ctx_.default_calendar;
  for (const ast::Table& t : tree_->tables) {
    if (!tables_.emplace(t.name.text, &t).second || references_.count(t.name.text) != 0) {
      ctx_.diags->Error(t.name.offset, "E025",
                        "table '" + Clip(t.name.text) + "' is declared twice");
    }
    std::set<std::string> keys;
    for (const ast::Name& k : t.keys) {
      if (!keys.insert(k.text).second) {
        ctx_.diags->Error(k.offset, "E025", "key column '" + Clip(k.text) + "' is listed twice");
      }
    }
  }
  for (const ast::Reference& r : tree_->references) {
    if (!references_.emplace(r.name.text, &r).second || tables_.count(r.name.text) != 0) {
      ctx_.diags->Error(r.name.offset, "E025",
                        "table '" + Clip(r.name.text) + "' is declared twice");
    }
    std::set<std::string> fields;
    for (const auto& [f, type] : r.fields) {
      if (!fields.insert(f.text).second) {
        ctx_.diags->Error(f.offset, "E025", "field '" + Clip(f.text) + "' is listed twice");
      }
    }
  }
  for (const ast::Verb& verb : tree_->verbs) {
    const ast::Name& v = verb.name;
    if (v.text == kAssignVerb) {
      ctx_.diags->Error(v.offset, "E023",
                        "'assign' is the staff action every workflow has (the head names the "
                        "person who handles the ticket); it cannot be declared");
      continue;
    }
    bool builtin =
        Contains(std::vector<std::string_view>(std::begin(kBuiltinVerbs), std::end(kBuiltinVerbs)),
                 std::string_view(v.text));
    // A built-in verb is declared only to say what it takes (its `field` lines).
    if (builtin && verb.fields.empty() && verb.title_en.empty() && verb.title_zh.empty()) {
      ctx_.diags->Error(
          v.offset, "E023",
          "'" + v.text + "' is a built-in verb; declare it only with the fields it takes");
      continue;
    }
    if (!declared_verbs_.insert(v.text).second) {
      ctx_.diags->Error(v.offset, "E023", "verb '" + Clip(v.text) + "' is declared twice");
      continue;
    }
    if (builtin) continue;
    verbs_.push_back(v.text);
    verb_set_.insert(v.text);
  }
  for (const ast::Name& r : tree_->roles) {
    bool builtin =
        Contains(std::vector<std::string_view>(std::begin(kBuiltinRoles), std::end(kBuiltinRoles)),
                 std::string_view(r.text));
    if (builtin || role_set_.count(r.text) != 0) {
      ctx_.diags->Error(r.offset, "E024",
                        builtin ? "'" + r.text + "' is a built-in role; do not declare it"
                                : "role '" + Clip(r.text) + "' is declared twice");
      continue;
    }
    roles_.push_back(r.text);
    role_set_.insert(r.text);
  }
  for (const ast::Name& w : tree_->workflows) {
    if (!external_workflows_.insert(w.text).second) {
      ctx_.diags->Error(w.offset, "E025", "workflow '" + Clip(w.text) + "' is declared twice");
    }
  }
  out->verbs = verbs_;
  out->roles = roles_;
}

void WorkflowChecker::Facts(Workflow* out) {
  std::vector<std::string> state_names;
  for (const ast::State& s : tree_->states) state_names.push_back(s.name.text);
  ctx_.facts = BuiltinFacts(state_names);
  for (const auto& name : kBuiltinFacts) {
    const FactInfo& info = ctx_.facts.at(std::string(name));
    FactDecl d;
    d.name = std::string(name);
    d.type = info.type;
    d.enum_values = info.enum_values;
    d.builtin = true;
    if (d.name == "severity")
      d.initial = Value::String("unknown");
    else if (info.type == FactType::kInt)
      d.initial = Value::Int(0);
    else
      d.initial = Value::String("");
    out->facts.push_back(std::move(d));
  }
  class NoEnv : public Env {
   public:
    Value EventField(std::string_view) const override { return Value(); }
    Value EventAttr(std::string_view, std::string_view) const override { return Value(); }
    Value TicketFact(std::string_view) const override { return Value(); }
    Value MemberField(std::string_view) const override { return Value(); }
    Value Subject() const override { return Value(); }
    int64_t Now() const override { return 0; }
    Value Recurrences(const Duration&) const override { return Value(); }
  };
  for (const ast::Fact& f : tree_->facts) {
    auto it = ctx_.facts.find(f.name.text);
    if (it != ctx_.facts.end()) {
      ctx_.diags->Error(f.name.offset, "E022",
                        it->second.builtin
                            ? "'" + f.name.text + "' is a built-in fact; do not declare it"
                            : "fact '" + Clip(f.name.text) + "' is declared twice");
      continue;
    }
    FactInfo info;
    info.type = f.type;
    info.enum_values = f.enum_values;
    FactDecl d;
    d.name = f.name.text;
    d.type = f.type;
    d.enum_values = f.enum_values;
    switch (f.type) {
      case FactType::kBool:
        d.initial = Value::Bool(false);
        break;
      case FactType::kInt:
        d.initial = Value::Int(0);
        break;
      case FactType::kDouble:
        d.initial = Value::Double(0);
        break;
      case FactType::kString:
        d.initial = Value::String("");
        break;
      case FactType::kDuration:
        d.initial = Value::Of(Duration{0, DurationUnit::kMinutes, ""});
        break;
      case FactType::kEnum:
        d.initial = Value::String(f.enum_values.front());
        break;
    }
    if (f.initial) {
      Scope constant;
      constant.ticket = false;
      constant.where = "in a fact's default value";
      Expr e;
      SType t;
      if (exprs_.Check(*f.initial, constant, &e, &t) &&
          exprs_.Assignable(info, t, *f.initial, f.name.text)) {
        NoEnv none;
        Value v = Evaluate(e, none);
        if (v.type() == ValueType::kInt && f.type == FactType::kDouble) {
          v = Value::Double(static_cast<double>(v.as_int()));
        }
        if (v.is_null() || e.op == ExprOp::kNow) {
          ctx_.diags->Error(f.initial->offset, "E054", "a fact's default must be a constant value");
        } else {
          d.initial = v;
        }
      }
    }
    ctx_.facts[f.name.text] = info;
    out->facts.push_back(std::move(d));
  }
}

bool WorkflowChecker::EventType(const ast::Name& name, bool for_start) {
  using events::BodyKind;
  fb::Body body = events::BodyFromName(name.text);
  if (body == fb::Body::NONE) {
    ctx_.diags->Error(name.offset, "E030", "unknown event type '" + Clip(name.text) + "'");
    return false;
  }
  if (events::KindOf(body) != BodyKind::kIngress) {
    ctx_.diags->Error(name.offset, "E031",
                      "'" + name.text +
                          "' is written by the engine or the operator, not "
                          "published by an agency; it cannot trigger a workflow");
    return false;
  }
  if (name.text == "StaffCommand") {
    ctx_.diags->Error(name.offset, "E031",
                      for_start ? "StaffCommand acts on an open ticket and cannot open one"
                                : "staff commands are matched with 'on VERB', not 'on event'");
    return false;
  }
  return true;
}

bool WorkflowChecker::StateName(const ast::Name& name) {
  if (states_.count(name.text) != 0) return true;
  ctx_.diags->Error(name.offset, "E033", "unknown state '" + Clip(name.text) + "'");
  return false;
}

bool WorkflowChecker::RoleName(const ast::Name& name) {
  if (role_set_.count(name.text) != 0) {
    ctx_.used_roles.insert(name.text);
    return true;
  }
  for (std::string_view r : kBuiltinRoles) {
    if (r == name.text) return true;
  }
  ctx_.diags->Error(
      name.offset, "E035",
      "unknown role '" + Clip(name.text) + "' (declare it with 'role " + Clip(name.text) + "')");
  return false;
}

void WorkflowChecker::Starts(Workflow* out) {
  for (const ast::Start& s : tree_->starts) {
    if (s.event.text == "chain") {
      if (s.when || !s.sets.empty() || s.has_dedup) {
        ctx_.diags->Error(s.offset, "E018",
                          "'start on chain' takes only 'enter STATE' (the parent maps the facts)");
        continue;
      }
      if (!out->chain_entry_state.empty()) {
        ctx_.diags->Error(s.offset, "E028", "a second 'start on chain' in this workflow");
        continue;
      }
      if (StateName(s.enter)) out->chain_entry_state = s.enter.text;
      out->chain_start_declared = true;
      continue;
    }
    StartRule rule;
    rule.offset = s.offset;
    rule.event_type = s.event.text;
    bool known = EventType(s.event, true);
    Scope scope;
    scope.event_type = known ? &s.event.text : nullptr;
    scope.where = "here (unknown event type)";
    if (known) {
      if (s.when) {
        rule.condition.emplace();
        exprs_.Condition(*s.when, scope, &*rule.condition);
      }
      for (const ast::Assign& a : s.sets) {
        Assignment out_a;
        if (exprs_.Assign(a, ctx_.facts, "this workflow", scope, &out_a)) {
          rule.assignments.push_back(std::move(out_a));
        }
      }
      if (s.has_dedup) {
        Dedup d;
        for (const ast::Expr& k : s.dedup_keys) {
          Expr e;
          SType t;
          if (exprs_.Check(k, scope, &e, &t)) d.keys.push_back(std::move(e));
        }
        exprs_.ResolveDuration(s.window, DurationRules{false, true, false}, &d.window);
        rule.dedup = std::move(d);
      }
    }
    if (StateName(s.enter)) {
      if (states_.at(s.enter.text)->terminal) {
        ctx_.diags->Error(s.enter.offset, "E072",
                          "a ticket cannot start in terminal state '" + s.enter.text + "'");
      }
      rule.initial_state = s.enter.text;
    }
    out->starts.push_back(std::move(rule));
  }
}

static std::string FallbackEmpty(const ast::Route& r) {
  return r.fallback_is_kind ? "the fallback department kind must not be empty"
                            : "the fallback department must not be empty";
}

void WorkflowChecker::Route(Workflow* out) {
  if (!tree_->route) return;
  const ast::Route& r = *tree_->route;
  if (r.table.text.empty()) {  // route to kind "K": no table, no keys
    Routing routing;
    routing.kind = r.kind;
    routing.fallback = r.fallback;
    routing.fallback_is_kind = r.fallback_is_kind;
    if (r.kind.empty()) {
      ctx_.diags->Error(r.kind_offset, "E063", "the department kind must not be empty");
    }
    if (r.fallback.empty() && !r.kind.empty()) {  // an empty kind was reported just above
      ctx_.diags->Error(r.fallback_offset, "E063", FallbackEmpty(r));
    }
    out->routing = std::move(routing);
    return;
  }
  auto table = tables_.find(r.table.text);
  if (table == tables_.end()) {
    ctx_.diags->Error(r.table.offset, "E036",
                      "unknown routing table '" + Clip(r.table.text) +
                          "' (declare it with 'uses table " + Clip(r.table.text) + " keys (...)')");
    return;
  }
  ctx_.used_tables.insert(r.table.text);
  Routing routing;
  routing.table = r.table.text;
  routing.fallback = r.fallback;
  routing.fallback_is_kind = r.fallback_is_kind;
  if (r.fallback.empty()) ctx_.diags->Error(r.fallback_offset, "E063", FallbackEmpty(r));
  Scope scope;
  scope.where = "in a route key (routing happens when the ticket opens)";
  std::map<std::string, Expr> values;
  std::set<std::string> cols;
  for (const ast::Name& c : table->second->keys) cols.insert(c.text);
  for (const ast::RouteKey& k : r.keys) {
    bool is_col = cols.count(k.column.text) != 0;
    if (!is_col) {
      ctx_.diags->Error(
          k.column.offset, "E037",
          "table '" + r.table.text + "' has no key column '" + Clip(k.column.text) + "'");
      continue;
    }
    if (values.count(k.column.text) != 0) {
      ctx_.diags->Error(k.column.offset, "E037",
                        "key column '" + k.column.text + "' is given twice");
      continue;
    }
    Expr e;
    SType t;
    if (exprs_.Check(k.value, scope, &e, &t))
      values[k.column.text] = std::move(e);
    else
      values[k.column.text] = Expr();
  }
  for (const ast::Name& col : table->second->keys) {
    auto v = values.find(col.text);
    if (v == values.end()) {
      ctx_.diags->Error(
          r.table.offset, "E037",
          "route by " + r.table.text + " gives no value for key column '" + col.text + "'");
      continue;
    }
    routing.keys.push_back(RouteKey{col.text, std::move(v->second)});
  }
  out->routing = std::move(routing);
}

void WorkflowChecker::UnusedWarnings() {
  for (const ast::Table& t : tree_->tables) {
    if (ctx_.used_tables.count(t.name.text) == 0) {
      ctx_.diags->Warning(t.name.offset, "W004", "table '" + t.name.text + "' is never used");
    }
  }
  for (const ast::Reference& r : tree_->references) {
    if (ctx_.used_references.count(r.name.text) == 0) {
      ctx_.diags->Warning(r.name.offset, "W013",
                          "reference table '" + r.name.text + "' is never used");
    }
  }
  for (const ast::Name& c : tree_->calendars) {
    if (ctx_.used_calendars.count(c.text) == 0) {
      ctx_.diags->Warning(c.offset, "W005", "calendar '" + c.text + "' is never used");
    }
  }
  // A workflow opened by chains receives facts from its parents' mappings, which may live in
  // files compiled separately; "never used" would be a false alarm there.
  bool chained = std::any_of(tree_->starts.begin(), tree_->starts.end(),
                             [](const ast::Start& s) { return s.event.text == "chain"; });
  for (const ast::Fact& f : tree_->facts) {
    if (!chained && ctx_.used_facts.count(f.name.text) == 0) {
      ctx_.diags->Warning(f.name.offset, "W006", "fact '" + f.name.text + "' is never used");
    }
  }
  for (const ast::Verb& verb : tree_->verbs) {
    const ast::Name& v = verb.name;
    if (ctx_.used_verbs.count(v.text) == 0) {
      ctx_.diags->Warning(v.offset, "W007", "verb '" + v.text + "' is never used");
    }
  }
  for (const ast::Name& r : tree_->roles) {
    if (ctx_.used_roles.count(r.text) == 0) {
      ctx_.diags->Warning(r.offset, "W010", "role '" + r.text + "' is never used");
    }
  }
  for (const ast::Name& w : tree_->workflows) {
    if (ctx_.used_workflows.count(w.text) == 0) {
      ctx_.diags->Warning(w.offset, "W015",
                          "workflow '" + w.text + "' is declared but never chained");
    }
  }
}

Program CheckFiles(const std::vector<ast::File>& files, DiagSink* diags) {
  WorkflowIndex index;
  for (uint32_t f = 0; f < files.size(); ++f) {
    for (const ast::Workflow& wf : files[f].workflows) {
      if (wf.name.text.empty()) continue;  // header did not parse
      diags->set_file(f);
      if (index.count(wf.name.text) != 0) {
        diags->Error(wf.name.offset, "E020",
                     "workflow '" + Clip(wf.name.text) + "' is defined twice in this compile set");
        continue;
      }
      index[wf.name.text] = WorkflowEntry{&wf, f, FactsOf(wf)};
    }
  }
  SchemaCache schema;
  Program program;
  std::map<std::string, WorkflowSpots> spots;
  for (const auto& [name, entry] : index) {
    if (entry.tree->has_syntax_errors) continue;
    diags->set_file(entry.file);
    Workflow wf;
    wf.file = std::to_string(entry.file);
    WorkflowChecker(entry.tree, &index, diags, &schema).Run(&wf, &spots[name]);
    program.workflows.push_back(std::move(wf));
  }
  CheckChainCycles(program, index, spots, diags);
  // A service code names one workflow: a ServiceRequest must not open a ticket in two.
  std::map<std::string, std::string> offered_by;
  for (const auto& [name, entry] : index) {
    diags->set_file(entry.file);
    for (const ast::Service& s : entry.tree->services) {
      auto [it, fresh] = offered_by.emplace(s.code.text, name);
      if (!fresh && it->second != name) {
        diags->Error(s.code.offset, "E091",
                     "service '" + Clip(s.code.text) + "' is already offered by workflow '" +
                         it->second + "'");
      }
    }
  }
  return program;  // sorted: `index` is an ordered map
}

}  // namespace closeloop::dsl
