#include "dsl/check_context.h"

namespace closeloop::dsl {

const std::vector<events::FieldInfo>* SchemaCache::Fields(const std::string& body) {
  auto it = fields_.find(body);
  if (it != fields_.end()) return &it->second;
  if (unknown_.count(body) != 0) return nullptr;
  std::vector<events::FieldInfo> fields = events::BodyFields(body);
  if (fields.empty()) {
    unknown_.insert(body);
    return nullptr;
  }
  return &fields_.emplace(body, std::move(fields)).first->second;
}

const std::vector<std::string>* SchemaCache::EnumValues(const std::string& enum_name) {
  std::string short_name = enum_name;
  size_t dot = short_name.rfind('.');
  if (dot != std::string::npos) short_name = short_name.substr(dot + 1);
  auto it = enums_.find(short_name);
  if (it == enums_.end()) {
    it = enums_.emplace(short_name, events::EnumValueNames(short_name)).first;
  }
  return &it->second;
}

FactTable BuiltinFacts(const std::vector<std::string>& state_names) {
  FactTable t;
  auto add = [&t](const char* name, FactType type, bool writable) {
    FactInfo f;
    f.type = type;
    f.builtin = true;
    f.writable = writable;
    t[name] = f;
  };
  add("category", FactType::kString, true);
  add("severity", FactType::kEnum, true);
  t["severity"].enum_values = {"unknown", "general", "major"};
  add("jurisdiction", FactType::kString, true);
  add("subject", FactType::kString, true);
  for (const char* counter : {"returns", "reopens", "extensions", "overdue_count", "version"}) {
    add(counter, FactType::kInt, false);
  }
  add("state", FactType::kEnum, false);
  t["state"].enum_values = state_names;
  for (const char* id : {"lead", "id", "parent_id"}) add(id, FactType::kString, false);
  add("opened_at", FactType::kInt, false);
  add("assists", FactType::kInt, false);
  return t;
}

ValueType ValueTypeOf(FactType t) {
  switch (t) {
    case FactType::kBool:
      return ValueType::kBool;
    case FactType::kInt:
      return ValueType::kInt;
    case FactType::kDouble:
      return ValueType::kDouble;
    case FactType::kString:
    case FactType::kEnum:
      return ValueType::kString;
    case FactType::kDuration:
      return ValueType::kDuration;
  }
  return ValueType::kNull;
}

std::string_view FactTypeName(FactType t) {
  switch (t) {
    case FactType::kBool:
      return "bool";
    case FactType::kInt:
      return "int";
    case FactType::kDouble:
      return "number";
    case FactType::kString:
      return "string";
    case FactType::kDuration:
      return "duration";
    case FactType::kEnum:
      return "one of";
  }
  return "?";
}

}  // namespace closeloop::dsl
