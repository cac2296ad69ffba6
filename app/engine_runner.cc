#include "app/engine_runner.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "app/wall_clock.h"
#include "base/clock_schedule.h"

namespace closeloop::app {

EngineRunner::EngineRunner(Node& node) : node_(node) {}

EngineRunner::~EngineRunner() { Stop(); }

void EngineRunner::Start() {
  processors_ = node_.Processors();
  for (uint32_t p = 0; p < node_.partitions(); ++p) {
    positions_.push_back(std::make_unique<std::atomic<uint64_t>>(processors_[p]->position()));
  }
  for (uint32_t p = 0; p < node_.partitions(); ++p) threads_.emplace_back([this, p] { Run(p); });
}

void EngineRunner::Stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

bool EngineRunner::CaughtUp() const {
  for (uint32_t p = 0; p < positions_.size(); ++p) {
    if (positions_[p]->load() < node_.log->Head(p).end_offset) return false;
  }
  return !positions_.empty();
}

void EngineRunner::Run(uint32_t partition) {
  engine::Processor& proc = *processors_[partition];
  int failures = 0;
  while (!stop_) {
    auto n = proc.ProcessAvailable(4096);
    if (!n.ok()) {
      // A failed commit leaves nothing half-applied; retry with backoff, and say so.
      spdlog::error("partition {}: {}", partition, n.status().ToString());
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min(5000, 100 << std::min(failures++, 6))));
      continue;
    }
    failures = 0;
    positions_[partition]->store(proc.position());
    processed_ += *n;
    if (*n == 0)
      node_.log->WaitForAppend(partition, proc.position(), std::chrono::milliseconds(200));
  }
}

Scheduler::Scheduler(Node& node, ClockOptions options) : node_(node), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (options_.manual) return;
  thread_ = std::thread([this] { Run(); });
}

void Scheduler::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

Status Scheduler::Tick(int64_t now_ms) {
  return node_.AppendClockTick(now_ms, "closeloop-scheduler");
}

void Scheduler::Run() {
  const ClockSchedule clock(WallClockMillis(), node_.EngineNow(), options_.speed);
  int64_t last = 0;
  while (!stop_) {
    const int64_t now = clock.At(WallClockMillis());
    if (now > last) {
      Status s = Tick(now);
      if (!s.ok()) spdlog::error("scheduler: {}", s.ToString());
      last = now;
    }
    for (int64_t waited = 0; waited < options_.tick_ms && !stop_; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace closeloop::app
