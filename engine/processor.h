// The deterministic processor: one per log partition. It reads the partition's records in
// order and, per record, decides (which engine records follow from it), applies them to
// state, and commits state + emitted records + its input position in one atomic write.
//
// Three modes share this code path:
//  - kLive:      decide + apply, append what was emitted (serve, process);
//  - kRebuild:   apply the engine records already in the log, decide nothing (fast replay);
//  - kReprocess: decide + apply without appending, and compare every emitted record with the
//                one recorded in the log (the determinism check across versions).
//
// Thread-safety: one thread per Processor. Different partitions' processors may run in
// parallel on one store: each writes only keys of its own partition (keys.h).
#pragma once

#include <map>
#include <memory>

#include "engine/outbox.h"
#include "engine/store.h"
#include "engine/ticket_table.h"
#include "engine/world.h"
#include "events/log.h"
#include "events/record.h"

namespace closeloop::engine {

class Step;

enum class Mode { kLive, kRebuild, kReprocess };

struct ProcessorOptions {
  Mode mode = Mode::kLive;
  // Input records per commit: several records in one atomic write is still exactly-once
  // (the position moves with them) and amortises the write.
  size_t records_per_commit = 64;
  // Stop before this offset (replay --until); UINT64_MAX = the end.
  uint64_t until_offset = UINT64_MAX;
  // Stop before the first record recorded after this time (ms); INT64_MAX = no limit.
  int64_t until_time = INT64_MAX;
  // Memory for decoded tickets kept between batches (TicketCache), in bytes.
  size_t ticket_cache_bytes = TicketCache::kDefaultBudget;
  // Due tickets a clock record handles per commit; past it, its work spans several commits
  // (a tick that makes 100,000 tickets overdue is not one write of hundreds of MB). Part of
  // what is decided: pages (duty.h) are decided per commit, so a replay with --reprocess
  // must use the value the live engine used. Only tests change it.
  size_t due_per_commit = kDuePerCommit;
  static constexpr size_t kDuePerCommit = 2048;
};

struct ProcessorStats {
  uint64_t records = 0;     // input records read
  uint64_t emitted = 0;     // engine records emitted (kLive, kReprocess)
  uint64_t mismatches = 0;  // kReprocess: emitted records that differ from the log's
  std::string first_mismatch;
};

class Processor {
 public:
  // `input` is the log read (in kLive it must be `store.log()`); both must outlive this.
  Processor(uint32_t partition, const events::Log& input, StateStore& store,
            ProcessorOptions options = {});
  ~Processor();

  // Loads the position, the clock and the World from state. Call once before processing;
  // after a failed batch the processor calls it again itself.
  Status Open();

  // Processes what the partition holds beyond the position (at most `max_records`).
  // Returns how many input records were processed; 0 when caught up.
  Result<size_t> ProcessAvailable(size_t max_records = SIZE_MAX);

  uint64_t position() const { return position_; }
  int64_t now() const { return now_; }
  const ProcessorStats& stats() const { return stats_; }
  const World& world() const { return world_; }
  const TicketCache& ticket_cache() const { return cache_; }

 private:
  // Sets *unfinished when the record is a clock record with more due tickets than one
  // commit takes (TickWork): the caller commits without moving past it, then calls again.
  Status ProcessOne(const events::StoredRecord& stored, const fb::Record& rec, Overlay& overlay,
                    std::map<uint32_t, std::vector<std::string>>& appends,
                    std::vector<RecordRef>& refs, bool* unfinished);
  Status DecideTick(Step& step, const events::StoredRecord& stored, Overlay& overlay,
                    bool* unfinished);
  Status Compare(const std::map<uint32_t, std::vector<std::string>>& emitted);
  // History entries of records emitted in this batch whose offsets the commit cannot give
  // (reprocess writes no records; the Kafka store learns offsets later): the recorded
  // record's offset when reprocessing finds it, else a copy (TicketTable::RecordPlace).
  Status SettleRefs(const std::map<uint32_t, std::vector<std::string>>& appends,
                    std::vector<RecordRef>& refs, Overlay& overlay);

  uint32_t partition_;
  const events::Log& input_;
  StateStore& store_;
  ProcessorOptions options_;
  World world_;
  uint64_t position_ = 0;
  int64_t now_ = 0;
  uint64_t config_seq_ = 0;
  ProcessorStats stats_;
  TicketCache cache_;
  bool needs_open_ = false;  // a batch failed: reload from committed state first
  // The clock's timer scan starts at min(clock_scan_from_, earliest_timer_written_); both in
  // memory only (0 = from the beginning, as after Open()).
  int64_t clock_scan_from_ = 0;
  int64_t earliest_timer_written_ = INT64_MAX;
  // A clock record with more tickets due than options_.due_per_commit, handled over several
  // commits: its position is not passed until the last, and what it found due and how far
  // it got are state (keys::TickWork, keys::TickDue), so a restart goes on where it stopped
  // with the same ids, and the records come out as from one commit.
  struct TickWork {
    uint64_t offset = UINT64_MAX;  // the clock record's; UINT64_MAX: none in progress
    std::vector<std::string> due;
    size_t next = 0;
    uint32_t record_seq = 0, ticket_seq = 0;
  };
  Status LoadTickWork();
  void SaveTickWork(const Step& step, Overlay& overlay);
  TickWork tick_;
  // kReprocess: recorded engine records of this partition by id, with prev_hash unset, and
  // their offsets.
  std::map<std::string, std::string> recorded_;
  std::map<std::string, uint64_t> recorded_offset_;
  uint64_t recorded_scanned_ = 0;
  // kLive: the notifications the emitted records call for, in the same commit (outbox.h).
  outbox::OutboxWriter outbox_;
};

}  // namespace closeloop::engine
