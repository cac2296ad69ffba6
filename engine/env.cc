#include "engine/env.h"

#include <flatbuffers/reflection.h>

#include "events/schema.h"

namespace closeloop::engine {
namespace {

using dsl::Value;

const reflection::Object* BodyObject(const fb::Record& r) {
  std::string name = "closeloop.fb." + std::string(events::BodyName(r.body_type()));
  return events::ReflectionSchema().objects()->LookupByKey(name.c_str());
}

Value Envelope(const fb::Record& r, std::string_view name) {
  auto str = [](const flatbuffers::String* s) {
    return s ? Value::String(s->str()) : Value::String("");
  };
  if (name == "id") return str(r.id());
  if (name == "source") return str(r.source());
  if (name == "subject") return str(r.subject());
  if (name == "jurisdiction") return str(r.jurisdiction());
  if (name == "occurred_at") return Value::Int(r.occurred_at());
  if (name == "recorded_at") return Value::Int(r.recorded_at());
  if (name == "actor") return str(r.actor());
  if (name == "causation_id") return str(r.causation_id());
  if (name == "correlation_id") return str(r.correlation_id());
  return Value::Null();
}

}  // namespace

Value RecordField(const fb::Record& r, std::string_view name) {
  const reflection::Object* obj = BodyObject(r);
  const auto* table = static_cast<const flatbuffers::Table*>(r.body());
  const reflection::Field* f =
      (obj && table) ? obj->fields()->LookupByKey(std::string(name).c_str()) : nullptr;
  if (f == nullptr) return Envelope(r, name);
  const auto& schema = events::ReflectionSchema();
  switch (f->type()->base_type()) {
    case reflection::String: {
      const auto* s = flatbuffers::GetFieldS(*table, *f);
      return Value::String(s ? s->str() : "");
    }
    case reflection::Bool:
      return Value::Bool(flatbuffers::GetAnyFieldI(*table, *f) != 0);
    case reflection::Float:
    case reflection::Double:
      return Value::Double(flatbuffers::GetAnyFieldF(*table, *f));
    case reflection::Byte:
    case reflection::UByte:
    case reflection::Short:
    case reflection::UShort:
    case reflection::Int:
    case reflection::UInt:
    case reflection::Long:
    case reflection::ULong: {
      int64_t v = flatbuffers::GetAnyFieldI(*table, *f);
      int32_t index = f->type()->index();
      if (index >= 0) {  // an enum: its value's name
        const reflection::EnumVal* ev = schema.enums()->Get(index)->values()->LookupByKey(v);
        return ev ? Value::String(ev->name()->str()) : Value::Null();
      }
      return Value::Int(v);
    }
    default:
      return Value::Null();  // tables, vectors: reached through EventAttr
  }
}

Value RecordAttr(const fb::Record& r, std::string_view field, std::string_view key) {
  const reflection::Object* obj = BodyObject(r);
  const auto* table = static_cast<const flatbuffers::Table*>(r.body());
  const reflection::Field* f =
      (obj && table) ? obj->fields()->LookupByKey(std::string(field).c_str()) : nullptr;
  if (f == nullptr || f->type()->base_type() != reflection::Vector ||
      f->type()->element() != reflection::Obj) {
    return Value::Null();
  }
  // An attribute the record does not carry reads as "": attributes are strings, and
  // `event.attrs["cause"] != ""` must mean "a cause was given" (null would compare unequal).
  const auto* vec =
      table->GetPointer<const flatbuffers::Vector<flatbuffers::Offset<fb::Attr>>*>(f->offset());
  if (vec == nullptr) return Value::String("");
  for (const fb::Attr* a : *vec) {
    if (a->key()->string_view() == key) return Value::String(a->value() ? a->value()->str() : "");
  }
  return Value::String("");
}

Value EvalEnv::EventField(std::string_view name) const {
  return event_ ? RecordField(*event_, name) : Value::Null();
}

Value EvalEnv::EventAttr(std::string_view field, std::string_view key) const {
  return event_ ? RecordAttr(*event_, field, key) : Value::Null();
}

Value EvalEnv::TicketFact(std::string_view name) const {
  if (provisional_ != nullptr) {
    auto it = provisional_->find(std::string(name));
    if (it != provisional_->end()) return it->second;
  }
  return ticket_ ? ticket_->Fact(name) : Value::Null();
}

Value EvalEnv::MemberField(std::string_view name) const {
  return member_ ? member_(name) : Value::Null();
}

Value EvalEnv::Subject() const {
  if (ticket_) return Value::String(ticket_->subject);
  if (event_ && event_->subject()) return Value::String(event_->subject()->str());
  return Value::Null();
}

Value EvalEnv::Recurrences(const dsl::Duration& window) const {
  return recurrences_ ? recurrences_(window) : Value::Null();
}

}  // namespace closeloop::engine
