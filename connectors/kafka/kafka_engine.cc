#include "connectors/kafka/kafka_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/clock_schedule.h"
#include "engine/processor.h"
#include "engine/queries.h"
#include "events/record.h"
#include "events/record_build.h"

namespace closeloop::kafka {

Result<std::unique_ptr<KafkaEngine>> KafkaEngine::Open(KafkaEngineOptions options) {
  if (!options.config.count("bootstrap.servers"))
    return InvalidArgument("kafka: bootstrap.servers is required");
  if (options.tick_ms > 0 && !options.wall_clock_ms)
    return InvalidArgument("kafka: a ticking clock needs wall_clock_ms");
  std::unique_ptr<KafkaEngine> e(new KafkaEngine(std::move(options)));
  CL_ASSIGN_OR_RETURN(e->producer_, Producer::Create(e->o_.config));
  CL_ASSIGN_OR_RETURN(e->partitions_,
                      PartitionCount(e->producer_->handle(), e->o_.topics.records()));
  CL_ASSIGN_OR_RETURN(
      e->db_, rocks::RocksDb::Open(e->o_.data, {.sync = false,
                                                .extra_families = {KafkaLog::kFamily},
                                                .memory_bytes = e->o_.memory_bytes / 8 * 5}));
  CL_ASSIGN_OR_RETURN(
      e->log_, KafkaLog::Open(e->db_.get(), e->producer_.get(), e->o_.topics, e->partitions_));
  if (e->log_->partition_count() != e->partitions_)
    return FailedPrecondition("the local mirror has " + std::to_string(e->log_->partition_count()) +
                              " partitions but topic " + e->o_.topics.records() + " has " +
                              std::to_string(e->partitions_));
  CL_ASSIGN_OR_RETURN(e->store_, KafkaStore::Open(e->db_.get(), e->log_.get()));
  return e;
}

KafkaEngine::~KafkaEngine() { Stop(); }

Status KafkaEngine::Start() {
  CL_RETURN_IF_ERROR(store_->DrainOutbox());
  Config c = o_.config;
  c["group.id"] = o_.group;
  c["enable.auto.commit"] = "false";  // positions live in RocksDB, with the state
  c["enable.auto.offset.store"] = "false";
  c["auto.offset.reset"] = "earliest";
  if (!c.count("partition.assignment.strategy")) c["partition.assignment.strategy"] = "roundrobin";
  CL_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, MakeConf(c));
  rd_kafka_conf_set_opaque(conf, this);
  if (!o_.assign_all) rd_kafka_conf_set_rebalance_cb(conf, &KafkaEngine::RebalanceCb);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument(std::string("kafka consumer: ") + err);
  }
  consumer_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  if (o_.assign_all) {
    for (uint32_t p = 0; p < partitions_; ++p)
      rd_kafka_topic_partition_list_add(parts, o_.topics.records().c_str(),
                                        static_cast<int32_t>(p));
    Assign(parts);
  } else {
    rd_kafka_topic_partition_list_add(parts, o_.topics.records().c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, parts);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_topic_partition_list_destroy(parts);
      return FromKafka(e, "subscribing to " + o_.topics.records());
    }
  }
  rd_kafka_topic_partition_list_destroy(parts);
  consumer_thread_ = std::thread([this] { Consume(); });
  if (o_.ingress) {
    ingress_ = std::make_unique<IngressBridge>(o_.config, o_.group + ".ingress", o_.topics,
                                               partitions_, producer_.get());
    CL_RETURN_IF_ERROR(ingress_->Start());
  }
  if (o_.tick_ms > 0) ticker_ = std::thread([this] { Tick(); });
  return Status::Ok();
}

void KafkaEngine::Stop() {
  if (stop_.exchange(true)) return;
  if (ticker_.joinable()) ticker_.join();
  if (ingress_) ingress_->Stop();
  if (consumer_thread_.joinable()) consumer_thread_.join();
  if (store_) store_->Stop();  // a commit waiting for Kafka gives up; its outbox entries stay
  if (consumer_) {
    // Leaving the group revokes our partitions through the callback (stopping the workers).
    rd_kafka_consumer_close(consumer_.get());
    Revoke();
    consumer_.reset();
  }
}

void KafkaEngine::RebalanceCb(rd_kafka_t*, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<KafkaEngine*>(opaque);
  ++self->rebalances_;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->Assign(parts);
  } else {
    self->Revoke();
  }
}

