#include "events/schema.h"

#include <cstdlib>
#include <string_view>

extern const unsigned char closeloop_record_bfbs[];
extern const std::size_t closeloop_record_bfbs_size;

namespace closeloop::events {
namespace {

constexpr std::string_view kNamespace = "closeloop.fb.";

std::string FullName(std::string_view short_name) {
  return std::string(kNamespace) + std::string(short_name);
}

}  // namespace

std::span<const uint8_t> SchemaBytes() {
  return {closeloop_record_bfbs, closeloop_record_bfbs_size};
}

const reflection::Schema& ReflectionSchema() {
  static const reflection::Schema* schema = [] {
    flatbuffers::Verifier v(closeloop_record_bfbs, closeloop_record_bfbs_size);
    if (!reflection::VerifySchemaBuffer(v)) std::abort();  // a build defect
    return reflection::GetSchema(closeloop_record_bfbs);
  }();
  return *schema;
}

std::vector<FieldInfo> BodyFields(std::string_view body_name) {
  std::vector<FieldInfo> out;
  const auto& schema = ReflectionSchema();
  const reflection::Object* obj = schema.objects()->LookupByKey(FullName(body_name).c_str());
  if (obj == nullptr) return out;
  for (const reflection::Field* f : *obj->fields()) {
    if (f->type()->base_type() == reflection::UType) continue;  // union discriminators
    FieldInfo info;
    info.name = f->name()->str();
    info.type = f->type()->base_type();
    info.element = f->type()->element();
    info.required = f->required();
    int32_t index = f->type()->index();
    if (index >= 0) {
      bool is_object = info.type == reflection::Obj ||
                       (info.type == reflection::Vector && info.element == reflection::Obj);
      if (is_object) {
        info.table_name = schema.objects()->Get(index)->name()->str();
      } else {
        info.enum_name = schema.enums()->Get(index)->name()->str();
      }
    }
    out.push_back(std::move(info));
  }
  return out;  // reflection lists fields sorted by name
}

std::vector<std::string> EnumValueNames(std::string_view enum_name) {
  std::vector<std::string> out;
  const reflection::Enum* e = ReflectionSchema().enums()->LookupByKey(FullName(enum_name).c_str());
  if (e == nullptr) return out;
  for (const reflection::EnumVal* v : *e->values()) out.push_back(v->name()->str());
  return out;
}

}  // namespace closeloop::events
