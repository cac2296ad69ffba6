// The MessagePack form ticket state had before engine/ticket_state.fbs (a sorted map with
// short string keys, written through a JSON library). Ticket::Decode still reads it, so a
// data directory written by an earlier version opens as it is; nothing writes it any more
// except tests that build such a directory.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/ticket.h"

namespace closeloop::engine {

std::string EncodeMessagePack(const Ticket& t);
Result<Ticket> DecodeMessagePack(std::string_view bytes);

}  // namespace closeloop::engine
