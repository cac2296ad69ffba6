// Runs the engine inside `serve`: one thread per partition processing as records arrive,
// and the scheduler, the one place that reads the wall clock, appending clock records.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "app/node.h"

namespace closeloop::app {

class EngineRunner {
 public:
  // `node` must outlive the runner.
  explicit EngineRunner(Node& node);
  ~EngineRunner();

  void Start();
  void Stop();  // finishes the commit in progress, then returns

  // True once every partition has processed everything that was in the log when asked.
  bool CaughtUp() const;
  uint64_t processed() const { return processed_.load(); }
  // Records of `partition` processed and committed so far (0 before Start).
  uint64_t position(uint32_t partition) const {
    return partition < positions_.size() ? positions_[partition]->load() : 0;
  }

 private:
  void Run(uint32_t partition);

  Node& node_;
  std::vector<std::unique_ptr<engine::Processor>> processors_;
  std::vector<std::unique_ptr<std::atomic<uint64_t>>> positions_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> processed_{0};
};

struct ClockOptions {
  bool manual = false;      // no clock records: time moves by `closeloop clock advance`
  double speed = 1.0;       // simulated seconds per wall second (demos: 3600)
  int64_t tick_ms = 60000;  // wall time between clock records
};

// Appends a ClockTick to every partition each tick: simulated time = the engine's time at
// start (or the wall clock if it has none) + (wall elapsed x speed).
class Scheduler {
 public:
  Scheduler(Node& node, ClockOptions options);
  ~Scheduler();
  void Start();
  void Stop();

 private:
  void Run();
  Status Tick(int64_t now_ms);

  Node& node_;
  ClockOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace closeloop::app
