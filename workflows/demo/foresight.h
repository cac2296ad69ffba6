// What the engine will make of the generator's records, as far as simulated staff need to
// know: which tickets the agencies' events open (and their ids, derived as engine/step.cc
// NewTicketId derives them), what state each is in, who leads it and when its state's time
// limit runs out. It evaluates the deployed workflows with the engine's own pieces (World,
// EvalEnv, routing tables, calendars), so staff name tickets and pick verbs the engine will
// accept, without running the engine.
//
// Modelled: start rules with conditions and dedup, routing, verb transitions with role
// checks, guards and effects, event transitions, timer transitions, returns and transfers,
// and the ladder's condition steps (`step NAME when ...`), which the engine fires in the
// same step as the change that makes them true: `lead city` moves the lead (an incident
// graded 较大 is the city's, and staff of the city act on it from then on).
// Not modelled: the ladder's time steps (reminders and overdue marks change no state or
// lead), chained tickets (the engine opens a child when it reads its TicketChained back from
// the log, after every record published before it: with a whole stream published at once,
// long after staff would act), scheduled tickets (their ids depend on the engine's scans),
// extensions' new deadlines. A staff
// command the model gets wrong comes back from the engine as CommandRejected, which the
// stream's counts would show in `closeloop tickets` as an unmoved ticket.
//
// Not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/ticket.h"
#include "engine/world.h"
#include "events/record.h"

namespace closeloop::demo {

class Foresight {
 public:
  explicit Foresight(uint32_t partitions) : partitions_(partitions) {}

  // A control record (verified bytes): WorkflowDeployed, CalendarUpdated, reference data.
  // A ClockTick moves the clock and fires the timer transitions that fall due.
  Status ApplyControl(const fb::Record& record);

  // An agency's event or a staff command, as the engine will process it at the current
  // clock. Returns the ids of tracked tickets it opened or changed (state, lead, version).
  std::vector<std::string> Apply(const fb::Record& record);

  // The ids of tickets whose timers fired at the last ClockTick.
  std::vector<std::string> TakeTimerChanges();

  const engine::Ticket* Find(const std::string& id) const;
  const dsl::Workflow* WorkflowOf(const engine::Ticket& t) const;
  const engine::World& world() const { return world_; }
  int64_t now() const { return now_; }
  uint32_t partitions() const { return partitions_; }
  size_t open_tickets() const { return open_; }

  // Forgets closed tickets (memory stays bounded over a year of events).
  void Forget(const std::string& id);

 private:
  void OpenFrom(const fb::Record& rec, std::vector<std::string>* changed);
  bool TakeVerb(const fb::Record& rec, engine::Ticket& t);
  void Enter(engine::Ticket& t, const dsl::Workflow& wf, const dsl::State* target,
             const fb::Record* cause);
  int64_t DeadlineFor(const dsl::Workflow& wf, const engine::Ticket& t,
                      const fb::Record* cause) const;
  void ArmTimers(const dsl::Workflow& wf, const engine::Ticket& t);
  // The engine's FireConditionSteps after ticket `id` changed on `cause`
  // (engine/decide_time.cc): a `lead city` moves the lead (the id goes into `changed`, so
  // staff plan again as the new lead); a chain is marked spent, as the engine spends it.
  void FireConditionSteps(const std::string& id, const fb::Record* cause,
                          std::vector<std::string>* changed);

  uint32_t partitions_;
  engine::World world_;
  int64_t now_ = 0;
  size_t open_ = 0;
  std::map<std::string, engine::Ticket> tickets_;
  // Open tickets by subject (event transitions), ids in order as the engine scans them.
  std::map<std::string, std::set<std::string>> by_subject_;
  // (workflow, dedup key) -> ticket id.
  std::map<std::pair<std::string, std::string>, std::string> dedup_;
  // Timer transitions: due time -> (ticket id, state_entered_at of the visit armed for).
  std::multimap<int64_t, std::pair<std::string, int64_t>> timers_;
  std::vector<std::string> timer_changes_;
  // Step::ticket_seq_ of the record being applied: tickets it opened so far.
  uint32_t seq_ = 0;
};

}  // namespace closeloop::demo
