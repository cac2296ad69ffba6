#include "connectors/kafka/ingress.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "events/ids.h"
#include "events/json_locator.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::kafka {
namespace {

Result<std::string> WithId(std::string_view bytes, const std::string& id) {
  CL_ASSIGN_OR_RETURN(const events::fb::Record* rec, events::VerifyRecord(bytes));
  events::fb::RecordT r;
  rec->UnPackTo(&r);
  r.id = id;
  flatbuffers::FlatBufferBuilder fbb(bytes.size() + 64);
  fbb.Finish(events::fb::Record::Pack(fbb, &r), events::fb::RecordIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

}  // namespace

std::string DescribeErrors(const std::vector<file::IngressError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += "line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ": ";
    if (!e.field.empty()) out += e.field + ": ";
    out += e.message;
  }
  return out;
}

bool ConvertIngress(IngressFormat format, const IngressMessage& m, file::IngressPreparer& preparer,
                    file::PreparedRecord* out, std::vector<file::IngressError>* errors) {
  const int64_t stamp = m.timestamp_ms;
  bool has_id = false;
  if (format == IngressFormat::kJson) {
    // events::ValidateIngress dereferences the body of a typed record without checking
    // that it is there, so a message with a body_type and no body is refused first.
    auto j = nlohmann::json::parse(m.value, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("body_type") && !j.contains("body")) {
      auto lc = events::LineColumnAt(m.value, events::JsonOffsetOf(m.value, "body_type"));
      errors->push_back(
          {lc.line, lc.column, "body", "missing: a record with a body_type needs its body"});
      return false;
    }
    if (!preparer.Prepare(m.value, 1, stamp, out, errors)) return false;
    has_id = j.is_object() && j.contains("id");
  } else {
    auto rec = events::VerifyRecord(m.value);
    has_id = rec.ok() && (*rec)->id() != nullptr && (*rec)->id()->size() > 0;
    if (!preparer.PrepareRecord(m.value, stamp, out, errors)) return false;
  }
  if (!has_id) {
    // Consumed again after a crash, the message must become the same record.
    std::string id = events::DeriveId(stamp,
                                      "kafka/" + m.topic + "/" + std::to_string(m.partition) + "/" +
                                          std::to_string(m.offset),
                                      0)
                         .ToString();
    auto bytes = WithId(out->bytes, id);
    if (!bytes.ok()) {
      errors->push_back({1, 0, "id", bytes.status().message()});
      return false;
    }
    out->bytes = std::move(*bytes);
    out->id = id;
  }
  return true;
}

Status IngressBridge::Start() {
  Config c = config_;
  c["group.id"] = group_;
  c["enable.auto.commit"] = "false";
  c["auto.offset.reset"] = "earliest";
  CL_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, MakeConf(c));
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument(std::string("ingress consumer: ") + err);
  }
  rk_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* subs = rd_kafka_topic_partition_list_new(2);
  rd_kafka_topic_partition_list_add(subs, topics_.ingress_json().c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_topic_partition_list_add(subs, topics_.ingress_fb().c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, subs);
  rd_kafka_topic_partition_list_destroy(subs);
  CL_RETURN_IF_ERROR(FromKafka(e, "subscribing to the ingress topics"));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void IngressBridge::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (rk_) {
    rd_kafka_consumer_close(rk_.get());
    rk_.reset();
  }
}

void IngressBridge::Run() {
  // Agencies and the operator's setup publish here; staff commands come only from the API,
  // which builds them from a token's claims and appends them to the records topic itself.
  file::PublishPolicy policy;
  policy.control = true;
  policy.who = "an ingress topic";
  file::IngressPreparer preparer(partitions_, policy);
  while (!stop_.load()) {
    std::vector<OutMessage> out;
    for (int n = 0; n < 256; ++n) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_.get(), n == 0 ? 100 : 0);
      if (msg == nullptr) break;
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
          spdlog::warn("kafka ingress: {}", rd_kafka_message_errstr(msg));
        rd_kafka_message_destroy(msg);
        continue;
      }
      IngressMessage m;
      m.topic = rd_kafka_topic_name(msg->rkt);
      m.partition = msg->partition;
      m.offset = msg->offset;
      m.timestamp_ms = rd_kafka_message_timestamp(msg, nullptr);
      if (m.timestamp_ms <= 0) m.timestamp_ms = 1;  // no timestamp: an obviously unset one
      m.value.assign(static_cast<const char*>(msg->payload), msg->len);
      rd_kafka_message_destroy(msg);
      IngressFormat format =
          m.topic == topics_.ingress_fb() ? IngressFormat::kFlatBuffers : IngressFormat::kJson;
      file::PreparedRecord rec;
      std::vector<file::IngressError> errors;
      if (ConvertIngress(format, m, preparer, &rec, &errors)) {
        ++stats_.accepted;
        const events::fb::Record* r = *events::VerifyRecord(rec.bytes);
        for (uint32_t p : rec.partitions) {
          out.push_back({.topic = topics_.records(),
                         .partition = static_cast<int32_t>(p),
                         .key = r->subject() ? r->subject()->str() : "",
                         .value = rec.bytes});
        }
      } else {
        ++stats_.rejected;
        std::string why = DescribeErrors(errors);
        spdlog::warn("kafka ingress: rejected {}/{}@{}: {}", m.topic, m.partition, m.offset, why);
        out.push_back({.topic = topics_.dead_letter(),
                       .value = m.value,
                       .headers = {{"error", why},
                                   {"source.topic", m.topic},
                                   {"source.partition", std::to_string(m.partition)},
                                   {"source.offset", std::to_string(m.offset)}}});
      }
    }
    if (out.empty()) continue;
    // Until acknowledged, the group's offsets must not move; retrying is safe (same ids).
    for (int attempt = 0; !stop_.load(); ++attempt) {
      auto r = producer_->ProduceAndWait(out);
      if (r.ok()) break;
      if (attempt % 10 == 0) spdlog::warn("kafka ingress: {}; retrying", r.status().ToString());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (stop_.load()) break;
    stats_.produced += out.size();
    rd_kafka_resp_err_t e = rd_kafka_commit(rk_.get(), nullptr, /*async=*/0);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
      spdlog::warn("kafka ingress: committing offsets: {}", rd_kafka_err2str(e));
  }
}

}  // namespace closeloop::kafka
