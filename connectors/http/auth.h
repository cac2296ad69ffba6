// Who may call the API: users with one role each, and bearer tokens that stand for them.
// Tokens are random (256 bits), shown once when issued and stored only as their SHA-256,
// so a copy of the data directory does not leak working credentials.
//
// Every token expires (default 90 days, at most 366; a token stored before expiry existed
// expires 90 days after it was issued). Rotation: a new token with the same user, label and
// lifetime replaces an old one in one write.
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

// kEnterprise: an enterprise's own safety manager (企业安全管理人员), who sees and acts on the
// tickets about their enterprise only (docs/api.md, "Enterprises").
enum class Role { kPublisher, kStaff, kSupervisor, kInspector, kAuditor, kAdmin, kEnterprise };

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
  // enterprise: the enterprise it is (an `enterprises` id of the reference data, ENT-00002);
  // required for that role, refused for the others.
  std::string enterprise;
  // A grid inspector (网格员, acts_as "grid"): the grid they walk (a grid-level code of the
  // jurisdictions table); required with acts_as "grid", refused without it. Their "grid"
  // actions carry it as the claim, and the engine lets them act within it only.
  std::string grid;
  bool disabled = false;

  std::string ToJson() const;
  // Validates every field; the error names the field.
  static Result<User> FromJson(std::string_view json);
  Status Validate() const;
};

constexpr int64_t kTokenDayMs = 24LL * 3600 * 1000;
constexpr int64_t kDefaultTokenLifetimeMs = 90 * kTokenDayMs;
constexpr int64_t kMinTokenLifetimeMs = 1000;
constexpr int64_t kMaxTokenLifetimeMs = 366 * kTokenDayMs;

struct TokenInfo {
  std::string id;  // the first 16 hex digits of the token's hash: safe to show and to revoke by
  std::string user;
  std::string label;
  int64_t created_at = 0;
  int64_t expires_at = 0;  // ms; the token is refused from this instant on
};

struct IssuedToken {
  std::string token;  // shown once, never stored
  std::string hash;   // SHA-256 hex of the token: the store's key
  TokenInfo info;
};

// What a presented token is worth.
struct Authentication {
  std::optional<User> user;  // set when the token is good now
  std::string refusal;       // else why, fit for a 401 (never contains the token)
  TokenInfo token;           // the token's entry, when it exists
  std::string hash;          // the token's SHA-256 hex
};

class AuthStore {
 public:
  explicit AuthStore(rocks::RocksDb& db) : db_(db) {}

  Status PutUser(const User& user);
  Result<std::optional<User>> GetUser(std::string_view name) const;
  Result<std::vector<User>> ListUsers() const;
  // Disables the user and revokes its tokens (the user stays, for the access log).
  Status DisableUser(std::string_view name);

  // A new token for `user`, valid for `lifetime_ms` (kMinTokenLifetimeMs to
  // kMaxTokenLifetimeMs, else InvalidArgument "lifetime: ..."): the token itself is returned
  // once and never stored.
  Result<IssuedToken> IssueToken(std::string_view user, std::string_view label, int64_t now_ms,
                                 int64_t lifetime_ms = kDefaultTokenLifetimeMs);
  // Replaces the token whose hash is `hash` with a new one for the same user, label and
  // lifetime (or `lifetime_ms` when > 0): the old one is revoked in the same write.
  Result<IssuedToken> RotateToken(std::string_view hash, int64_t now_ms, int64_t lifetime_ms = 0);
  Result<std::vector<TokenInfo>> ListTokens(std::string_view user) const;
  // NotFound if no token has that id.
  Status RevokeToken(std::string_view token_id);

  // Whether `token` stands for an enabled user at `now_ms`; the refusal says why not
  // (unknown or revoked, expired and when, user disabled).
  Result<Authentication> Authenticate(std::string_view token, int64_t now_ms) const;
  // The same for a token known by its hash (a stream ticket remembers only the hash).
  Result<Authentication> AuthenticateHash(std::string_view hash, int64_t now_ms) const;
  static std::string TokenHash(std::string_view token);

  // True when no user exists; an error when the store cannot be read (never "no users").
  Result<bool> empty() const;

 private:
  rocks::RocksDb& db_;
};

}  // namespace closeloop::http
