// Reading an engine record without knowing its type. Every engine body's first field (field
// id 0, vtable slot 4) is `ticket_id:string`: the contract stated at the top of
// events/engine.fbs and held by events/tests/engine_contract_test.cc. The applier and the
// change feed read the ticket a record is about through here, and nowhere else by slot.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include "events/record.h"

namespace closeloop::events {

// The vtable slot of `ticket_id` in every engine body.
inline constexpr flatbuffers::voffset_t kEngineTicketIdSlot = 4;

// The ticket an engine record is about, read from kEngineTicketIdSlot whatever the body's
// type; nullptr for a record that is not an engine record or names no ticket (a
// CommandRejected about an unknown ticket).
// REQUIRES: `r` passed VerifyRecord.
const flatbuffers::String* EngineTicketId(const fb::Record& r);

}  // namespace closeloop::events
