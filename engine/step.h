// One input record being processed: the decisions taken for it are emitted as engine
// records, each applied to state at once (applier.h) so later decisions see it. Internal to
// the processor (processor.cc, decide_*.cc).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/applier.h"
#include "engine/ticket_table.h"
#include "events/record_generated.h"

namespace closeloop::engine {

class Step {
 public:
  Step(TicketTable& tickets, uint32_t partitions, const fb::Record& input, std::string input_id,
       int64_t now)
      : tickets_(tickets),
        partitions_(partitions),
        input_(input),
        input_id_(std::move(input_id)),
        now_(now) {}

  // Builds a record around `body` about ticket `about` (subject, jurisdiction and chain
  // from it), with a deterministic id, applies it, and queues it for appending to this
  // partition (and, for a TicketChained whose child lives elsewhere, a copy to that one).
  // `about` is the ticket before the record: when the record moves its lead department and
  // the ticket had an assignee, a TicketAssigned clearing it follows at once.
  Status Emit(fb::BodyUnion body, const Ticket& about);

  // Ids for new tickets opened while processing this input (deterministic).
  std::string NewTicketId();

  TicketTable& tickets() { return tickets_; }
  const World& world() const { return tickets_.world(); }
  const fb::Record& input() const { return input_; }
  const std::string& input_id() const { return input_id_; }
  int64_t now() const { return now_; }
  // The clock before this record (0 before the first clock record): schedules fire for
  // occurrences in (previous_now, now].
  int64_t previous_now() const { return previous_now_; }
  void set_previous_now(int64_t t) { previous_now_ = t; }
  uint32_t partition() const { return tickets_.partition(); }
  uint32_t partitions() const { return partitions_; }
  std::string actor() const;

  // Records emitted, by target partition, in emission order.
  std::map<uint32_t, std::vector<std::string>>& emitted() { return emitted_; }
  // How many records of this partition the batch emitted before this step: the first record
  // this step emits is the batch's append's record `base`, which is where its ticket's
  // history entry points until the commit gives it an offset (TicketTable::RecordPlace).
  void set_append_base(size_t base) { append_base_ = base; }
  // The counters behind the ids this step gives records and new tickets: a clock record
  // whose work spans several commits (Processor, TickWork) goes on from where it stopped.
  uint32_t record_seq() const { return seq_; }
  uint32_t ticket_seq() const { return ticket_seq_; }
  void resume_seqs(uint32_t record_seq, uint32_t ticket_seq) {
    seq_ = record_seq;
    ticket_seq_ = ticket_seq;
  }

 private:
  TicketTable& tickets_;
  uint32_t partitions_;
  const fb::Record& input_;
  std::string input_id_;
  int64_t now_;
  int64_t previous_now_ = 0;
  uint32_t seq_ = 0;
  uint32_t ticket_seq_ = 0;
  size_t append_base_ = 0;
  std::map<uint32_t, std::vector<std::string>> emitted_;

  Status EmitOne(fb::BodyUnion body, const Ticket& about);
};

// The source every engine record of partition p carries: "engine/p<p>".
std::string EngineSource(uint32_t partition);

}  // namespace closeloop::engine
