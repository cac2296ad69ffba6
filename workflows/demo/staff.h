// Simulated staff: what the people who work a ticket do next, read from the ticket's
// workflow (the transitions out of its current state and who may take them), so the same
// staff work whatever workflows are deployed. Used by the stream generator (on its own
// Foresight of the engine) and by the live demo (on the engine's state).
//
// A decision is a pure function of (seed, ticket id, version, state, ...): asking twice
// about the same ticket gives the same answer, and the generator and the live demo agree on
// which tickets are worked and which are left to run overdue.
//
// How tickets are worked (per ticket, drawn from its id):
//  - most are diligent: each step well inside the state's time limit;
//  - some are slow: past the limit (reminded, marked overdue), then done;
//  - some are neglected: staff stop at one state (preferably one whose ladder ends in a
//    chain to the discipline inspectors) and the ladder runs its course;
//  - some ping-pong: the lead and another department return it to each other until the
//    ladder sends it to arbitration.
// Along the way: false alarms dismissed, progress notes, extensions requested and approved
// or denied by the safety-committee office, reviews failed, unsatisfied callbacks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dsl/program.h"
#include "engine/reference_data.h"
#include "engine/ticket.h"
#include "workflows/demo/city.h"

namespace closeloop::demo {

enum class Temperament { kDiligent, kSlow, kNeglected, kPingPong };
Temperament TemperamentOf(uint64_t seed, const std::string& ticket_id);

// One thing someone does about a ticket: a StaffCommand, or an agency's event that the
// workflow waits for (an enterprise's SelfInspection, an enforcement system's step).
struct StaffAction {
  int64_t at = 0;          // when, ms since the epoch (never before the state was entered)
  std::string event_type;  // "StaffCommand" or the event's body type
  std::string verb, role, department;
  std::string reason, note, to_department;
  int days = 0;
  bool evidence = false;
  // StaffCommand.fields, or the event's body fields (strings; numbers as text are typed
  // when the record is written).
  std::map<std::string, std::string> fields;
  // The fields the verb declares (its workflow's `verb` statement), when it declares them:
  // the command then carries those and no others, as a form drawn from them would.
  bool declared = false;
  std::vector<std::string> takes;
};

// What happens next about `t` (open, in a state of `wf`), or nothing: nobody acts (a
// neglected ticket, a state that waits for a timer or an event no agency sends).
std::optional<StaffAction> DecideNext(uint64_t seed, const dsl::Workflow& wf,
                                      const engine::Ticket& t, const engine::ReferenceData& ref);

// Whether `t`'s current state offers someone with `person`'s claims (role, department) a
// step, as the engine's permission predicate (engine/permission.h FireRefusal) decides:
// a verb transition that names its roles (a verb open to anyone counts for nobody), whose
// guard, as far as it reads the ticket alone, holds, except as an assisting department
// (assisting staff do not own a ticket); approve_extension / deny_extension only while an
// extension is pending, request_extension only while one may still be asked for.
bool OffersStep(const dsl::Workflow& wf, const engine::Ticket& t, const engine::ReferenceData& ref,
                const Persona& person);

// Whether `person` works tickets, so the live demo leaves their steps to them: the directory
// roles staff, head, supervisor and inspector (not auditor, admin or publisher).
bool WorksTickets(const Persona& person);

// The role claim a command taking workflow role `role` carries (engine/permission.h): the
// lead's and the assisting departments' staff claim "staff"; every other role claims itself.
std::string RoleClaim(const std::string& role);

// The record (JSON, one line, no "id") that carries `a` about `t`. `expected_version` 0
// means unchecked; the live demo passes the version it read, so a command the engine has
// already seen acted on is rejected rather than repeated.
std::string ActionRecord(const engine::Ticket& t, const StaffAction& a, uint32_t expected_version);

}  // namespace closeloop::demo
