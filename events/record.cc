#include "events/record.h"

#include <cstring>

namespace closeloop::events {

Result<const fb::Record*> VerifyRecord(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8)
    return Corruption("record too short (" + std::to_string(bytes.size()) + " bytes)");
  if (!fb::RecordBufferHasIdentifier(bytes.data())) {
    return Corruption("record does not carry the CLR1 file identifier");
  }
  // Limits: records are small; a deep or wide buffer is hostile or corrupt.
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), /*max_depth=*/32,
                                 /*max_tables=*/100000);
  if (!fb::VerifyRecordBuffer(verifier)) {
    return Corruption("record failed FlatBuffers verification");
  }
  return fb::GetRecord(bytes.data());
}

Result<const fb::Record*> VerifyRecord(std::string_view bytes) {
  return VerifyRecord(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

BodyKind KindOf(fb::Body type) {
  using B = fb::Body;
  if (type == B::NONE) return BodyKind::kNone;
  if (type >= B::HazardReport && type <= B::StaffCommand) return BodyKind::kIngress;
  if (type == B::PageAcknowledgement) return BodyKind::kIngress;  // appended after the engine's
  if (type >= B::ClockTick && type <= B::ReferenceDataUpdated) return BodyKind::kControl;
  if (type >= B::TicketOpened && type <= B::MAX) return BodyKind::kEngine;
  return BodyKind::kNone;
}

std::string_view BodyName(fb::Body type) {
  if (type == fb::Body::NONE || type > fb::Body::MAX) return "";
  return fb::EnumNameBody(type);
}

fb::Body BodyFromName(std::string_view name) {
  for (auto t : fb::EnumValuesBody()) {
    if (t != fb::Body::NONE && name == fb::EnumNameBody(t)) return t;
  }
  return fb::Body::NONE;
}

Status SetPrevHash(std::string& bytes, const Hash& prev) {
  auto* record = fb::GetMutableRecord(bytes.data());
  flatbuffers::String* field = record->mutable_prev_hash();
  if (field == nullptr || field->size() != kHashHexLength) {
    return InvalidArgument("record has no prev_hash placeholder of 64 characters");
  }
  std::string hex = ToHex(prev);
  std::memcpy(const_cast<char*>(field->c_str()), hex.data(), kHashHexLength);
  return Status::Ok();
}

}  // namespace closeloop::events
