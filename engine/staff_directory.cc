#include "engine/staff_directory.h"

#include <nlohmann/json.hpp>
#include <set>

namespace closeloop::engine {
namespace {

using nlohmann::json;

Status At(const std::string& path, const std::string& why) {
  return InvalidArgument(path + ": " + why);
}

bool UserName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<StaffDirectory> StaffDirectory::Parse(std::string_view content_json, uint32_t version) {
  json doc = json::parse(content_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return At("content_json", "expected a JSON object {\"people\": [...]}");
  }
  for (auto& [k, v] : doc.items()) {
    if (k != "people") return At(k, "not a field of the staff table (people)");
  }
  if (!doc.contains("people") || !doc["people"].is_array()) {
    return At("people", "required: an array");
  }
  StaffDirectory d;
  d.version_ = version;
  d.source_json_ = std::string(content_json);
  for (size_t i = 0; i < doc["people"].size(); ++i) {
    const std::string path = "people[" + std::to_string(i) + "]";
    const json& p = doc["people"][i];
    if (!p.is_object()) return At(path, "expected an object");
    StaffPerson person;
    for (auto& [k, v] : p.items()) {
      if (k == "user" || k == "department" || k == "name") {
        if (!v.is_string()) return At(path + "." + k, "expected a string");
      } else if (k == "enabled") {
        if (!v.is_boolean()) return At(path + ".enabled", "expected true or false");
        person.enabled = v.get<bool>();
      } else {
        return At(path + "." + k, "not a field of a person (user, department, name, enabled)");
      }
    }
    person.user = p.value("user", "");
    person.department = p.value("department", "");
    person.name = p.value("name", "");
    if (!UserName(person.user)) {
      return At(path + ".user",
                "'" + person.user + "' is not a user name (a-z, 0-9, '.', '-', '_'; 1 to 64)");
    }
    if (person.department.empty()) return At(path + ".department", "required");
    if (d.people_.contains(person.user)) {
      return At(path + ".user", "'" + person.user + "' appears twice");
    }
    d.people_.emplace(person.user, std::move(person));
  }
  return d;
}

const StaffPerson* StaffDirectory::Find(std::string_view user) const {
  auto it = people_.find(user);
  return it == people_.end() ? nullptr : &it->second;
}

std::vector<const StaffPerson*> StaffDirectory::OfDepartment(std::string_view department) const {
  std::vector<const StaffPerson*> out;
  for (const auto& [user, p] : people_) {
    if (p.department == department) out.push_back(&p);
  }
  return out;
}

std::string AssigneeProblem(const StaffDirectory* directory, std::string_view user,
                            std::string_view lead) {
  if (user.empty()) return "assignee: required (a user of " + std::string(lead) + ")";
  const StaffPerson* p = directory ? directory->Find(user) : nullptr;
  if (p == nullptr) {
    return "assignee: " + std::string(user) + " is not in the staff directory";
  }
  if (!p->enabled) return "assignee: " + std::string(user) + " is disabled";
  if (p->department != lead) {
    return "assignee: " + std::string(user) + " works for " + p->department +
           ", not the lead department " + std::string(lead);
  }
  return "";
}

}  // namespace closeloop::engine
