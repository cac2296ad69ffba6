// Signs checkpoints on a schedule while `serve` runs: every interval of wall time, each
// partition whose tree grew gets a new signed checkpoint (connectors/rocksdb/checkpoints.h).
// Runs beside the engine, never inside its processing; the wall clock stamps the note.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "connectors/rocksdb/checkpoints.h"

namespace closeloop::app {

class CheckpointPublisher {
 public:
  // interval_ms <= 0: no schedule (on demand only).
  CheckpointPublisher(rocks::Checkpointer& checkpoints, int64_t interval_ms)
      : checkpoints_(checkpoints), interval_ms_(interval_ms) {}
  ~CheckpointPublisher() { Stop(); }
  void Start();
  // Stops the schedule and signs the heads once more, so a stopped node's last records
  // are under a checkpoint.
  void Stop();

 private:
  void PublishNow();
  rocks::Checkpointer& checkpoints_;
  const int64_t interval_ms_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(mu_)
};

}  // namespace closeloop::app
