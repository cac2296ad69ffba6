#include "connectors/http/change_feed.h"

#include <spdlog/spdlog.h>

#include "engine/queries.h"
#include "engine/store.h"
#include "events/engine_record.h"
#include "events/log.h"
#include "events/record.h"

namespace closeloop::http {

ChangeFeed::ChangeFeed(const events::Log& log, const engine::StateReader& state, size_t capacity)
    : log_(log), state_(state), capacity_(capacity) {}

ChangeFeed::~ChangeFeed() { Stop(); }

void ChangeFeed::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void ChangeFeed::Stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t ChangeFeed::last_seq() const {
  std::lock_guard lock(mu_);
  return seq_;
}

uint64_t ChangeFeed::first_seq() const {
  std::lock_guard lock(mu_);
  return changes_.empty() ? seq_ + 1 : changes_.front().seq;
}

std::vector<Change> ChangeFeed::Next(uint64_t after, std::chrono::milliseconds timeout,
                                     size_t max) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return stop_.load() || seq_ > after; });
  std::vector<Change> out;
  if (stop_) return out;
  for (const Change& c : changes_) {
    if (c.seq > after) out.push_back(c);
    if (out.size() >= max) break;
  }
  return out;
}

void ChangeFeed::Run() {
  const uint32_t partitions = log_.partition_count();
  std::vector<uint64_t> pos(partitions);
  for (uint32_t p = 0; p < partitions; ++p) pos[p] = log_.Head(p).end_offset;
  while (!stop_) {
    bool any = false;
    for (uint32_t p = 0; p < partitions && !stop_; ++p) {
      auto recs = log_.Read(p, pos[p], 512);
      if (!recs.ok() || recs->empty()) continue;
      any = true;
      std::vector<Change> batch;
      for (const auto& stored : *recs) {
        pos[p] = stored.offset + 1;
        auto rec = events::VerifyRecord(stored.bytes);
        if (!rec.ok() || events::KindOf((*rec)->body_type()) != events::BodyKind::kEngine) continue;
        const auto* id = events::EngineTicketId(**rec);
        if (id == nullptr) continue;
        auto found = engine::ReadTicket(state_, p, id->string_view());
        if (!found.ok()) {
          spdlog::error("change feed: ticket {}: {}", id->string_view(), found.status().ToString());
          continue;
        }
        std::optional<engine::Ticket>& t = *found;
        if (!t) continue;  // a copy about a ticket another partition holds, or not yet stored
        t->facts.clear();
        Change change;
        change.record_type = std::string(events::BodyName((*rec)->body_type()));
        change.record_id = (*rec)->id()->str();
        change.recorded_at = (*rec)->recorded_at();
        change.ticket = std::move(*t);
        batch.push_back(std::move(change));
      }
      if (batch.empty()) continue;
      std::lock_guard lock(mu_);
      for (auto& c : batch) {
        c.seq = ++seq_;
        changes_.push_back(std::move(c));
        if (changes_.size() > capacity_) changes_.pop_front();
      }
      cv_.notify_all();
    }
    if (!any) (void)log_.WaitForAppend(0, pos.empty() ? 0 : pos[0], std::chrono::milliseconds(50));
  }
}

}  // namespace closeloop::http
