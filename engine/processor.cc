#include "engine/processor.h"

#include "engine/decide.h"
#include "engine/resource_ledger.h"
#include "engine/duty.h"
#include "engine/keys.h"
#include "events/partition.h"

namespace closeloop::engine {

Processor::Processor(uint32_t partition, const events::Log& input, StateStore& store,
                     ProcessorOptions options)
    : partition_(partition),
      input_(input),
      store_(store),
      options_(options),
      cache_(options.ticket_cache_bytes) {}

Processor::~Processor() = default;

namespace {

// The layout of the state this processor writes (keys::StateFormat). A partition whose
// state holds tickets but no such mark was built before Engine v2: its counters
// (counters.h) were never written, and adding to them would count wrong. Format 2 kept
// copies of records in histories, where 3 keeps their offsets (TicketTable::RecordPlace):
// a replay would not reproduce its state. Format 3 had no figure cells (figures.h): its
// reports would miss every day before the upgrade. Each is rebuilt from the log, never patched.
constexpr std::string_view kStateFormat = "4";

}  // namespace

Status Processor::Open() {
  // Everything in memory is rebuilt from committed state: Open() is also how a processor
  // recovers after a failed batch (whose control records may have reached the World).
  world_ = World();
  config_seq_ = 0;
  cache_.Clear();
  recorded_.clear();
  recorded_offset_.clear();
  needs_open_ = false;
  clock_scan_from_ = 0;
  earliest_timer_written_ = INT64_MAX;
  tick_ = TickWork();
  CL_ASSIGN_OR_RETURN(auto pos, store_.Get(keys::Position(partition_)));
  position_ = pos ? keys::ReadBE64(*pos) : 0;
  CL_ASSIGN_OR_RETURN(auto now, store_.Get(keys::Now(partition_)));
  now_ = now ? static_cast<int64_t>(keys::ReadBE64(*now)) : 0;
  CL_ASSIGN_OR_RETURN(auto format, store_.Get(keys::StateFormat(partition_)));
  if (!format || *format != kStateFormat) {
    bool has_tickets = false;
    const std::string tickets = keys::Ticket(partition_, "");
    CL_RETURN_IF_ERROR(store_.Scan(tickets, keys::PrefixEnd(tickets), [&](auto, auto) {
      has_tickets = true;
      return false;
    }));
    if (has_tickets) {
      return FailedPrecondition(
          "partition " + std::to_string(partition_) +
          "'s state was built by an earlier version of closeloop (state format " +
          (format ? *format : std::string("1")) + ", this version writes " +
          std::string(kStateFormat) +
          "): rebuild it from the log with `closeloop replay --data DIR --into NEWDIR` and "
          "serve NEWDIR");
    }
  }
  // Rebuild the World from the control records seen so far, in log order. A record that was
  // refused then is refused again now: the World comes out the same.
  CL_RETURN_IF_ERROR(LoadStoredControl(store_, partition_, &config_seq_, &world_));
  CL_RETURN_IF_ERROR(LoadTickWork());
  if (options_.mode == Mode::kReprocess) {
    // Index what this partition's processor recorded, to compare each re-emitted record.
    for (uint64_t from = 0;;) {
      CL_ASSIGN_OR_RETURN(auto recs, input_.Read(partition_, from, 4096));
      if (recs.empty()) break;
      for (auto& r : recs) {
        from = r.offset + 1;
        const fb::Record* rec = *events::VerifyRecord(r.bytes);
        if (rec->source() && rec->source()->string_view() == EngineSource(partition_)) {
          CL_RETURN_IF_ERROR(events::SetPrevHash(r.bytes, events::Hash{}));
          recorded_offset_[rec->id()->str()] = r.offset;
          recorded_[rec->id()->str()] = std::move(r.bytes);
        }
      }
    }
  }
  return Status::Ok();
}

namespace {

// A control record the engine did not take: the refusal is a decision too, recorded so
// operators see why nothing changed.
Status RecordRefusal(Step& step, const fb::Record& rec, std::string message) {
  fb::CommandRejectedT rej;
  rej.verb = std::string("apply ") + std::string(events::BodyName(rec.body_type()));
  rej.reason = fb::RejectReason::invalid;
  rej.message = std::move(message);
  fb::BodyUnion body;
  body.Set(std::move(rej));
  Ticket none;
  none.subject = rec.subject() ? rec.subject()->str() : "";
  return step.Emit(std::move(body), none);
}

}  // namespace

Status Processor::ProcessOne(const events::StoredRecord& stored, const fb::Record& rec,
                             Overlay& overlay,
                             std::map<uint32_t, std::vector<std::string>>& appends,
                             std::vector<RecordRef>& refs, bool* unfinished) {
  const events::BodyKind kind = events::KindOf(rec.body_type());
  const bool decide = options_.mode != Mode::kRebuild;
  const int64_t previous_now = now_;
  if (rec.body_type() == fb::Body::ClockTick) now_ = std::max(now_, rec.body_as_ClockTick()->now());
  // Before the first clock record, the time a record entered the log stands in.
  const int64_t now = now_ > 0 ? now_ : rec.recorded_at();

  TicketTable tickets(partition_, overlay, world_, &cache_);
  tickets.set_timer_watch(&earliest_timer_written_);
  Step step(tickets, input_.partition_count(), rec, rec.id() ? rec.id()->str() : "", now);
  step.set_previous_now(previous_now);
  if (decide) {
    // What this step emits is applied now and gets its offset at the commit.
    tickets.set_pending_refs(&refs);
    auto own = appends.find(partition_);
    step.set_append_base(own == appends.end() ? 0 : own->second.size());
  }

  switch (kind) {
    case events::BodyKind::kControl:
      if (rec.body_type() == fb::Body::ClockTick) {
        if (const int64_t tick = rec.body_as_ClockTick()->now(); tick < previous_now) {
          // Time does not go backwards: the tick changes nothing, and says so on the log.
          if (decide) {
            CL_RETURN_IF_ERROR(
                RecordRefusal(step, rec,
                              "time does not go backwards: the tick at " + std::to_string(tick) +
                                  " ms is before the engine's clock at " +
                                  std::to_string(previous_now) + " ms; nothing was done"));
          }
          break;
        }
        if (decide) CL_RETURN_IF_ERROR(DecideTick(step, stored, overlay, unfinished));
        break;
      }
      {
        overlay.Put(keys::Config(partition_, config_seq_++), stored.bytes);
        Status applied = world_.ApplyControl(rec);
        if (!applied.ok() && decide) {
          CL_RETURN_IF_ERROR(RecordRefusal(step, rec, applied.message()));
        }
      }
      break;
    case events::BodyKind::kIngress:
      // Where the record is, for the case files of the tickets it will concern (in every
      // mode, so a rebuilt state holds the same index).
      if (rec.id())
        overlay.Put(keys::IngressAt(partition_, rec.id()->string_view()),
                    keys::BE64(stored.offset));
      if (!decide) break;
      if (rec.body_type() == fb::Body::StaffCommand) {
        CL_RETURN_IF_ERROR(DecideCommand(step));
      } else if (rec.body_type() == fb::Body::PageAcknowledgement) {
        CL_RETURN_IF_ERROR(duty::DecideAcknowledgement(step));
      } else {
        CL_RETURN_IF_ERROR(DecideEvent(step));
      }
      break;
    case events::BodyKind::kEngine: {
      const bool own = rec.source() && rec.source()->string_view() == EngineSource(partition_);
      // Another partition's dispatch, release or expert's answer: the city's resource
      // ledger is kept in every partition (resource_ledger.h), in every mode alike.
      if (!own && IsLedgerRecord(rec.body_type())) {
        CL_RETURN_IF_ERROR(ApplyToLedger(rec, partition_, overlay));
        break;
      }
      if (!decide) {
        if (own) {
          // Offsets in the log read (the store's own, but in tests replaying another's).
          if (store_.ResolvesRecordRefs())
            tickets.set_record_place(TicketTable::RecordPlace::Offset(stored.offset));
          CL_RETURN_IF_ERROR(ApplyEngineRecord(rec, stored.bytes, tickets));
        }
        break;
      }
      // Our own output was applied when it was emitted. A TicketChained is also a request
      // to open its child, in the partition of the child's subject.
      if (rec.body_type() == fb::Body::TicketChained) {
        const auto* c = rec.body_as_TicketChained();
        std::string child_subject = c->child_subject() && c->child_subject()->size() > 0
                                        ? c->child_subject()->str()
                                        : (rec.subject() ? rec.subject()->str() : "");
        if (events::PartitionForKey(child_subject, input_.partition_count()) == partition_) {
          CL_RETURN_IF_ERROR(DecideChained(step));
        }
      }
      break;
    }
    case events::BodyKind::kNone:
      break;
  }
  // Pages for what this input decided (duty.h), recorded like every decision.
  if (decide) CL_RETURN_IF_ERROR(duty::DecidePages(step));
  if (*unfinished) SaveTickWork(step, overlay);
  if (options_.mode == Mode::kLive) {
    // Deliveries go into the same commit as the records that call for them; replay and
    // reprocess write none, so they never send anything again (outbox.h).
    for (const auto& [p, recs] : step.emitted())
      CL_RETURN_IF_ERROR(outbox_.Write(recs, tickets, now));
  }
  for (auto& [p, recs] : step.emitted()) {
    stats_.emitted += recs.size();
    auto& out = appends[p];
    for (auto& r : recs) out.push_back(std::move(r));
  }
  return Status::Ok();
}

Status Processor::DecideTick(Step& step, const events::StoredRecord& stored, Overlay& overlay,
                             bool* unfinished) {
  if (tick_.offset != stored.offset) {
    CL_RETURN_IF_ERROR(DecideSchedules(step));
    int64_t scan_from =
        clock_scan_from_ == 0 ? 0 : std::min(clock_scan_from_, earliest_timer_written_);
    earliest_timer_written_ = INT64_MAX;
    tick_ = TickWork();
    tick_.offset = stored.offset;
    CL_ASSIGN_OR_RETURN(tick_.due, DueTickets(step, scan_from));
    if (tick_.due.size() > options_.due_per_commit) {
      std::string due;
      for (const auto& id : tick_.due) due.append(id).push_back('\n');
      overlay.Put(keys::TickDue(partition_), std::move(due));
    }
  } else {
    step.resume_seqs(tick_.record_seq, tick_.ticket_seq);
  }
  const size_t end = std::min(tick_.due.size(), tick_.next + options_.due_per_commit);
  CL_RETURN_IF_ERROR(DecideDue(step, tick_.due, tick_.next, end));
  tick_.next = end;
  if (end < tick_.due.size()) {
    *unfinished = true;  // SaveTickWork, once this part's pages are decided too
    return Status::Ok();
  }
  if (tick_.due.size() > options_.due_per_commit) {
    overlay.Delete(keys::TickWork(partition_));
    overlay.Delete(keys::TickDue(partition_));
  }
  tick_ = TickWork();
  CL_RETURN_IF_ERROR(duty::DecidePageTimeouts(step));
  // Everything due by now was handled, except what this tick itself rescheduled (it
  // reported those to earliest_timer_written_).
  clock_scan_from_ = step.now() + 1;
  return Status::Ok();
}

void Processor::SaveTickWork(const Step& step, Overlay& overlay) {
  // After everything this part emitted, pages included: the next part's ids follow them.
  tick_.record_seq = step.record_seq();
  tick_.ticket_seq = step.ticket_seq();
  overlay.Put(keys::TickWork(partition_), keys::BE64(tick_.offset) + keys::BE64(tick_.next) +
                                              keys::BE64(tick_.record_seq) +
                                              keys::BE64(tick_.ticket_seq));
}

Status Processor::LoadTickWork() {
  CL_ASSIGN_OR_RETURN(auto work, store_.Get(keys::TickWork(partition_)));
  if (!work) return Status::Ok();
  CL_ASSIGN_OR_RETURN(auto due, store_.Get(keys::TickDue(partition_)));
  if (work->size() != 32 || !due) {
    return Corruption("partition " + std::to_string(partition_) +
                      ": a clock record's work in progress is damaged");
  }
  tick_.offset = keys::ReadBE64(work->substr(0, 8));
  tick_.next = keys::ReadBE64(work->substr(8, 8));
  tick_.record_seq = static_cast<uint32_t>(keys::ReadBE64(work->substr(16, 8)));
  tick_.ticket_seq = static_cast<uint32_t>(keys::ReadBE64(work->substr(24, 8)));
  for (size_t from = 0; from < due->size();) {
    size_t nl = due->find('\n', from);
    if (nl == std::string::npos) break;
    tick_.due.push_back(due->substr(from, nl - from));
    from = nl + 1;
  }
  if (tick_.offset != position_ || tick_.next > tick_.due.size()) {
    return Corruption("partition " + std::to_string(partition_) +
                      ": a clock record's work in progress does not match the position");
  }
  // The parts before the restart may have set timers due by the tick's time on tickets not
  // in its list (a parent moved by its child); this process does not know which, so the
  // next tick scans every timer.
  earliest_timer_written_ = 0;
  return Status::Ok();
}

Status Processor::Compare(const std::map<uint32_t, std::vector<std::string>>& emitted) {
  auto it = emitted.find(partition_);
  if (it == emitted.end()) return Status::Ok();
  for (const std::string& bytes : it->second) {
    const fb::Record* rec = *events::VerifyRecord(bytes);
    std::string id = rec->id()->str();
    auto found = recorded_.find(id);
    std::string problem;
    if (found == recorded_.end()) {
      problem = "record " + id + " (" + std::string(events::BodyName(rec->body_type())) +
                ") was not in the log";
    } else if (found->second != bytes) {
      problem = "record " + id + " (" + std::string(events::BodyName(rec->body_type())) +
                ") differs from the one in the log";
    }
    if (!problem.empty()) {
      if (stats_.mismatches == 0)
        stats_.first_mismatch = "partition " + std::to_string(partition_) + ": " + problem;
      ++stats_.mismatches;
    }
  }
  return Status::Ok();
}

Status Processor::SettleRefs(const std::map<uint32_t, std::vector<std::string>>& appends,
                             std::vector<RecordRef>& refs, Overlay& overlay) {
  auto own = appends.find(partition_);
  for (RecordRef& ref : refs) {
    if (own == appends.end() || ref.index >= own->second.size())
      return Internal("a history entry names a record this batch did not emit");
    std::string bytes = own->second[ref.index];
    if (options_.mode == Mode::kReprocess) {
      const fb::Record* rec = *events::VerifyRecord(bytes);
      auto found = recorded_offset_.find(rec->id()->str());
      if (found != recorded_offset_.end()) {
        overlay.Put(std::move(ref.key), keys::BE64(found->second));
        continue;
      }
    }
    CL_RETURN_IF_ERROR(events::SetPrevHash(bytes, events::Hash{}));
    overlay.Put(std::move(ref.key), std::move(bytes));
  }
  refs.clear();
  return Status::Ok();
}

Result<size_t> Processor::ProcessAvailable(size_t max_records) {
  if (needs_open_) CL_RETURN_IF_ERROR(Open());
  size_t done = 0;
  bool stop = false;
  while (!stop && done < max_records) {
    size_t want = std::min(options_.records_per_commit, max_records - done);
    CL_ASSIGN_OR_RETURN(auto recs, input_.Read(partition_, position_, want));
    if (recs.empty()) break;
    Overlay overlay(store_);
    std::map<uint32_t, std::vector<std::string>> appends;
    std::vector<RecordRef> refs;
    uint64_t position = position_;
    bool partial = false;  // a clock record's work goes on in the next commit
    for (const auto& stored : recs) {
      if (stored.offset >= options_.until_offset) {
        stop = true;
        break;
      }
      auto verified = events::VerifyRecord(stored.bytes);
      if (!verified.ok()) {
        needs_open_ = true;  // records before it in this batch changed the cache and World
        return verified.status().Annotate("partition " + std::to_string(partition_) + " offset " +
                                          std::to_string(stored.offset));
      }
      const fb::Record* rec = *verified;
      if (rec->recorded_at() > options_.until_time) {
        stop = true;
        break;
      }
      bool unfinished = false;
      Status s = ProcessOne(stored, *rec, overlay, appends, refs, &unfinished);
      if (!s.ok()) {
        needs_open_ = true;  // nothing of this batch is committed; reload before going on
        return s.Annotate("partition " + std::to_string(partition_) + " offset " +
                          std::to_string(stored.offset));
      }
      if (unfinished) {  // commit what it did so far, stay on it
        partial = true;
        break;
      }
      position = stored.offset + 1;
      ++done;
      ++stats_.records;
    }
    if (position == position_ && !partial) break;
    if (options_.mode != Mode::kLive || !store_.ResolvesRecordRefs()) {
      Status settled = SettleRefs(appends, refs, overlay);
      if (!settled.ok()) {
        needs_open_ = true;
        return settled;
      }
    }
    cache_.Flush(partition_, overlay);  // each ticket this batch changed, encoded once
    overlay.Put(keys::Position(partition_), keys::BE64(position));
    overlay.Put(keys::Now(partition_), keys::BE64(static_cast<uint64_t>(now_)));
    overlay.Put(keys::StateFormat(partition_), std::string(kStateFormat));
    std::vector<events::PartitionAppend> batch;
    if (options_.mode == Mode::kLive) {
      for (auto& [p, recs_out] : appends) batch.push_back({p, std::move(recs_out)});
    } else if (options_.mode == Mode::kReprocess) {
      CL_RETURN_IF_ERROR(Compare(appends));
    }
    auto committed = store_.Commit(overlay.changes(), std::move(batch), refs);
    if (!committed.ok()) {
      needs_open_ = true;
      return committed.status();
    }
    position_ = position;
  }
  return done;
}

}  // namespace closeloop::engine
