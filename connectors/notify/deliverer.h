// The deliverer: a thread of `serve` that sends what the engine's outbox holds
// (engine/outbox.h), after the commit and outside processing, so a slow or dead receiver
// never holds the engine up. It may read the wall clock and draw random numbers (backoff
// jitter): it decides nothing that goes on the log.
//
// Per pass it scans every partition's pending deliveries; those whose not-before time (quiet
// hours, in the engine's clock) has passed and whose next attempt is due are sent, urgent
// ones first, by `concurrency` workers (a receiver that hangs holds up one): webhooks
// as a signed HTTP POST, SMS through the gateway's HTTP API, e-mail through SMTP
// (channels.h). Success deletes the delivery from the outbox; a failure records the attempt
// and the next one (exponential backoff with jitter); after `max_attempts` the delivery
// becomes a dead letter, listed and replayable by an administrator. A crash between sending
// and recording sends the delivery again: receivers deduplicate on its id (the
// Idempotency-Key header), which is the same every time.
//
// Thread-safety: all public methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "connectors/notify/channels.h"
#include "engine/store.h"

namespace closeloop::notify {

struct DelivererOptions {
  std::map<std::string, std::string> secrets;  // webhook key name -> key
  SmtpConfig smtp;
  int max_attempts = 8;
  int64_t backoff_ms = 1000;         // before the 2nd attempt; doubles each time
  int64_t max_backoff_ms = 3600000;  // cap of one wait
  int64_t timeout_ms = 10000;        // one attempt
  int64_t poll_ms = 200;             // pause between passes when idle
  int concurrency = 4;               // deliveries attempted at once (urgent ones first)
  // Duty pages (engine/duty.h): the link that acknowledges a page is
  // <ack_base_url>/v1/notify/deliveries/<delivery id>/ack?token=<hex HMAC-SHA256 of the
  // delivery id under ack_secret>, put where the template says {ack_url}.
  std::string ack_base_url;
  std::string ack_secret;
};

// Reads the file `serve --notify-config` names (JSON; docs/operations.md, "Notifications").
// Refused with the field at fault: unknown fields, wrong types, a secret shorter than 16.
Result<DelivererOptions> LoadDelivererOptions(const std::string& path);

struct DelivererCounters {
  uint64_t delivered = 0;  // deliveries sent and acknowledged
  uint64_t failures = 0;   // attempts that failed
  uint64_t retries = 0;    // attempts after the first
  uint64_t dead = 0;       // deliveries that became dead letters
};

class Deliverer {
 public:
  // `store` must outlive the Deliverer. `engine_now` is the engine's clock (quiet hours).
  Deliverer(engine::StateStore& store, uint32_t partitions, std::function<int64_t()> engine_now,
            DelivererOptions options);
  ~Deliverer();  // Stop()

  void Start();
  void Stop();
  // Ask for a pass now (after a commit, a replay).
  void Wake();

  // One pass over every partition; returns the deliveries attempted.
  size_t RunOnce();

  // Deliveries in the outbox (at most `limit`), by partition then id: each {"id",
  // "subscription", "record_id", "record_type", "ticket_id", "channel", "created_at",
  // "not_before", "urgent", "attempts", "last_error", "next_attempt_at"}.
  Result<std::vector<std::string>> Pending(size_t limit) const;
  // Dead letters, by id: each {"id", "attempts", "last_error", "failed_at", "delivery"}.
  Result<std::vector<std::string>> DeadLetters() const;
  // Puts the dead letter `id` back into the outbox with its attempts reset. NotFound when
  // there is no such dead letter.
  Status Replay(const std::string& id);

  // A page's acknowledgement token and link (DelivererOptions::ack_*), and whether `token`
  // is the token of `delivery_id` (constant time). No link and no valid token without a key.
  std::string AckToken(const std::string& delivery_id) const;
  std::string AckUrl(const std::string& delivery_id) const;
  bool AckTokenValid(const std::string& delivery_id, const std::string& token) const;

  // Prometheus text: counters, dead letters, pending, age of the oldest undelivered.
  std::string MetricsText() const;
  DelivererCounters counters() const;

 private:
  struct Pending;
  Status Attempt(uint32_t partition, const std::string& id, const std::string& delivery_json,
                 int attempts_before);
  Status Send(const std::string& delivery_json, int64_t wall_ms);
  void Loop();

  engine::StateStore& store_;
  const uint32_t partitions_;
  std::function<int64_t()> engine_now_;
  const DelivererOptions options_;

  mutable std::mutex mu_;         // serialises outbox writes (the pass, a replay) and the counters
  DelivererCounters counters_;    // GUARDED_BY(mu_)
  uint64_t pending_ = 0;          // GUARDED_BY(mu_): seen at the last pass
  uint64_t dead_letters_ = 0;     // GUARDED_BY(mu_)
  int64_t oldest_due_since_ = 0;  // GUARDED_BY(mu_): engine ms; 0 = none waiting
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool woken_ = false;  // GUARDED_BY(wake_mu_)
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace closeloop::notify
