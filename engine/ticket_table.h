// Tickets in state, with every index kept in step (keys.h): each Save() removes the index
// entries the ticket had and writes the ones it has now, in the same overlay.
#pragma once

#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

#include "engine/store.h"
#include "engine/ticket.h"
#include "engine/world.h"

namespace closeloop::engine {

// Decoded tickets a processor keeps between steps, and the tickets it changed in the batch
// it has not committed yet (write-back): a ticket that several records of a batch touch is
// encoded and written once, by Flush, just before the commit. Sized in bytes
// (Ticket::ApproxBytes), least recently used out first; a changed ticket stays until Flush.
// It mirrors what the processor has written, committed or not, so the processor clears it
// whenever a commit fails. Not thread-safe.
class TicketCache {
 public:
  explicit TicketCache(size_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}
  static constexpr size_t kDefaultBudget = size_t{64} << 20;

  const Ticket* Find(std::string_view id);
  // A ticket as it is in state (read from it).
  void Put(const Ticket& t) { Insert(t, false); }
  // A ticket changed in this batch: Flush writes it.
  void Write(const Ticket& t) { Insert(t, true); }
  // Encodes every changed ticket once into `state` under its key (keys::Ticket), then keeps
  // the cache within its budget. Returns how many tickets it wrote.
  size_t Flush(uint32_t partition, Overlay& state);
  void Clear();

  size_t bytes() const { return bytes_; }
  size_t size() const { return map_.size(); }
  size_t budget() const { return budget_; }

 private:
  struct Entry {
    Ticket ticket;
    size_t bytes = 0;
    bool dirty = false;
    std::list<std::string>::iterator lru;  // position in lru_ (front: most recent)
  };
  void Insert(const Ticket& t, bool dirty);
  void Evict();

  size_t budget_;
  size_t bytes_ = 0;
  std::unordered_map<std::string, Entry> map_;
  std::list<std::string> lru_;
  std::vector<std::string> dirty_;  // ids changed since the last Flush (may repeat)
};

// Not thread-safe; lives for one processing step. `state` and `world` must outlive it.
class TicketTable {
 public:
  TicketTable(uint32_t partition, Overlay& state, const World& world, TicketCache* cache = nullptr)
      : partition_(partition), state_(state), world_(world), cache_(cache) {}

  Result<std::optional<Ticket>> Load(std::string_view id) const;
  // Writes `after`, recomputing its next_due, and moves its index entries and its counters
  // (counters.h) from `before`; `at` is the time of the record that changed it.
  Status Save(const std::optional<Ticket>& before, Ticket& after, int64_t at);
  // Adds the record being applied (record_bytes, at the place set_record_place gave) to
  // `t`'s history.
  Status AppendHistory(Ticket& t, std::string_view record_bytes);
  // Where the record about to be applied is. History by reference: a ticket's history holds
  // its records' offsets in its partition's log (8 bytes each, keys::BE64), not copies; the
  // log is the truth and is read for them (queries.h TicketHistory). A record replayed from
  // the log has its offset; one just emitted gets it at the commit (kPending: the index of
  // the record in the batch's append to this partition, given to the store as a RecordRef
  // through set_pending_refs); where neither can be had (the Kafka store, whose offsets are
  // the brokers', a scratch table) the history keeps a copy, as every history did before.
  // Applies to the next AppendHistory only.
  struct RecordPlace {
    enum class Kind { kCopy, kOffset, kPending };
    Kind kind = Kind::kCopy;
    uint64_t value = 0;
    static RecordPlace Offset(uint64_t offset) { return {Kind::kOffset, offset}; }
    static RecordPlace Pending(uint64_t index) { return {Kind::kPending, index}; }
  };
  void set_record_place(RecordPlace place) { place_ = place; }
  // Where kPending entries go: the processor's batch, resolved at its commit. Null: copies.
  void set_pending_refs(std::vector<RecordRef>* refs) { pending_refs_ = refs; }
  // Adds the ingress record `record_id` of this partition to `t`'s case file as `relation`
  // ("opened", "attached", "event", "evidence", "callback"); a record not indexed here (not
  // an ingress record of this partition) is left out.
  Status AppendCase(Ticket& t, std::string_view record_id, std::string_view relation);
  // Indexes `t` under the uploaded file `ref` ("sha256:<hex>") its accepted evidence
  // carries (keys::File), so the API finds who may read the file; other values are ignored.
  void IndexFile(const Ticket& t, std::string_view ref);

  // Where Save() reports the earliest timer it writes (the clock's scan starts there at
  // the latest); in memory only, never state. May be null.
  void set_timer_watch(int64_t* earliest) { earliest_timer_ = earliest; }
  int64_t* timer_watch() { return earliest_timer_; }

  uint32_t partition() const { return partition_; }
  Overlay& state() { return state_; }
  const World& world() const { return world_; }

 private:
  uint32_t partition_;
  Overlay& state_;
  const World& world_;
  TicketCache* cache_;  // may be null
  int64_t* earliest_timer_ = nullptr;
  RecordPlace place_;
  std::vector<RecordRef>* pending_refs_ = nullptr;
};

// When something is next due for the ticket (a timer transition or an escalation step not
// yet fired in this state visit); 0 when nothing is. `wf` may be null (nothing due).
int64_t NextDue(const Ticket& t, const dsl::Workflow* wf, const World& world);

// The instant a time step is due for `t` in its current state; 0 if it does not apply.
int64_t StepDue(const Ticket& t, const dsl::EscalationStep& step, const Calendar& cal);

// Whether a time step has nothing left to do for `t`: it fired in this state visit, or all
// it does is open chained tickets and it already opened one for this ticket (a ticket never
// gets two chained tickets for the same reason).
bool StepSpent(const Ticket& t, const dsl::EscalationStep& step);

// Whether a ladder step takes the ticket past its unit (escalate parent, arbitration, chain):
// such a step, once fired, stays fired when an extension re-arms the ladder, so a lateness
// already escalated is not escalated again.
bool StepEscalates(const dsl::EscalationStep& step);

}  // namespace closeloop::engine
