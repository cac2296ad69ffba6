// The engine on Kafka, for one process: what `closeloop serve --kafka` runs.
//
// A consumer in group `group` is assigned partitions of the records topic. For each assigned
// partition it resumes at the Kafka offset stored in the local RocksDB (KafkaLog::
// ResumeOffset; the committed group offsets are not used), mirrors what it reads into the
// local log (dedup by id, hash chain), and a processor thread per partition processes the
// mirror exactly as on the embedded backend; its commits go through KafkaStore (state +
// position + outbox in one WriteBatch, outbox produced after).
//
// A new owner restores a partition's state from its local store when it has one (the state,
// mirror and Kafka position of a partition move together), else it replays the partition
// from offset 0; in both cases before processing anything new, because the mirror is
// processed in order. The group uses the eager rebalance protocol: on revocation the
// processor threads of the revoked partitions finish their commit and stop before the
// callback returns, and the group assigns a partition to its new owner only after every
// member has returned from revocation, so no ticket is processed by two owners at once.
// (A member that lost its session without noticing, e.g. paused for longer than
// session.timeout.ms, can still emit: its records carry the same deterministic ids as the
// new owner's and are dropped by id when read back.)
//
// Optionally it also runs the ingress bridge (ingress.h) and a clock: every `tick_ms` of
// wall time, a ClockTick to each partition this process owns.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "connectors/kafka/ingress.h"
#include "connectors/kafka/kafka_log.h"
#include "connectors/kafka/kafka_store.h"

namespace closeloop::kafka {

struct KafkaEngineOptions {
  Config config;  // at least bootstrap.servers; any librdkafka property
  std::string group = "closeloop";
  Topics topics;
  std::string data = "./data";  // the local RocksDB: mirror, state, positions, outbox
  // Take every partition without a consumer group (kafka-process, tests' reference runs).
  bool assign_all = false;
  bool ingress = true;  // run the ingress bridge (group "<group>.ingress")
  // The clock: 0 = none (time moves only by clock records others publish).
  int64_t tick_ms = 0;
  double clock_speed = 1.0;
  std::function<int64_t()> wall_clock_ms;  // REQUIRED when tick_ms > 0
  // The process's memory budget, split as on the embedded log (app/node.h): 5/8 for the
  // local RocksDB, 1/4 for the processors' decoded tickets.
  uint64_t memory_bytes = uint64_t{512} << 20;
};

struct KafkaEngineStats {
  uint64_t processed = 0, mirrored = 0, duplicates = 0, bad_records = 0;
  uint64_t produced = 0, skipped = 0, rebalances = 0;
  uint64_t ingress_accepted = 0, ingress_rejected = 0;
};

// Start/Stop from one thread; the accessors are thread-safe.
class KafkaEngine {
 public:
  static Result<std::unique_ptr<KafkaEngine>> Open(KafkaEngineOptions options);
  ~KafkaEngine();

  // Produces what the outbox holds from an earlier run, then joins the group.
  Status Start();
  void Stop();

  // Every owned partition is mirrored up to the high watermark last seen and processed to
  // the end of its mirror, with nothing left in the outbox.
  bool CaughtUp() const;
  // For assign_all: waits until CaughtUp() holds on three checks in a row against freshly
  // queried high watermarks. DeadlineExceeded after `timeout`.
  Status WaitUntilQuiet(std::chrono::milliseconds timeout);

  std::vector<uint32_t> Owned() const;
  KafkaEngineStats stats() const;
  KafkaLog& log() { return *log_; }
  KafkaStore& store() { return *store_; }
  rocks::RocksDb& db() { return *db_; }
  // Records of the partition's mirror processed so far; 0 when this process does not own it.
  uint64_t position(uint32_t partition) const;
  // The latest clock of the partitions in the local state (engine::EngineNow); 0 before any
  // tick, or when the state cannot be read (logged).
  int64_t EngineNow() const;
  uint32_t partitions() const { return partitions_; }

 private:
  struct Worker {
    std::thread thread;
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> position{0};
  };
  explicit KafkaEngine(KafkaEngineOptions options) : o_(std::move(options)) {}
  static void RebalanceCb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* parts, void* opaque);
  void Assign(rd_kafka_topic_partition_list_t* parts);
  void Revoke();
  void StartWorker(uint32_t p);
  void Work(uint32_t p, Worker* w);
  void Consume();
  void Tick();
  void OnBadRecord(uint32_t p, const Consumed& m, const Status& why);

  KafkaEngineOptions o_;
  uint32_t partitions_ = 0;
  std::unique_ptr<rocks::RocksDb> db_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<KafkaLog> log_;
  std::unique_ptr<KafkaStore> store_;
  std::unique_ptr<IngressBridge> ingress_;
  KafkaHandle consumer_;
  std::thread consumer_thread_, ticker_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<uint32_t, std::unique_ptr<Worker>> workers_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> processed_{0}, mirrored_{0}, duplicates_{0}, bad_{0}, rebalances_{0};
};

}  // namespace closeloop::kafka
