// What a notification says about an engine record: the department it concerns, whether a
// subscription matches it, and the values its templates' placeholders take. Shared by the
// outbox (engine/outbox.h: what is sent) and duty paging (engine/duty.h: whom to page, with
// which message), so both read a record the same way.
//
// Determinism: reads only the record, its ticket and the World.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/notify_rules.h"
#include "engine/ticket.h"
#include "engine/world.h"
#include "events/record.h"

namespace closeloop::engine {

// What a record says beyond its ticket.
struct NotifyFacts {
  std::string department;  // the department it concerns: its own, else the ticket's lead
  std::string rule, reason, level;
  int64_t deadline_at = 0;  // the record's deadline, else the ticket's (0: none)
};

NotifyFacts NotifyFactsOf(const fb::Record& rec, const Ticket& t);

// Whether `sub`'s match (types, workflows, states, departments, severities) holds.
bool SubscriptionMatches(const Subscription& sub, std::string_view type, const Ticket& t,
                         std::string_view department);

// The placeholders' values (NotifyPlaceholders()) for `rec` about `t`, names in `language`,
// the deadline in IANA zone `zone` (the recipient's calendar's).
std::map<std::string, std::string> NotifyValues(const fb::Record& rec, const Ticket& t,
                                                const NotifyFacts& facts, const World& world,
                                                const std::string& language,
                                                const std::string& zone);

}  // namespace closeloop::engine
