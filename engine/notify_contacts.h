// Contacts checked when a table is published: a subscription that sends e-mail or SMS to a
// roster or a department's head or duty desk needs that person's e-mail address or phone
// number, and a table that names someone without it would turn every delivery into a dead
// letter. World (engine/world.h) runs these checks when it applies a subscription or roster
// table, so the admin API (which asks the World before appending), offline publishing and
// replay all accept and refuse the same tables.
//
// What is checked (docs/operations.md, "Contacts"):
//  - a roster recipient: every person of every shift's order of that roster (whoever can be
//    on duty or paged) has the channel's contact;
//  - department_head / assignee with `match.departments`: each department named has a
//    contacts entry with the head's (or the desk's) e-mail or phone;
//  - department_head / assignee without `match.departments`: each contacts entry has it
//    (a department with no entry at all is not known to be reached; its deliveries stay
//    dead letters saying which contact is missing).
//
// Determinism: reads only its arguments; the first gap in table order is reported.
#pragma once

#include "base/status.h"
#include "engine/duty_roster.h"
#include "engine/notify_rules.h"

namespace closeloop::engine {

// A new subscription table against itself and the rosters in effect (nullptr: none).
// FailedPrecondition "subscriptions[i].to[j]: ..." naming the person or department and the
// missing e-mail or phone.
Status CheckSubscriptionContacts(const NotifyTable& notify, const RosterTable* rosters);

// A new roster table against the subscriptions in effect: FailedPrecondition
// "rosters[i].people[k].phone: ..." naming the shift and the subscription that needs it.
Status CheckRosterContacts(const RosterTable& rosters, const NotifyTable& notify);

}  // namespace closeloop::engine