void KafkaEngine::Assign(rd_kafka_topic_partition_list_t* parts) {
  std::string owned;
  for (int i = 0; i < parts->cnt; ++i) {
    uint32_t p = static_cast<uint32_t>(parts->elems[i].partition);
    auto resume = log_->ResumeOffset(p);
    if (!resume.ok())
      spdlog::error("kafka: {}; mirroring partition {} again", resume.status().ToString(), p);
    int64_t at = resume.ok() ? *resume : 0;
    // From the local store if it has this partition, else a replay from the beginning.
    parts->elems[i].offset = at > 0 ? at : RD_KAFKA_OFFSET_BEGINNING;
    owned += (owned.empty() ? "" : ",") + std::to_string(p) +
             (at > 0 ? "@" + std::to_string(at) : "@replay");
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(consumer_.get(), parts);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) spdlog::error("kafka: assign: {}", rd_kafka_err2str(e));
  for (int i = 0; i < parts->cnt; ++i)
    StartWorker(static_cast<uint32_t>(parts->elems[i].partition));
  spdlog::info("kafka: assigned partitions {}", owned);
}

void KafkaEngine::Revoke() {
  std::map<uint32_t, std::unique_ptr<Worker>> stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping.swap(workers_);
  }
  for (auto& [p, w] : stopping) w->stop = true;
  for (auto& [p, w] : stopping) w->thread.join();  // their last commit is done
  if (consumer_ && !o_.assign_all) rd_kafka_assign(consumer_.get(), nullptr);
  if (!stopping.empty()) spdlog::info("kafka: revoked {} partition(s)", stopping.size());
}

void KafkaEngine::StartWorker(uint32_t p) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& w = workers_[p];
  if (w) return;
  w = std::make_unique<Worker>();
  w->thread = std::thread([this, p, raw = w.get()] { Work(p, raw); });
}

void KafkaEngine::Work(uint32_t p, Worker* w) {
  engine::ProcessorOptions popts;
  popts.ticket_cache_bytes = o_.memory_bytes / 4 / std::max<uint32_t>(1, partitions_);
  engine::Processor proc(p, *log_, *store_, popts);
  Status opened = proc.Open();
  while (!opened.ok() && !w->stop.load()) {
    spdlog::error("kafka: partition {}: {}", p, opened.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    opened = proc.Open();
  }
  w->position = proc.position();
  // Restoring a partition (replay or resume) mirrors up to the high watermark seen now before
  // processing: what a replay re-emits is then found in the mirror and not produced again.
  int64_t low = 0, high = 0;
  if (rd_kafka_query_watermark_offsets(consumer_.get(), o_.topics.records().c_str(),
                                       static_cast<int32_t>(p), &low, &high,
                                       5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!w->stop.load() && std::chrono::steady_clock::now() < until) {
      auto resume = log_->ResumeOffset(p);
      if (!resume.ok() || *resume >= high) break;
      log_->WaitForAppend(p, log_->Head(p).end_offset, std::chrono::milliseconds(100));
    }
  }
  while (!w->stop.load()) {
    auto n = proc.ProcessAvailable(1024);
    if (!n.ok()) {
      spdlog::error("kafka: partition {}: {}", p, n.status().ToString());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    processed_ += *n;
    w->position = proc.position();
    if (*n == 0) log_->WaitForAppend(p, proc.position(), std::chrono::milliseconds(100));
  }
}

void KafkaEngine::Consume() {
  while (!stop_.load()) {
    std::map<uint32_t, std::vector<Consumed>> batch;
    for (int n = 0; n < 1000; ++n) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(consumer_.get(), n == 0 ? 100 : 0);
      if (msg == nullptr) break;
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
          spdlog::warn("kafka: consumer: {}", rd_kafka_message_errstr(msg));
        rd_kafka_message_destroy(msg);
        continue;
      }
      batch[static_cast<uint32_t>(msg->partition)].push_back(
          {msg->offset, std::string(static_cast<const char*>(msg->payload), msg->len)});
      rd_kafka_message_destroy(msg);
    }
    for (auto& [p, msgs] : batch) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!workers_.count(p)) continue;  // revoked meanwhile: the new owner reads these
      }
      auto stats =
          log_->Mirror(p, msgs, [this](uint32_t part, const Consumed& m, const Status& why) {
            OnBadRecord(part, m, why);
          });
      if (!stats.ok()) {
        // Nothing was written: read these messages again from where the mirror stands.
        spdlog::error("kafka: mirroring partition {}: {}", p, stats.status().ToString());
        auto resume = log_->ResumeOffset(p);
        rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, o_.topics.records().c_str(), static_cast<int32_t>(p))
            ->offset = resume.ok() && *resume > 0 ? *resume : RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_error_t* e = rd_kafka_seek_partitions(consumer_.get(), l, 5000);
        if (e != nullptr) rd_kafka_error_destroy(e);
        rd_kafka_topic_partition_list_destroy(l);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      mirrored_ += stats->appended;
      duplicates_ += stats->duplicates;
    }
  }
}

