#include "connectors/kafka/client.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace closeloop::kafka {
namespace {

// One ProduceAndWait call: the delivery reports of its messages count down here.
struct Waiter {
  std::mutex mu;
  std::condition_variable done;
  size_t remaining = 0;                                  // GUARDED_BY(mu)
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;  // GUARDED_BY(mu): the first error
  std::vector<int64_t> offsets;                          // GUARDED_BY(mu)
};

struct Slot {
  Waiter* waiter;
  size_t index;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* slot = static_cast<Slot*>(m->_private);
  if (slot == nullptr) return;
  Waiter* w = slot->waiter;
  std::lock_guard<std::mutex> lock(w->mu);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && w->err == RD_KAFKA_RESP_ERR_NO_ERROR) w->err = m->err;
  w->offsets[slot->index] = m->offset;
  if (--w->remaining == 0) w->done.notify_all();
}

}  // namespace

void RdKafkaDeleter::operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }

Status FromKafka(rd_kafka_resp_err_t err, std::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  std::string msg = std::string(context) + ": " + rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return Status(Code::kDeadlineExceeded, msg);
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return NotFound(msg);
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return ResourceExhausted(msg);
    default:
      return Unavailable(msg);
  }
}

Result<rd_kafka_conf_t*> MakeConf(const Config& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : config) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return InvalidArgument("kafka property " + k + "=" + v + ": " + err);
    }
  }
  return conf;
}

Result<uint32_t> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, timeout_ms);
  rd_kafka_topic_destroy(t);
  CL_RETURN_IF_ERROR(FromKafka(err, "metadata for " + topic));
  Status s = NotFound("topic " + topic + " not in the cluster's metadata");
  uint32_t count = 0;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic != md->topics[i].topic) continue;
    if (md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      s = FromKafka(md->topics[i].err, "topic " + topic);
    } else if (md->topics[i].partition_cnt > 0) {
      count = static_cast<uint32_t>(md->topics[i].partition_cnt);
    }
  }
  rd_kafka_metadata_destroy(md);
  if (count == 0) return s;
  return count;
}

Result<std::unique_ptr<Producer>> Producer::Create(const Config& config) {
  Config c = config;
  c["enable.idempotence"] = "true";  // implies acks=all, ordered retries without duplicates
  c["acks"] = "all";
  if (!c.count("linger.ms")) c["linger.ms"] = "2";
  if (!c.count("message.timeout.ms")) c["message.timeout.ms"] = "60000";
  CL_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, MakeConf(c));
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument(std::string("kafka producer: ") + err);
  }
  std::unique_ptr<Producer> p(new Producer());
  p->rk_.reset(rk);
  p->poller_ = std::thread([raw = p.get()] { raw->Poll(); });
  return p;
}

Producer::~Producer() {
  stop_ = true;
  if (poller_.joinable()) poller_.join();
  if (rk_) rd_kafka_flush(rk_.get(), 10000);
}

void Producer::Poll() {
  while (!stop_.load()) rd_kafka_poll(rk_.get(), 50);
}

Result<std::vector<int64_t>> Producer::ProduceAndWait(const std::vector<OutMessage>& messages) {
  Waiter w;
  std::vector<Slot> slots(messages.size());
  w.offsets.assign(messages.size(), -1);
  Status failed;
  for (size_t i = 0; i < messages.size(); ++i) {
    const OutMessage& m = messages[i];
    slots[i] = {&w, i};
    rd_kafka_headers_t* hdrs = nullptr;
    if (!m.headers.empty()) {
      hdrs = rd_kafka_headers_new(m.headers.size());
      for (const auto& [k, v] : m.headers)
        rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
    }
    {
      std::lock_guard<std::mutex> lock(w.mu);
      ++w.remaining;
    }
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk_.get(), RD_KAFKA_V_TOPIC(m.topic.c_str()), RD_KAFKA_V_PARTITION(m.partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
          RD_KAFKA_V_KEY(m.key.data(), m.key.size()), RD_KAFKA_V_OPAQUE(&slots[i]),
          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the poller drains it
        continue;
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
        std::lock_guard<std::mutex> lock(w.mu);
        --w.remaining;
        failed = FromKafka(err, "producing to " + m.topic);
      }
      break;
    }
    if (!failed.ok()) break;
  }
  // Wait for every queued message, even after a failure: the slots live on this stack.
  std::unique_lock<std::mutex> lock(w.mu);
  w.done.wait(lock, [&] { return w.remaining == 0; });
  if (!failed.ok()) return failed;
  CL_RETURN_IF_ERROR(FromKafka(w.err, "delivery"));
  return w.offsets;
}

}  // namespace closeloop::kafka
