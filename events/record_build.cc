#include "events/record_build.h"

#include "events/hash.h"

namespace closeloop::events {

std::string PackRecord(fb::RecordT record) {
  record.recorded_at = 0;  // what the log sets is left out: the boundary refuses it
  record.prev_hash.clear();
  flatbuffers::FlatBufferBuilder fbb(256);
  fbb.Finish(fb::Record::Pack(fbb, &record), fb::RecordIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

std::string WorkflowDeployedRecord(std::string_view source, std::string_view actor,
                                   std::string_view name, uint32_t version, std::string_view text) {
  fb::WorkflowDeployedT body;
  body.name = std::string(name);
  body.version = version;
  body.source = std::string(text);
  body.source_sha256 = ToHex(Sha256Of(text));
  fb::RecordT r;
  r.source = std::string(source);
  r.actor = std::string(actor);
  r.body.Set(std::move(body));
  return PackRecord(std::move(r));
}

std::string ClockTickRecord(std::string_view source, int64_t now_ms) {
  fb::ClockTickT tick;
  tick.now = now_ms;
  return PackRecord(source, std::move(tick));
}

}  // namespace closeloop::events
