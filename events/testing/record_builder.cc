#include "events/testing/record_builder.h"

#include <cstdio>
#include <cstdlib>

#include "events/json_codec.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::events::testing {
namespace {

[[noreturn]] void Die(std::string_view what, std::string_view json) {
  std::fprintf(stderr, "record_builder: %.*s\n  in: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(json.size()), json.data());
  std::abort();
}

}  // namespace

std::string IngressRecord(std::string_view json, int64_t now_ms) {
  JsonCodec codec;
  auto bytes = codec.FromJson(json);
  if (!bytes.ok()) Die(bytes.status().message(), json);
  auto stamped = StampIngress(*bytes, now_ms);
  if (!stamped.ok()) Die(stamped.status().message(), json);
  return *stamped;
}

std::string RawRecord(std::string_view json) {
  JsonCodec codec;
  auto bytes = codec.FromJson(json);
  if (!bytes.ok()) Die(bytes.status().message(), json);
  auto rec = VerifyRecord(*bytes);
  fb::RecordT r;
  (*rec)->UnPackTo(&r);
  r.prev_hash = std::string(kUnsetHash);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::Record::Pack(fbb, &r), fb::RecordIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

}  // namespace closeloop::events::testing
