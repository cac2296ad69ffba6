// Who may call the API: users with one role each, and bearer tokens that stand for them.
// Tokens are random (256 bits), shown once when issued and stored only as their SHA-256,
// so a copy of the data directory does not leak working credentials.
//
// Users and tokens live in the node's RocksDB ("meta" family, keys "auth/..."), not on the
// event log: they are credentials, not facts about the city. Every write is synced.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace closeloop::rocks {
class RocksDb;
}

namespace closeloop::http {

enum class Role { kPublisher, kStaff, kSupervisor, kInspector, kAuditor, kAdmin };

std::string_view RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);

struct User {
  std::string name;  // login name: lowercase letters, digits, '.', '-', '_'
  Role role = Role::kStaff;
  // staff, supervisor, inspector: the department they act for (a reference-data id).
  std::string department;
  // publisher: the agency it publishes as (the records' `source`) and the body types it
  // may publish (empty = every ingress type but StaffCommand).
  std::string agency;
  std::vector<std::string> event_types;
  std::string display_name;
  // Workflow roles this user may also act in (staff: "head" of their department; the 12345
  // centre's "hotline"; an incident "commander"). An action names one with "as_role".
  std::vector<std::string> acts_as;
  bool disabled = false;

  std::string ToJson() const;
  // Validates every field; the error names the field.
  static Result<User> FromJson(std::string_view json);
  Status Validate() const;
};

struct TokenInfo {
  std::string id;  // the first 16 hex digits of the token's hash: safe to show and to revoke by
  std::string user;
  std::string label;
  int64_t created_at = 0;
};

class AuthStore {
 public:
  explicit AuthStore(rocks::RocksDb& db) : db_(db) {}

  Status PutUser(const User& user);
  Result<std::optional<User>> GetUser(std::string_view name) const;
  Result<std::vector<User>> ListUsers() const;
  // Disables the user and revokes its tokens (the user stays, for the access log).
  Status DisableUser(std::string_view name);

  // A new token for `user`: the token itself is returned once and never stored.
  Result<std::string> IssueToken(std::string_view user, std::string_view label, int64_t now_ms);
  Result<std::vector<TokenInfo>> ListTokens(std::string_view user) const;
  // NotFound if no token has that id.
  Status RevokeToken(std::string_view token_id);

  // The enabled user a token stands for; nullopt for an unknown, revoked or disabled one.
  Result<std::optional<User>> Authenticate(std::string_view token) const;

  bool empty() const;

 private:
  rocks::RocksDb& db_;
};

}  // namespace closeloop::http
