// The people who work tickets, as the engine knows them: a ReferenceDataUpdated record with
// table_name "staff" lists every API user that acts for a department (staff, supervisor,
// inspector) with that department and whether the user is enabled. The HTTP API publishes a
// new version whenever its users change (connectors/http/api_people.cc), so the engine
// checks an assignment (the `assign` staff action, decide_command.cc) against the same
// directory on every node and on replay, never against the node's credential store.
//
// Shape (docs/reference-data.md, "staff"):
//   {"people": [{"user": "clerk.fire", "department": "nj.xuanwu.fire",
//                "name": "王芳", "enabled": true}, ...]}
// `user` is a login name (lowercase letters, digits, '.', '-', '_'; at most 64), unique;
// `department` is required; `name` is optional; `enabled` defaults to true.
//
// Determinism: ordered containers only. Thread-safety: immutable once parsed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace closeloop::engine {

inline constexpr std::string_view kStaffTableName = "staff";

struct StaffPerson {
  std::string user;
  std::string department;
  std::string name;
  bool enabled = true;
};

class StaffDirectory {
 public:
  // Validates a whole table. InvalidArgument with the path of the field at fault first:
  // "people[2].user: 'a b' is not a user name".
  static Result<StaffDirectory> Parse(std::string_view content_json, uint32_t version);

  uint32_t version() const { return version_; }
  const std::string& source_json() const { return source_json_; }
  const StaffPerson* Find(std::string_view user) const;
  // The people of `department` (enabled or not), by user name.
  std::vector<const StaffPerson*> OfDepartment(std::string_view department) const;
  size_t size() const { return people_.size(); }

 private:
  uint32_t version_ = 0;
  std::map<std::string, StaffPerson, std::less<>> people_;
  std::string source_json_;
};

// Why `user` may not be assigned a ticket led by `lead`; "" when they may (in the directory,
// enabled, of `lead`). The one check of the engine and of the API's boundary.
std::string AssigneeProblem(const StaffDirectory* directory, std::string_view user,
                            std::string_view lead);

}  // namespace closeloop::engine
