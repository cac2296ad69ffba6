#include "app/checkpoint_publisher.h"

#include <spdlog/spdlog.h>

#include "app/wall_clock.h"

namespace closeloop::app {

void CheckpointPublisher::PublishNow() {
  auto published = checkpoints_.Publish(WallClockMillis());
  if (!published.ok()) {
    spdlog::error("signing checkpoints: {}", published.status().ToString());
    return;
  }
  for (const auto& cp : *published) {
    spdlog::debug("checkpoint: partition {} at {} records", cp.partition, cp.checkpoint.size);
  }
}

void CheckpointPublisher::Start() {
  if (interval_ms_ <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      PublishNow();
      lock.lock();
    }
  });
}

void CheckpointPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  PublishNow();
}

}  // namespace closeloop::app
