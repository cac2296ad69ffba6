// Small helpers the reference tables parsed from JSON share (notify_rules.cc,
// duty_roster.cc): every error is InvalidArgument "path: message", the path naming the field
// at fault the way the admin API reports it ("subscriptions[1].to[0].address").
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"

namespace closeloop::engine::json_fields {

// A field error: "path: message".
inline Status At(const std::string& path, const std::string& message) {
  return InvalidArgument(path + ": " + message);
}

inline Status OnlyKeys(const nlohmann::json& obj, const std::string& path,
                       std::initializer_list<const char*> keys) {
  for (const auto& [k, v] : obj.items()) {
    bool ok = false;
    for (const char* allowed : keys) ok = ok || k == allowed;
    if (!ok) return At(path + "." + k, "unknown field");
  }
  return Status::Ok();
}

// The string `key` of `obj` ("" when absent and not required).
inline Result<std::string> StringAt(const nlohmann::json& obj, const char* key,
                                    const std::string& path, bool required, size_t max = 2000) {
  if (!obj.contains(key)) {
    if (required) return At(path + "." + key, "required");
    return std::string();
  }
  const nlohmann::json& v = obj[key];
  if (!v.is_string()) return At(path + "." + key, "expected a string");
  std::string s = v.get<std::string>();
  if (required && s.empty()) return At(path + "." + key, "must not be empty");
  if (s.size() > max) return At(path + "." + key, "longer than " + std::to_string(max));
  return s;
}

// An id of the tables: [a-z0-9_-], 1 to 64 characters.
inline bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace closeloop::engine::json_fields
