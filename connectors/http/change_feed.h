// Ticket changes as they happen, for the Server-Sent Events stream: a thread follows every
// partition of the log from where it stood at start, and for each engine record notes the
// ticket it changed as the state now holds it. The last `capacity` changes are kept, so a
// client that reconnects with Last-Event-ID misses nothing younger than that.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/ticket.h"

namespace closeloop::engine {
class StateReader;
}
namespace closeloop::events {
class Log;
}

namespace closeloop::http {

struct Change {
  uint64_t seq = 0;
  std::string record_type;  // "TicketOverdue", ...
  std::string record_id;
  int64_t recorded_at = 0;
  engine::Ticket ticket;  // as the state held it when the change was noted (facts dropped)
};

class ChangeFeed {
 public:
  ChangeFeed(const events::Log& log, const engine::StateReader& state, size_t capacity = 20000);
  ~ChangeFeed();
  void Start();
  void Stop();

  // Changes with seq > `after` (at most `max`), waiting up to `timeout` for the first.
  // Empty on timeout or once stopped (`stopped()` tells which).
  std::vector<Change> Next(uint64_t after, std::chrono::milliseconds timeout, size_t max = 256);
  uint64_t last_seq() const;
  // The oldest seq still kept (a client behind it missed changes).
  uint64_t first_seq() const;
  bool stopped() const { return stop_.load(); }

 private:
  void Run();
  const events::Log& log_;
  const engine::StateReader& state_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Change> changes_;
  uint64_t seq_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace closeloop::http
