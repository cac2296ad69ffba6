// The contract events/engine.fbs states: every engine body's field at vtable slot 4 (field
// id 0) is `ticket_id:string`, because the applier and the change feed read it there without
// knowing the body's type (events::EngineTicketId). These tests read the compiled schema
// (FlatBuffers reflection over the embedded record.bfbs), so a new engine body, a reordered
// field or a renamed one fails here before it misroutes a record.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "events/engine_record.h"
#include "events/record.h"
#include "events/schema.h"
#include "events/testing/record_builder.h"

namespace closeloop::events {
namespace {

// The body tables of the union `Body` whose kind is kEngine, as reflection objects.
std::vector<const reflection::Object*> EngineBodies() {
  const reflection::Schema& schema = ReflectionSchema();
  const reflection::Enum* body = schema.enums()->LookupByKey("closeloop.fb.Body");
  REQUIRE(body != nullptr);
  std::vector<const reflection::Object*> out;
  for (const reflection::EnumVal* v : *body->values()) {
    auto type = static_cast<fb::Body>(v->value());
    if (KindOf(type) != BodyKind::kEngine) continue;
    REQUIRE(v->union_type() != nullptr);
    int32_t index = v->union_type()->index();
    REQUIRE(index >= 0);
    out.push_back(schema.objects()->Get(static_cast<flatbuffers::uoffset_t>(index)));
  }
  return out;
}

TEST_CASE("every engine body has ticket_id:string at vtable slot 4") {
  auto bodies = EngineBodies();
  // The union's engine range: TicketOpened .. PagingExhausted, then TicketAssigned,
  // ResourcesReleased and ExpertAnswered (PageAcknowledgement, between them, is an ingress
  // body appended later).
  CHECK(bodies.size() == static_cast<size_t>(fb::Body::PagingExhausted) -
                             static_cast<size_t>(fb::Body::TicketOpened) + 4);
  CHECK(KindOf(fb::Body::PageAcknowledgement) == BodyKind::kIngress);
  CHECK(KindOf(fb::Body::TicketAssigned) == BodyKind::kEngine);
  for (const reflection::Object* obj : bodies) {
    CAPTURE(obj->name()->str());
    const reflection::Field* at_slot = nullptr;
    for (const reflection::Field* f : *obj->fields()) {
      if (f->offset() == kEngineTicketIdSlot) at_slot = f;
    }
    REQUIRE_MESSAGE(at_slot != nullptr, "no field at vtable slot 4");
    CHECK(at_slot->name()->str() == "ticket_id");
    CHECK(at_slot->id() == 0);
    CHECK(at_slot->type()->base_type() == reflection::String);
    CHECK_FALSE(at_slot->deprecated());
  }
}

TEST_CASE("EngineTicketId reads the ticket of any engine body and nothing else") {
  std::string closed = testing::RawRecord(R"({"body_type": "TicketClosed",
      "body": {"ticket_id": "T-1", "outcome": "done"}})");
  auto rec = VerifyRecord(closed);
  REQUIRE(rec.ok());
  const flatbuffers::String* id = EngineTicketId(**rec);
  REQUIRE(id != nullptr);
  CHECK(id->string_view() == "T-1");

  std::string rejected = testing::RawRecord(R"({"body_type": "CommandRejected",
      "body": {"message": "no such ticket", "reason": "unknown_ticket"}})");
  auto rej = VerifyRecord(rejected);
  REQUIRE(rej.ok());
  CHECK(EngineTicketId(**rej) == nullptr);

  std::string tick = testing::RawRecord(R"({"body_type": "ClockTick", "body": {"now": 1}})");
  auto t = VerifyRecord(tick);
  REQUIRE(t.ok());
  CHECK(EngineTicketId(**t) == nullptr);
}

}  // namespace
}  // namespace closeloop::events
