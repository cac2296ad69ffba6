#include "events/engine_record.h"

namespace closeloop::events {

const flatbuffers::String* EngineTicketId(const fb::Record& r) {
  if (KindOf(r.body_type()) != BodyKind::kEngine || r.body() == nullptr) return nullptr;
  const auto* body = static_cast<const flatbuffers::Table*>(r.body());
  return body->GetPointer<const flatbuffers::String*>(kEngineTicketIdSlot);
}

}  // namespace closeloop::events
