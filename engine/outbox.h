// The notification outbox: deliveries written by the processor in the same commit as the
// engine records that caused them, for a deliverer outside processing to send
// (connectors/notify). One delivery per record x matching subscription, its id derived from
// both ("<record id>.<subscription id>"), so a batch processed again after a crash writes the
// same keys, and a receiver can deduplicate on it.
//
// Keys (beside engine/keys.h, same layout, own tags):
//   P nb.<delivery id>    a delivery waiting to be sent -> its JSON (OutboxWriter)
//   P nd.<delivery id>    the deliverer's progress: attempts, next attempt, delivered, dead
//
// Only live processing writes deliveries: rebuild and reprocess (`closeloop replay`) decide
// nothing new to send, so they never deliver again. The outbox and the progress are
// therefore not derived state: StateDigest leaves them out (IsOutboxKey).
//
// Thread-safety: OutboxWriter is used by one processor thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store.h"
#include "engine/ticket_table.h"
#include "engine/world.h"

namespace closeloop::events {
class JsonCodec;
}

namespace closeloop::engine::outbox {

std::string PendingKey(uint32_t p, std::string_view delivery_id);
std::string ProgressKey(uint32_t p, std::string_view delivery_id);
// True for keys of either tag, whatever the partition.
bool IsOutboxKey(std::string_view key);

std::string DeliveryId(std::string_view record_id, std::string_view subscription_id);

// Reading the outbox (the deliverer, connectors/notify/deliverer.h): each entry of a
// partition, in delivery-id order, as its id and its stored JSON, until `fn` returns false.
using EntryFn = std::function<bool(std::string_view delivery_id, std::string_view json)>;
// The deliveries waiting to be sent.
Status ForEachPending(const StateReader& state, uint32_t p, const EntryFn& fn);
// The deliverer's progress records: retrying ones and dead letters.
Status ForEachProgress(const StateReader& state, uint32_t p, const EntryFn& fn);
// One delivery's progress (JSON), if it has any.
Result<std::optional<std::string>> ReadProgress(const StateReader& state, uint32_t p,
                                                std::string_view delivery_id);

class OutboxWriter {
 public:
  OutboxWriter();
  ~OutboxWriter();

  // For each record of `records` (record bytes as emitted) and each subscription of the
  // World's table that matches it, puts a delivery into `tickets.state()`. `now` is the
  // engine's clock: the delivery's creation time and the base of its quiet-hours wait.
  Status Write(const std::vector<std::string>& records, TicketTable& tickets, int64_t now);

 private:
  std::unique_ptr<events::JsonCodec> codec_;  // created on first use
};

}  // namespace closeloop::engine::outbox
