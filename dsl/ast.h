// The syntax tree: what the parser produced, before names and types are checked. Every
// node keeps the byte offset of its first token; line and column are computed only when a
// diagnostic is printed. Internal to dsl/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/program.h"
#include "dsl/value.h"

namespace closeloop::dsl::ast {

struct Name {
  std::string text;
  uint32_t offset = 0;
};

struct Duration {
  int64_t count = 0;
  DurationUnit unit = DurationUnit::kMinutes;
  std::optional<Name> calendar;  // `on NAME`
  uint32_t offset = 0;
};

struct Expr {
  enum class Kind : uint8_t {
    kLiteral,  // literal
    kPath,     // path: `returns`, `event.level`, `ticket.category`, `member.active`
    kIndex,    // path["key"]: `event.attrs["plant"]`
    kCall,     // path[0](args): `recurrences(90 days)`
    kUnary,    // op (kNot, kNeg), args[0]
    kBinary,   // op, args[0], args[1]; and/or are n-ary (args[0..n])
    kIn,       // args[0] in [args[1..]]; `negated` for `not in`
  };
  Kind kind = Kind::kLiteral;
  ExprOp op = ExprOp::kLiteral;
  Value literal;
  std::optional<Duration> duration;  // kLiteral written as a duration (calendar unresolved)
  std::vector<Name> path;
  std::string key;
  bool negated = false;
  std::vector<Expr> args;
  uint32_t offset = 0;
};

struct Assign {
  Name fact;
  Expr value;
};

struct Start {
  Name event;
  std::optional<Expr> when;
  std::vector<Assign> sets;
  bool has_dedup = false;
  std::vector<Expr> dedup_keys;
  Duration window;
  Name enter;
  uint32_t offset = 0;
};

struct RouteKey {
  Name column;
  Expr value;
};
struct Route {
  Name table;
  std::vector<RouteKey> keys;
  std::string kind;  // `route to kind "K"`: the department of kind K in the ticket's district
  uint32_t kind_offset = 0;
  std::string fallback;           // a department id, or with fallback_is_kind a kind
  bool fallback_is_kind = false;  // `fallback kind "K"`: the city-level department of kind K
  uint32_t fallback_offset = 0;
  uint32_t offset = 0;
};

struct Limit {
  Duration duration;
  std::optional<Expr> until;  // `limit until EXPR`: the deadline itself, instead of a duration
  std::optional<Expr> when;
  uint32_t offset = 0;
};

struct Effect {
  EffectKind kind = EffectKind::kSet;
  Name fact;
  Expr value;
  std::string code;
  uint32_t offset = 0;
};

struct Transition {
  TriggerKind trigger = TriggerKind::kVerb;
  Name verb;       // kVerb
  Name event;      // kEvent
  Duration after;  // kTimer
  std::vector<Name> roles;
  std::optional<Expr> when;
  std::optional<Name> target;
  std::vector<Effect> effects;
  uint32_t offset = 0;
};

struct State {
  Name name;
  bool terminal = false;
  std::string title_en, title_zh;
  std::vector<Limit> limits;
  std::vector<Transition> transitions;
};

struct Action {
  ActionKind kind = ActionKind::kRemind;
  std::vector<Name> roles;
  Name workflow;
  std::vector<Assign> mapping;
  uint32_t offset = 0;
};

struct Step {
  Name name;
  StepTriggerKind trigger = StepTriggerKind::kAtLimit;
  uint32_t percent = 0;
  Duration after;
  std::optional<Expr> when;
  std::vector<Name> states;
  std::vector<Action> actions;
};

struct Schedule {
  Name name;
  uint32_t every_months = 1;
  uint32_t day = 1;
  uint32_t minute_of_day = 0;
  Name table;
  std::optional<Expr> where;
  std::vector<Assign> sets;
  Name enter;
};

struct Fact {
  Name name;
  FactType type = FactType::kString;
  std::vector<std::string> enum_values;
  std::optional<Expr> initial;
};

struct Table {  // uses table NAME keys (a, b)
  Name name;
  std::vector<Name> keys;
};
struct Reference {  // uses reference NAME fields (a string, b bool)
  Name name;
  std::vector<std::pair<Name, FactType>> fields;
};

// `verb NAME [title ...]` and the `field` lines under it (program.h: VerbDecl).
struct FieldChoice {
  std::string value, title_en, title_zh;
  uint32_t offset = 0;
};
struct VerbField {
  Name name;
  FieldKind kind = FieldKind::kText;
  bool required = false;
  std::string title_en, title_zh;
  std::vector<FieldChoice> choices;  // kChoice
  std::optional<double> min, max;    // kNumber: `from A to B`; kWorkingDays: `up to B`
  uint32_t offset = 0;
};
struct Verb {
  Name name;
  std::string title_en, title_zh;
  std::vector<VerbField> fields;
};

// `service CODE title STRING [zh STRING] [description STRING [zh STRING]] [group STRING [zh
// STRING]]` (program.h: ServiceDecl).
struct Service {
  Name code;
  std::string title_en, title_zh, description_en, description_zh, group_en, group_zh;
  uint32_t offset = 0;
};

struct Extensions {
  uint32_t max_count = 0;
  std::optional<Duration> max_each;
  uint32_t offset = 0;
};

// `clock NAME DURATION in STATE, ... [paused in STATE, ...]` (program.h: Clock).
struct Clock {
  Name name;
  Duration duration;
  std::vector<Name> states;
  std::vector<Name> paused;
  uint32_t offset = 0;
};

struct Workflow {
  Name name;
  uint32_t version = 0;
  uint32_t version_offset = 0;
  Loop loop = Loop::kPrevention;
  std::string title_en, title_zh;
  bool has_syntax_errors = false;  // set by the parser: the checker then skips this workflow
  std::optional<Name> calendar;    // `calendar NAME`: the default for working time
  std::vector<Name> calendars;     // `uses calendar NAME`
  std::vector<Table> tables;
  std::vector<Reference> references;
  std::vector<Name> workflows;  // `uses workflow NAME`
  std::vector<Fact> facts;
  std::vector<Verb> verbs;
  std::vector<Service> services;
  std::vector<Name> roles;
  std::vector<Start> starts;
  std::optional<Route> route;
  std::vector<State> states;
  std::optional<Extensions> extensions;
  std::vector<Clock> clocks;
  std::vector<Step> steps;
  std::vector<Schedule> schedules;
};

struct File {
  std::vector<Workflow> workflows;
};

}  // namespace closeloop::dsl::ast
