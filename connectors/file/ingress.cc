#include "connectors/file/ingress.h"

#include "events/json_locator.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::file {

bool IngressPreparer::Prepare(std::string_view json, int line, int64_t now_ms, PreparedRecord* out,
                              std::vector<IngressError>* errors) {
  events::DecodeError derr;
  auto bytes = codec_.FromJson(json, &derr);
  if (!bytes.ok()) {
    errors->push_back({line + derr.line - 1, derr.column, derr.field, derr.message});
    return false;
  }
  const events::fb::Record* rec = *events::VerifyRecord(*bytes);
  auto problems = events::ValidateIngress(*rec);
  if (!problems.empty()) {
    for (auto& p : problems) {
      // Point at the field's key when it is in the text; else at the record's start.
      size_t at = events::JsonOffsetOf(json, p.field);
      if (at == std::string_view::npos) {
        auto dot = p.field.rfind('.');
        if (dot != std::string::npos) at = events::JsonOffsetOf(json, p.field.substr(0, dot));
      }
      auto lc = events::LineColumnAt(json, at == std::string_view::npos ? 0 : at);
      errors->push_back({line + lc.line - 1, lc.column, p.field, p.message});
    }
    return false;
  }
  auto stamped = events::StampIngress(*bytes, now_ms);
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

}  // namespace closeloop::file
