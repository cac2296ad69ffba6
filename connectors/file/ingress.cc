#include "connectors/file/ingress.h"

#include <algorithm>

#include "events/json_locator.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::file {
namespace {

// Why `policy` refuses `rec` (field, message); empty when it admits it.
std::pair<std::string, std::string> Refusal(const PublishPolicy& policy,
                                            const events::fb::Record& rec) {
  using events::fb::Body;
  const Body type = rec.body_type();
  const std::string name(events::BodyName(type));
  switch (events::KindOf(type)) {
    case events::BodyKind::kNone:
    case events::BodyKind::kEngine:
      return {};  // not publishable by anyone: validation says so in its own terms
    case events::BodyKind::kControl:
      if (!policy.control) {
        return {"body_type", name +
                                 " is a control record: administrators publish it through "
                                 "/v1/admin (workflows, reference-data, clock)"};
      }
      break;
    case events::BodyKind::kIngress:
      if (type == Body::StaffCommand && !policy.staff_commands) {
        return {"body_type",
                "StaffCommand cannot be published: staff act through "
                "POST /v1/tickets/{id}/actions, which builds the command from their token"};
      }
      if (type == Body::PageAcknowledgement && !policy.staff_commands) {
        return {"body_type",
                "PageAcknowledgement cannot be published: a page is acknowledged through "
                "POST /v1/notify/deliveries/{id}/ack"};
      }
      break;
  }
  if (!policy.source.empty()) {
    std::string_view source = rec.source() ? rec.source()->string_view() : "";
    if (source != policy.source) {
      return {"source", policy.who + " publishes as source \"" + policy.source + "\", not \"" +
                            std::string(source) + "\""};
    }
  }
  const auto& allowed = policy.event_types;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
    return {"body_type", policy.who + " may not publish " + name};
  }
  return {};
}

}  // namespace

bool IngressPreparer::Prepare(std::string_view json, int line, int64_t now_ms, PreparedRecord* out,
                              std::vector<IngressError>* errors) {
  events::DecodeError derr;
  auto bytes = codec_.FromJson(json, &derr);
  if (!bytes.ok()) {
    errors->push_back({line + derr.line - 1, derr.column, derr.field, derr.message});
    return false;
  }
  // Point at the field's key when it is in the text; else at its parent's; else at the
  // record's start.
  auto where = [&](const std::string& field) -> std::pair<int, int> {
    size_t at = events::JsonOffsetOf(json, field);
    if (at == std::string_view::npos) {
      auto dot = field.rfind('.');
      if (dot != std::string::npos) at = events::JsonOffsetOf(json, field.substr(0, dot));
    }
    auto lc = events::LineColumnAt(json, at == std::string_view::npos ? 0 : at);
    return {line + lc.line - 1, lc.column};
  };
  return Check(*bytes, line, now_ms, where, out, errors);
}

bool IngressPreparer::PrepareRecord(std::string_view bytes, int64_t now_ms, PreparedRecord* out,
                                    std::vector<IngressError>* errors) {
  auto rec = events::VerifyRecord(bytes);
  if (!rec.ok()) {
    errors->push_back({1, 0, "", rec.status().message()});
    return false;
  }
  return Check(
      bytes, 1, now_ms,
      [](const std::string&) {
        return std::pair<int, int>{1, 0};
      },
      out, errors);
}

bool IngressPreparer::Check(std::string_view bytes, int line, int64_t now_ms,
                            const std::function<std::pair<int, int>(const std::string&)>& where,
                            PreparedRecord* out, std::vector<IngressError>* errors) const {
  const events::fb::Record* rec = *events::VerifyRecord(bytes);
  // events::ValidateIngress reads the body of a typed record without checking it is there.
  if (rec->body_type() != events::fb::Body::NONE && rec->body() == nullptr) {
    auto [l, c] = where("body_type");
    errors->push_back({l, c, "body", "missing: a record with a body_type needs its body"});
    return false;
  }
  if (auto [field, why] = Refusal(policy_, *rec); !why.empty()) {
    auto [l, c] = where(field);
    errors->push_back({l, c, field, why, /*forbidden=*/true});
    return false;
  }
  auto problems = events::ValidateIngress(*rec);
  if (!problems.empty()) {
    for (auto& p : problems) {
      auto [l, c] = where(p.field);
      errors->push_back({l, c, p.field, p.message});
    }
    return false;
  }
  auto stamped = events::StampIngress(bytes, now_ms);
  if (!stamped.ok()) {
    errors->push_back({line, 1, "", stamped.status().message()});
    return false;
  }
  const events::fb::Record* final_rec = *events::VerifyRecord(*stamped);
  out->partitions = events::TargetPartitions(*final_rec, partitions_);
  out->id = final_rec->id()->str();
  out->bytes = std::move(*stamped);
  return true;
}

std::vector<events::PartitionAppend> ToBatch(const std::vector<PreparedRecord>& records,
                                             uint32_t partitions) {
  std::vector<events::PartitionAppend> batch(partitions);
  for (uint32_t p = 0; p < partitions; ++p) batch[p].partition = p;
  for (const auto& r : records) {
    for (uint32_t p : r.partitions) batch[p].records.push_back(r.bytes);
  }
  std::erase_if(batch, [](const events::PartitionAppend& pa) { return pa.records.empty(); });
  return batch;
}

Result<std::vector<events::PartitionAppend>> ControlBatch(const std::vector<std::string>& records,
                                                          uint32_t partitions, int64_t now_ms) {
  IngressPreparer preparer(partitions);
  std::vector<PreparedRecord> prepared;
  for (size_t i = 0; i < records.size(); ++i) {
    PreparedRecord rec;
    std::vector<IngressError> errors;
    if (!preparer.PrepareRecord(records[i], now_ms, &rec, &errors)) {
      const auto& e = errors.front();
      return InvalidArgument("control record " + std::to_string(i + 1) + ": " +
                             (e.field.empty() ? "" : e.field + ": ") + e.message);
    }
    prepared.push_back(std::move(rec));
  }
  return ToBatch(prepared, partitions);
}

}  // namespace closeloop::file