void KafkaEngine::OnBadRecord(uint32_t p, const Consumed& m, const Status& why) {
  ++bad_;
  spdlog::warn("kafka: skipped {}/{}@{}: not a valid record: {}", o_.topics.records(), p, m.offset,
               why.ToString());
  auto r = producer_->ProduceAndWait({{.topic = o_.topics.dead_letter(),
                                       .value = m.value,
                                       .headers = {{"error", why.ToString()},
                                                   {"source.topic", o_.topics.records()},
                                                   {"source.partition", std::to_string(p)},
                                                   {"source.offset", std::to_string(m.offset)}}}});
  if (!r.ok()) spdlog::warn("kafka: dead letter not written: {}", r.status().ToString());
}

void KafkaEngine::Tick() {
  const int64_t start_wall = o_.wall_clock_ms();
  const ClockSchedule clock(start_wall, EngineNow(), o_.clock_speed);
  file::IngressPreparer preparer(partitions_);
  int64_t next = start_wall + o_.tick_ms;
  while (!stop_.load()) {
    int64_t wall = o_.wall_clock_ms();
    if (wall < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(100, next - wall)));
      continue;
    }
    next += o_.tick_ms;
    int64_t now = clock.At(wall);
    const std::vector<uint32_t> owned = Owned();
    // A partition taken over from a node whose clock ran ahead keeps its time: a tick before
    // a partition's clock would be refused (time does not go backwards), so wait it out.
    for (uint32_t p : owned) {
      auto v = engine::PartitionNow(*store_, p);
      if (v.ok()) now = std::max(now, *v);
    }
    file::PreparedRecord rec;
    std::vector<file::IngressError> errors;
    if (!preparer.PrepareRecord(events::ClockTickRecord("kafka-scheduler", now), wall, &rec,
                                &errors)) {
      spdlog::error("kafka: clock record: {}", DescribeErrors(errors));
      continue;
    }
    std::vector<events::PartitionAppend> batch;
    for (uint32_t p : owned) batch.push_back({p, {rec.bytes}});
    if (batch.empty()) continue;
    auto r = log_->Append(std::move(batch));
    if (!r.ok()) spdlog::warn("kafka: clock record not appended: {}", r.status().ToString());
  }
}

std::vector<uint32_t> KafkaEngine::Owned() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint32_t> out;
  for (const auto& [p, w] : workers_) out.push_back(p);
  return out;
}

int64_t KafkaEngine::EngineNow() const {
  auto now = engine::EngineNow(*store_, partitions_);
  if (!now.ok()) {
    spdlog::error("kafka: the engine's clock could not be read: {}", now.status().ToString());
    return 0;
  }
  return *now;
}

uint64_t KafkaEngine::position(uint32_t partition) const {
  std::lock_guard lock(mu_);
  auto it = workers_.find(partition);
  return it == workers_.end() ? 0 : it->second->position.load();
}

bool KafkaEngine::CaughtUp() const {
  if (store_->pending() > 0) return false;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [p, w] : workers_) {
    int64_t low = 0, high = 0;
    rd_kafka_get_watermark_offsets(consumer_.get(), o_.topics.records().c_str(),
                                   static_cast<int32_t>(p), &low, &high);
    auto resume = log_->ResumeOffset(p);
    if (!resume.ok() || *resume < high) return false;
    if (w->position.load() < log_->Head(p).end_offset) return false;
  }
  return true;
}

Status KafkaEngine::WaitUntilQuiet(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int quiet = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    bool ok = store_->pending() == 0;
    for (uint32_t p : Owned()) {
      if (!ok) break;
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(consumer_.get(), o_.topics.records().c_str(),
                                           static_cast<int32_t>(p), &low, &high,
                                           5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ok = false;
        break;
      }
      auto resume = log_->ResumeOffset(p);
      ok = resume.ok() && *resume >= high;
    }
    ok = ok && CaughtUp();
    quiet = ok ? quiet + 1 : 0;
    if (quiet >= 3) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Status(Code::kDeadlineExceeded, "kafka: not caught up in time");
}

KafkaEngineStats KafkaEngine::stats() const {
  KafkaEngineStats s;
  s.processed = processed_;
  s.mirrored = mirrored_;
  s.duplicates = duplicates_;
  s.bad_records = bad_;
  s.produced = store_->produced();
  s.skipped = store_->skipped();
  s.rebalances = rebalances_;
  if (ingress_) {
    s.ingress_accepted = ingress_->stats().accepted;
    s.ingress_rejected = ingress_->stats().rejected;
  }
  return s;
}

}  // namespace closeloop::kafka
