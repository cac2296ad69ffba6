// The decisions, one function per kind of input (internal to the processor).
#pragma once

#include "engine/step.h"

namespace closeloop::engine {

// An agency's event: event transitions of the subject's open tickets, then start rules.
Status DecideEvent(Step& step);
// A StaffCommand: validated, then applied or rejected (CommandRejected).
Status DecideCommand(Step& step);
// A TicketChained read from the log whose child belongs here: open the child.
Status DecideChained(Step& step);
// The clock reached step.now(): fire every due timer. Timers due before `scan_from` are
// known to be spent (the previous tick handled them, and none earlier was written since),
// so the scan, and the deleted timer keys it would step over, start there.
Status DecideClock(Step& step, int64_t scan_from);
// DecideClock in parts: the tickets with something due by the step's now, in (due, id)
// order from the timer index at or after `scan_from` (one range scan) ...
Result<std::vector<std::string>> DueTickets(Step& step, int64_t scan_from);
// ... and what is due for ids[from, to), each ticket in turn.
Status DecideDue(Step& step, const std::vector<std::string>& ids, size_t from, size_t to);
// The clock passed occurrences of periodic duties: open their tickets (decide_schedule.cc).
Status DecideSchedules(Step& step);

// Shared by the deciders: after a ticket changed, fire the ladder's condition steps that
// now hold, once each.
Status FireConditionSteps(Step& step, const std::string& ticket_id);
// Runs a transition on a ticket (effects, records, state change, terminal close).
Status TakeTransition(Step& step, Ticket& t, const dsl::Workflow& wf, const dsl::Transition& tr,
                      std::string_view trigger, uint32_t version);
// Opens a ticket of `wf` in `initial` with the given facts (records TicketOpened and
// TicketRouted).
struct OpenRequest {
  const dsl::Workflow* wf = nullptr;
  std::string initial_state;
  std::map<std::string, dsl::Value> facts;
  std::string subject, jurisdiction;
  std::string parent_id, chain_id, trigger, dedup_key, ticket_id;
};
Result<std::string> OpenTicket(Step& step, const OpenRequest& req);

// Whether `wf` takes `value` for fact `name`: the fact exists (built-in or declared), and an
// enum fact only takes one of its values (otherwise it keeps the one it has).
bool AcceptsFact(const dsl::Workflow& wf, const std::string& name, const dsl::Value& value);

// Whether start rule `rule` of `wf` applies to `rec` before its condition is read: the event
// type matches, and a ServiceRequest's service_code is one the workflow offers (`service`
// statements); a workflow that declares none takes the codes no other deployed workflow
// offers, so a request never opens tickets in two workflows.
bool StartApplies(const World& world, const dsl::Workflow& wf, const dsl::StartRule& rule,
                  const fb::Record& rec, std::string_view type);

// Gives `env` the count of other tickets of `t`'s workflow about the same subject and
// category opened within a window before now (recurring hazards: `recurrences(90 days)`).
void ProvideRecurrences(Step& step, const Ticket& t, class EvalEnv& env);

// The effects of the incident loop's resource ledger (decide_dispatch.cc, dispatch.h):
// `dispatch resources` chooses on `seen` (the ticket as the transition's earlier `set`
// effects leave it); `release resources` frees what the ticket holds (the command's
// `resource` field: one of them); `answer expert` records a dispatched expert's answer and
// draws a replacement for a decline.
Status EmitDispatch(Step& step, const Ticket& cur, const Ticket& seen);
Status EmitRelease(Step& step, const Ticket& cur, std::string_view trigger);
Status EmitExpertAnswer(Step& step, const Ticket& cur);
// Why a command may not take transition `tr` because of those effects ("" when it may): the
// expert named is not one the incident holds, a decline without a reason, a release of what
// the incident does not hold. `field` is the command's field at fault.
Result<std::string> LedgerEffectProblem(Step& step, const Ticket& t, const dsl::Transition& tr,
                                        std::string* field);

// The deadline of state `state` entered at `at` (first limit whose condition holds), 0 if none.
int64_t DeadlineFor(const Step& step, const dsl::Workflow& wf, std::string_view state,
                    const Ticket& t, int64_t at);

}  // namespace closeloop::engine
