// The applier: the only code that changes tickets. It folds one engine record into state.
// The processor calls it for each record it emits (so decisions see their own effects),
// and `replay` calls it for each recorded engine record (so state is rebuilt from the log
// without re-running any workflow logic). Both paths therefore produce the same bytes.
#pragma once

#include "engine/ticket_table.h"
#include "events/record.h"

namespace closeloop::engine {

// Applies `record` (an engine record, verified; `bytes` its stored form) to the ticket it
// names. Records about a ticket this partition does not hold are ignored (e.g. the copy of
// a TicketChained sent to the child's partition). Control and ingress records: no-op.
Status ApplyEngineRecord(const fb::Record& record, std::string_view bytes, TicketTable& tickets);

}  // namespace closeloop::engine
