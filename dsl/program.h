// The compiled program: the form of a workflow definition the engine executes.
//
// This header is the contract between dsl/ (which produces it) and engine/ (which executes
// it). It changes additively only. Everything in it is checked: every state, verb, role,
// table, calendar, fact and event field named here exists and has the right type, so the
// engine need not re-validate names; it must still treat run-time values defensively
// (Evaluate() never fails, it yields null or false).
//
// Produced by dsl::Compile() (dsl/compile.h). A Program is immutable once built; share it
// freely between threads. Every vector below keeps source order unless it says otherwise,
// and "first match wins" wherever several entries could apply, so execution is
// deterministic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/expr.h"
#include "dsl/value.h"

namespace closeloop::dsl {

enum class Loop : uint8_t { kPrevention, kViolation, kIncident, kRequest };  // = fb::Loop
std::string_view LoopName(Loop loop);                                        // "prevention", ...

// Staff verbs every workflow understands; a workflow may declare more (`verb NAME ...`).
inline constexpr std::string_view kBuiltinVerbs[] = {
    "sign_for",       "return",   "transfer",        "request_extension", "approve_extension",
    "deny_extension", "progress", "submit_evidence", "review_pass",       "review_fail",
    "resolve",        "close",    "callback",
};
// The staff action every workflow has without naming it (no transition, any open state): the
// head of the lead department names the person who handles the ticket (承办人). A workflow
// may not declare it or take a transition on it (E023, E034).
inline constexpr std::string_view kAssignVerb = "assign";
// Roles every workflow understands; a workflow may declare more (`role NAME`).
// assignee = staff of the lead department; assist = staff of an assisting department;
// head = head of the lead department; requester = whoever opened a request-loop ticket.
inline constexpr std::string_view kBuiltinRoles[] = {
    "assignee", "assist", "supervisor", "inspector", "admin", "head", "requester",
};

enum class FactType : uint8_t { kBool, kInt, kDouble, kString, kDuration, kEnum };

// A fact the ticket carries. Built-in facts always exist (kBuiltinFacts); the engine owns
// the built-in counters and keeps them current:
//   category (string), severity (enum unknown|general|major, default "unknown"),
//   jurisdiction (string, from the opening record's envelope), subject (string, idem),
//   returns (int: +1 on every `return` verb), reopens (int: +1 on every `reopen` effect),
//   extensions (int: +1 on every approved extension), overdue_count (int: +1 on every
//   `mark overdue` action), state (string: current state), lead (string: lead department),
//   version (int: ticket version), id (string: ticket id), parent_id (string: the ticket
//   this one was chained from, "" if none), opened_at (int: ms since the epoch),
//   assists (int: how many assisting departments the routing gave it; added later).
struct FactDecl {
  std::string name;
  FactType type = FactType::kString;
  std::vector<std::string> enum_values;  // kEnum: allowed values, in declared order
  Value initial;                         // the default; never null for declared facts
  bool builtin = false;
};
inline constexpr std::string_view kBuiltinFacts[] = {
    "category", "severity",   "jurisdiction",  "subject",   "returns",
    "reopens",  "extensions", "overdue_count", "state",     "lead",
    "version",  "id",         "parent_id",     "opened_at", "assists",
};

// `fact <- expression`. Assignments run in order; each sees the facts set before it. The
// checker proved the types match; an enum fact assigned a run-time string that is not one
// of its values (e.g. from event.fields["k"]) keeps its previous value, and a null value
// leaves the fact unchanged.
struct Assignment {
  std::string fact;
  Expr value;
};

// A deduplication rule (alarm storms): when an open ticket of this workflow has the same
// key values and was opened no longer than `window` ago, the event is attached to it
// (EventAttached) instead of opening a new ticket.
struct Dedup {
  std::vector<Expr> keys;  // evaluated after the start rule's assignments
  Duration window;         // calendar units only (checked)
};

// What opens a ticket. Start rules are tried in order; the first whose event type matches
// and whose condition holds wins. Evaluation order for an incoming record:
//   1. `condition` against Env{event = the record, ticket facts = defaults, with subject and
//      jurisdiction taken from the record's envelope};
//   2. `assignments` in order (each updates the provisional facts);
//   3. `dedup` keys (if any) against the provisional facts; a match attaches the record;
//   4. otherwise the ticket opens in `initial_state` and is routed.
struct StartRule {
  std::string event_type;         // a union Body member name, e.g. "SensorAlarm"
  std::optional<Expr> condition;  // absent = always
  std::vector<Assignment> assignments;
  std::optional<Dedup> dedup;
  std::string initial_state;
  uint32_t offset = 0;
};

// One key column of a routing lookup: the table's column and the value it must match.
struct RouteKey {
  std::string column;
  Expr value;  // over ticket facts; evaluated once, when the ticket opens
};
// Routing: look up `table` (a RoutingTableUpdated table) with the key values, by the
// engine's routing rules (docs/reference-data.md: the most specific matching row wins, a
// key a row leaves out matches anything); the row gives the lead and assist departments.
// No row, or a key whose value is null or not a string -> `fallback` leads.
// Added after the first contract (additive): `route to kind "K"` sets `kind` and leaves
// `table` empty and `keys` empty: the lead is the department of kind K (departments
// reference table, e.g. "discipline", "safety_office", "emergency_management") at the level
// of the ticket's district (district(jurisdiction)), else the city-level one of kind K, else
// `fallback`. No assisting departments.
struct Routing {
  std::string table;
  std::vector<RouteKey> keys;  // in the table's declared key order
  std::string fallback;        // a department id, never empty; with fallback_is_kind a kind
  std::string kind;            // non-empty: route to the department of this kind (see above)
  // Added after the first contract (additive): `fallback kind "K"` makes `fallback` a
  // department kind, so a workflow names no city's department ids: the fallback lead is the
  // city-level department of kind K (engine/routing.h). The World refuses the workflow while
  // no city-level department of kind K exists, and a departments table that would leave none.
  bool fallback_is_kind = false;
};

// A time limit. A state's limits are tried in order; the first whose condition holds (or
// has none) applies, evaluated when the state is entered, with the facts the entering
// transition's `set` effects give. No match = no limit.
struct TimeLimit {
  std::optional<Expr> condition;
  Duration duration;  // kMonths: calendar months (engine::AddDuration); unused with `until`
  // `limit until EXPR`: the deadline itself, an int of ms since the epoch over the ticket's
  // facts (a due date the city's own data carries, set from the opening event). No deadline
  // when it is null or 0.
  std::optional<Expr> until;
};

enum class TriggerKind : uint8_t {
  kVerb,   // a StaffCommand with this verb on this ticket
  kEvent,  // an ingress record of `event_type` whose subject equals the ticket's subject
  kTimer,  // `after` has passed since the ticket entered the current state
};

enum class EffectKind : uint8_t {
  kSet,         // fact <- value
  kIncrement,   // fact <- fact + 1 (a declared int fact)
  kReopen,      // mark the ticket reopened: reopens + 1, TicketReopened
  kResolution,  // record the resolution code `code` (TicketResolved.resolution)
  // Added after the first contract (additive): `dispatch resources`. The engine matches the
  // contingency plan for the ticket (category = incident type, fact `level` or severity,
  // district) and writes one ResourcesDispatched: the nearest suitable teams and materials and
  // experts drawn "double random" with a seed recorded in the record (engine/dispatch.h).
  kDispatch,
  // Added later (additive): `release resources` writes one ResourcesReleased: the teams and
  // experts the ticket holds (a verb's `resource` field names one of them, else all) go
  // back to the ledger, so another incident may be sent them.
  kRelease,
  // `answer expert`: a dispatched expert's answer (the verb's fields `expert`, `answer`
  // accept|decline, `reason`), one ExpertAnswered; a decline draws a replacement.
  kAnswerExpert,
};
struct Effect {
  EffectKind kind = EffectKind::kSet;
  std::string fact;  // kSet, kIncrement
  Expr value;        // kSet
  std::string code;  // kResolution
};

// A transition out of a state. For a given trigger the engine tries the state's
// transitions in order and takes the first whose trigger matches, whose `roles` admit the
// actor's role (kVerb only) and whose guard holds; none matching a verb = CommandRejected.
// Env::EventField in guards and effects reads the triggering record's body (the
// StaffCommand for verbs: event.reason, event.note, event.days, event.fields["k"]).
// `target` empty = stay in the current state. Semantics the engine must keep: the state
// clock (time limit, timers, escalation steps) restarts only when target != current state,
// so a `return` back to the same state never resets the clock.
struct Transition {
  TriggerKind trigger = TriggerKind::kVerb;
  std::string verb;                // kVerb: built-in or declared verb
  std::string event_type;          // kEvent
  Duration after;                  // kTimer
  std::vector<std::string> roles;  // kVerb: allowed roles; empty = any role
  std::optional<Expr> guard;       // absent = always
  std::string target;              // a state name, or "" to stay
  std::vector<Effect> effects;     // applied in order, before the state changes
  std::string rule;                // "STATE/on VERB#N": names the transition in records
  uint32_t offset = 0;
};

struct State {
  std::string name;
  bool terminal = false;          // entering it closes the ticket (TicketClosed)
  std::vector<TimeLimit> limits;  // empty for terminal states (checked)
  std::vector<Transition> transitions;
  std::string title_en, title_zh;  // optional display names
  uint32_t offset = 0;
};

// Added after the first contract (additive): a statutory clock that spans several states
// (`clock NAME DURATION in STATE, ... [paused in STATE, ...]`), e.g. the 90 days from filing
// to decision of the Administrative Penalty Law art. 60 across investigation, notice and
// decision, with the hearing and appraisal periods excluded. Semantics the engine keeps:
//   - the clock starts when the ticket enters one of `states` from a state outside them
//     (or opens in one): deadline = then + `duration` (calendar units only, checked);
//   - moving between its states keeps the deadline, the ladder's spent time steps and the
//     overdue mark (one clock, one set of reminders and overdue marks, not one per state);
//   - in a `paused` state there is no deadline; the time left is kept
//     (TicketTransitioned.clock_left) and the deadline on leaving the pause is then + that
//     time, so the paused period does not count; `at P% of limit` counts from the clock's
//     start, moved later by the paused time;
//   - leaving its states for a state outside them ends it.
// A clock's states have no `limit` of their own, belong to one clock only, and a ticket
// does not start in a paused state (checked). Approved extensions move the running clock's
// deadline as they move a state's.
struct Clock {
  std::string name;
  Duration duration;                // calendar units
  std::vector<std::string> states;  // where it runs or is paused, source order
  std::vector<std::string> paused;  // a subset of `states`
  uint32_t offset = 0;
  bool Covers(std::string_view state) const;
  bool Pauses(std::string_view state) const;
};

// Extension policy: at most `max_count` approved extensions per ticket, each at most
// `max_each` (a request for more is rejected). max_count 0 = extensions not allowed.
struct ExtensionPolicy {
  uint32_t max_count = 0;
  Duration max_each;
};

enum class StepTriggerKind : uint8_t {
  kFraction,    // at `percent`% of the current state's time limit (1..99)
  kAtLimit,     // when the current state's limit runs out
  kAfterLimit,  // `after` past the current state's limit
  kCondition,   // whenever `condition` over the ticket's facts holds
};
enum class ActionKind : uint8_t {
  kRemind,          // TicketReminded to `roles`
  kNotifyHead,      // notify the head of the lead department
  kMarkOverdue,     // TicketOverdue; overdue_count + 1
  kEscalateParent,  // TicketEscalated to the lead department's parent department
  kArbitration,     // TicketEscalated to the safety-committee office for arbitration
  kChain,           // open a ticket in `workflow` (TicketChained), facts from `mapping`
  // Added after the first contract (additive): `lead city`. The city-level department of the
  // lead department's kind (departments reference table) takes the lead (TicketTransferred),
  // e.g. an incident graded 较大 or above moves from the district's emergency-management
  // bureau to the city's. Nothing when the lead is already city-level or the city has none.
  kLeadCity,
};
struct Action {
  ActionKind kind = ActionKind::kRemind;
  std::vector<std::string> roles;  // kRemind
  std::string workflow;            // kChain: the child workflow's name
  // kChain: child fact <- expression over THIS ticket. When the child was compiled
  // separately (`uses workflow`), a name may not be one of its facts: skip those.
  std::vector<Assignment> mapping;
};
// One step of the ladder. Time steps (kFraction, kAtLimit, kAfterLimit) fire at most once
// per state visit and only in states that have a limit; condition steps fire once per
// ticket, the first time the condition holds after a change to the ticket. `states`, when
// not empty, restricts the step to those states. The step's `name` is the "rule" the
// engine writes into TicketReminded/TicketOverdue/TicketEscalated/TicketChained.
struct EscalationStep {
  std::string name;
  StepTriggerKind trigger = StepTriggerKind::kAtLimit;
  uint32_t percent = 0;           // kFraction
  Duration after;                 // kAfterLimit
  std::optional<Expr> condition;  // kCondition
  std::vector<std::string> states;
  std::vector<Action> actions;  // in order
  uint32_t offset = 0;
};

// A periodic duty: every `every_months` months (1 monthly, 3 quarterly), on `day` of the
// month (1..28) at `minute_of_day` (local time of the workflow's calendar, Asia/Shanghai
// for prc), for each row of reference table `member_table` for which `filter` holds, open
// one ticket (trigger "schedule") in `initial_state` with facts from `assignments`
// (member.* available; `subject` should be assigned). Periods are counted from January:
// every_months 3 fires in Jan, Apr, Jul, Oct.
struct Schedule {
  std::string name;
  uint32_t every_months = 1;
  uint32_t day = 1;
  uint32_t minute_of_day = 0;
  std::string member_table;
  std::optional<Expr> filter;
  std::vector<Assignment> assignments;
  std::string initial_state;
  uint32_t offset = 0;
};

// What a verb takes (`verb NAME` and its `field` lines). A field named reason, note, days,
// to_department or evidence is the StaffCommand's own slot of that name (the checker holds
// each to its kind: text, text, working days, department, attachments); any other name is
// an entry of the command's `fields` (key = the name, value = the text). A command of a
// declared verb is rejected (CommandRejected naming the field) when a required field is
// missing or empty, a value breaks its kind (a choice not listed, a number out of range,
// working days beyond the bound), or it carries a field the verb does not declare
// (dsl/verb_fields.h: CheckCommandFields). Verbs without a declaration, or declared bare
// (`verb NAME` with neither title nor fields), have no VerbDecl and take anything.
enum class FieldKind : uint8_t {
  kText,         // free text
  kYesNo,        // "yes" or "no"
  kNumber,       // a decimal number, optionally within [min, max]
  kWorkingDays,  // a whole number of working days, 1..max (request_extension: at most the
                 // workflow's `extensions ... each at most` when that is in working days)
  kDepartment,   // a department id of the reference data
  kAttachments,  // a list of evidence URIs
  kChoice,       // one of `choices`
};
std::string_view FieldKindName(FieldKind kind);  // "text", "yes_no", "number", ...
struct FieldChoice {
  std::string value, title_en, title_zh;
};
struct VerbField {
  std::string name;
  FieldKind kind = FieldKind::kText;
  bool required = false;
  std::string title_en, title_zh;
  std::vector<FieldChoice> choices;  // kChoice, in declared order
  bool bounded_below = false, bounded_above = false;
  double min = 0, max = 0;  // kNumber, kWorkingDays (max)
};
struct VerbDecl {
  std::string name;
  bool builtin = false;
  std::string title_en, title_zh;
  std::vector<VerbField> fields;                            // declared order
  const VerbField* FindField(std::string_view name) const;  // nullptr if none
};

// A service the workflow offers to Open311 clients (`service` statement): a ServiceRequest with
// this `service_code` is this workflow's. The service list and the service definitions of
// GeoReport v2 are drawn from these declarations and the workflow's facts.
struct ServiceDecl {
  std::string code;
  std::string title_en, title_zh, description_en, description_zh, group_en, group_zh;
};

struct Workflow {
  std::string name;
  uint32_t version = 0;
  Loop loop = Loop::kPrevention;
  std::string title_en, title_zh;
  std::string calendar;            // default calendar for working time
  std::vector<FactDecl> facts;     // built-ins first (kBuiltinFacts order), then declared
  std::vector<std::string> verbs;  // declared custom verbs
  // Added after the first contract (additive): every `verb` declaration, custom and built-in,
  // with the fields it takes, in source order.
  std::vector<VerbDecl> verb_decls;
  std::vector<ServiceDecl> services;  // added after the first contract (additive); source order
  std::vector<std::string> roles;     // declared custom roles
  std::vector<StartRule> starts;
  std::optional<Routing> routing;  // absent = no routing (lead stays "")
  std::vector<State> states;       // declaration order
  ExtensionPolicy extensions;
  std::vector<Clock> clocks;  // added after the first contract (additive); see Clock
  std::vector<EscalationStep> escalation;
  std::vector<Schedule> schedules;
  std::vector<std::string> chains_to;  // workflows this one may chain, sorted
  // The state a ticket opened by another workflow's `chain` action enters: from
  // `start on chain enter STATE`, else the first declared state.
  std::string chain_entry_state;
  bool chain_start_declared = false;  // the source says `start on chain enter ...`
  std::string file;                   // the source file it came from

  const State* FindState(std::string_view name) const;          // nullptr if none
  const FactDecl* FindFact(std::string_view name) const;        // nullptr if none
  const VerbDecl* FindVerb(std::string_view name) const;        // nullptr if not declared
  const ServiceDecl* FindService(std::string_view code) const;  // nullptr if not offered
  const Clock* ClockOf(std::string_view state) const;           // the clock covering it, or nullptr
};

// Everything one Compile() produced: workflows sorted by name.
struct Program {
  std::vector<Workflow> workflows;
  const Workflow* Find(std::string_view name) const;  // nullptr if none
};

}  // namespace closeloop::dsl
