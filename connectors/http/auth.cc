#include "connectors/http/auth.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "base/time_text.h"
#include "connectors/rocksdb/rocks_db.h"
#include "events/hash.h"

namespace closeloop::http {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> kRoleNames = {
    "publisher", "staff", "supervisor", "inspector", "auditor", "admin", "enterprise"};
constexpr std::string_view kUserPrefix = "auth/user/";
constexpr std::string_view kTokenPrefix = "auth/token/";

std::string UserKey(std::string_view name) { return std::string(kUserPrefix) + std::string(name); }
std::string TokenKey(std::string_view hash_hex) {
  return std::string(kTokenPrefix) + std::string(hash_hex);
}
std::string HashHex(std::string_view token) { return events::ToHex(events::Sha256Of(token)); }

// An enterprise id as the reference data writes them (ENT-00002): letters, digits, '-', '_',
// '.'; no spaces or control characters.
bool ValidId(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return !s.empty();
}

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// base64url without padding: 32 random bytes -> 43 characters.
std::string Base64Url(const unsigned char* p, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

Status Put(rocks::RocksDb& db, rocksdb::WriteBatch& batch) { return db.Write(&batch, true); }

template <typename Fn>
Status ScanPrefix(rocks::RocksDb& db, std::string_view prefix, Fn fn) {
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator({}, db.family("meta")));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    if (!it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return rocks::FromRocks(it->status(), "auth scan");
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

std::optional<Role> RoleFromName(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string User::ToJson() const {
  json j = {{"name", name},       {"role", RoleName(role)},     {"department", department},
            {"agency", agency},   {"event_types", event_types}, {"display_name", display_name},
            {"acts_as", acts_as}, {"disabled", disabled}};
  if (!enterprise.empty()) j["enterprise"] = enterprise;
  if (!grid.empty()) j["grid"] = grid;
  return j.dump();
}

Status User::Validate() const {
  if (!ValidName(name)) {
    return InvalidArgument("name: 1-64 characters of a-z, 0-9, '.', '-', '_'");
  }
  bool needs_department =
      role == Role::kStaff || role == Role::kSupervisor || role == Role::kInspector;
  if (needs_department && department.empty()) {
    return InvalidArgument("department: required for role " + std::string(RoleName(role)));
  }
  if (role == Role::kPublisher && agency.empty()) {
    return InvalidArgument("agency: required for role publisher");
  }
  // An enterprise's user acts for its enterprise and nothing else: no department, no agency,
  // no other workflow role (it could otherwise claim one and act beyond its own tickets).
  if (role == Role::kEnterprise) {
    if (enterprise.empty()) return InvalidArgument("enterprise: required for role enterprise");
    if (!department.empty()) {
      return InvalidArgument("department: an enterprise user acts for its enterprise, not a department");
    }
    if (!agency.empty() || !event_types.empty()) {
      return InvalidArgument("agency: an enterprise user does not publish as an agency");
    }
    if (!acts_as.empty()) {
      return InvalidArgument("acts_as: an enterprise user acts only as its enterprise");
    }
    if (!grid.empty()) return InvalidArgument("grid: an enterprise user walks no grid");
  } else if (!enterprise.empty()) {
    return InvalidArgument("enterprise: only for role enterprise");
  }
  if (!enterprise.empty() && (enterprise.size() > 64 || !ValidId(enterprise))) {
    return InvalidArgument("enterprise: an id of the enterprises table (letters, digits, '-', '_', '.')");
  }
  const bool walks = std::find(acts_as.begin(), acts_as.end(), "grid") != acts_as.end();
  if (walks && grid.empty()) {
    return InvalidArgument("grid: required with acts_as grid (the grid this inspector walks)");
  }
  if (!walks && !grid.empty()) return InvalidArgument("grid: only with acts_as grid");
  if (!grid.empty() && !ValidName(grid)) {
    return InvalidArgument("grid: a jurisdiction code of 1-64 characters (a-z, 0-9, '.', '_')");
  }
  for (const auto& t : event_types) {
    if (t.empty()) return InvalidArgument("event_types: empty name");
  }
  for (const auto& r : acts_as) {
    if (!ValidName(r)) return InvalidArgument("acts_as: role names are a-z, 0-9, '.', '-', '_'");
    if (RoleFromName(r) && r != "supervisor" && r != "inspector") {
      // "enterprise" is refused here too: only an enterprise's own user acts as one.
      return InvalidArgument("acts_as: " + r + " is a user role, not a workflow role");
    }
  }
  return Status::Ok();
}

Result<User> User::FromJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("body: expected a JSON object");
  static const std::array<std::string_view, 10> kFields = {
      "name",         "role",    "department", "agency",     "event_types",
      "display_name", "acts_as", "enterprise", "grid",       "disabled"};
  for (auto& [k, v] : j.items()) {
    if (std::find(kFields.begin(), kFields.end(), k) == kFields.end()) {
      return InvalidArgument(k + ": unknown field");
    }
  }
  User u;
  auto str = [&](const char* field, std::string* out) -> Status {
    if (!j.contains(field)) return Status::Ok();
    if (!j[field].is_string()) return InvalidArgument(std::string(field) + ": expected a string");
    *out = j[field].get<std::string>();
    return Status::Ok();
  };
  CL_RETURN_IF_ERROR(str("name", &u.name));
  std::string role;
  CL_RETURN_IF_ERROR(str("role", &role));
  auto r = RoleFromName(role);
  if (!r) {
    return InvalidArgument(
        "role: one of publisher, staff, supervisor, inspector, auditor, admin, enterprise");
  }
  u.role = *r;
  CL_RETURN_IF_ERROR(str("department", &u.department));
  CL_RETURN_IF_ERROR(str("agency", &u.agency));
  CL_RETURN_IF_ERROR(str("display_name", &u.display_name));
  CL_RETURN_IF_ERROR(str("enterprise", &u.enterprise));
  CL_RETURN_IF_ERROR(str("grid", &u.grid));
  if (j.contains("event_types")) {
    if (!j["event_types"].is_array()) return InvalidArgument("event_types: expected an array");
    for (auto& t : j["event_types"]) {
      if (!t.is_string()) return InvalidArgument("event_types: expected strings");
      u.event_types.push_back(t.get<std::string>());
    }
  }
  if (j.contains("acts_as")) {
    if (!j["acts_as"].is_array()) return InvalidArgument("acts_as: expected an array");
    for (auto& t : j["acts_as"]) {
      if (!t.is_string()) return InvalidArgument("acts_as: expected strings");
      u.acts_as.push_back(t.get<std::string>());
    }
  }
  if (j.contains("disabled")) {
    if (!j["disabled"].is_boolean()) return InvalidArgument("disabled: expected true or false");
    u.disabled = j["disabled"].get<bool>();
  }
  CL_RETURN_IF_ERROR(u.Validate());
  return u;
}

Status AuthStore::PutUser(const User& user) {
  CL_RETURN_IF_ERROR(user.Validate());
  rocksdb::WriteBatch batch;
  batch.Put(db_.family("meta"), UserKey(user.name), user.ToJson());
  return Put(db_, batch);
}

Result<std::optional<User>> AuthStore::GetUser(std::string_view name) const {
  std::string value;
  auto s = db_.db()->Get({}, db_.family("meta"), UserKey(name), &value);
  if (s.IsNotFound()) return std::optional<User>();
  if (!s.ok()) return rocks::FromRocks(s, "auth user");
  CL_ASSIGN_OR_RETURN(User u, User::FromJson(value));
  return std::optional<User>(std::move(u));
}

Result<std::vector<User>> AuthStore::ListUsers() const {
  std::vector<User> out;
  Status inner = Status::Ok();
  CL_RETURN_IF_ERROR(ScanPrefix(db_, kUserPrefix, [&](std::string_view, std::string_view v) {
    auto u = User::FromJson(v);
    if (!u.ok()) {
      inner = u.status();
      return false;
    }
    out.push_back(std::move(*u));
    return true;
  }));
  CL_RETURN_IF_ERROR(inner);
  return out;
}

Status AuthStore::DisableUser(std::string_view name) {
  CL_ASSIGN_OR_RETURN(auto user, GetUser(name));
  if (!user) return NotFound("no user " + std::string(name));
  user->disabled = true;
  rocksdb::WriteBatch batch;
  batch.Put(db_.family("meta"), UserKey(name), user->ToJson());
  Status inner = Status::Ok();
  CL_RETURN_IF_ERROR(ScanPrefix(db_, kTokenPrefix, [&](std::string_view k, std::string_view v) {
    json j = json::parse(v, nullptr, false);
    if (!j.is_discarded() && j.value("user", "") == name) {
      batch.Delete(db_.family("meta"), rocksdb::Slice(k.data(), k.size()));
    }
    return true;
  }));
  return Put(db_, batch);
}

namespace {

// A token entry as stored; one stored before tokens had an expiry expires
// kDefaultTokenLifetimeMs after it was issued.
std::optional<TokenInfo> ParseTokenEntry(std::string_view value) {
  json j = json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  TokenInfo t{j.value("id", ""), j.value("user", ""), j.value("label", ""),
              j.value("created_at", int64_t{0}), 0};
  t.expires_at = j.value("expires_at", t.created_at + kDefaultTokenLifetimeMs);
  return t;
}

std::string TokenEntry(const TokenInfo& t) {
  return json({{"id", t.id},
               {"user", t.user},
               {"label", t.label},
               {"created_at", t.created_at},
               {"expires_at", t.expires_at}})
      .dump();
}

Status CheckLifetime(int64_t lifetime_ms) {
  if (lifetime_ms < kMinTokenLifetimeMs || lifetime_ms > kMaxTokenLifetimeMs) {
    return InvalidArgument("lifetime: from 1 second to 366 days");
  }
  return Status::Ok();
}

Result<IssuedToken> NewToken(const User& u, std::string_view label, int64_t now_ms,
                             int64_t lifetime_ms) {
  CL_RETURN_IF_ERROR(CheckLifetime(lifetime_ms));
  if (u.disabled) return FailedPrecondition("user " + u.name + " is disabled");
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) return Internal("no randomness for a token");
  IssuedToken out;
  out.token = "clt_" + Base64Url(raw, sizeof raw);
  out.hash = HashHex(out.token);
  out.info = {out.hash.substr(0, 16), u.name, std::string(label), now_ms, now_ms + lifetime_ms};
  return out;
}

}  // namespace

std::string AuthStore::TokenHash(std::string_view token) { return HashHex(token); }

Result<IssuedToken> AuthStore::IssueToken(std::string_view user, std::string_view label,
                                          int64_t now_ms, int64_t lifetime_ms) {
  CL_ASSIGN_OR_RETURN(auto u, GetUser(user));
  if (!u) return NotFound("no user " + std::string(user));
  CL_ASSIGN_OR_RETURN(IssuedToken issued, NewToken(*u, label, now_ms, lifetime_ms));
  rocksdb::WriteBatch batch;
  batch.Put(db_.family("meta"), TokenKey(issued.hash), TokenEntry(issued.info));
  CL_RETURN_IF_ERROR(Put(db_, batch));
  return issued;
}

Result<IssuedToken> AuthStore::RotateToken(std::string_view hash, int64_t now_ms,
                                           int64_t lifetime_ms) {
  std::string value;
  auto s = db_.db()->Get({}, db_.family("meta"), TokenKey(hash), &value);
  if (s.IsNotFound()) return NotFound("no such token (revoked already?)");
  if (!s.ok()) return rocks::FromRocks(s, "auth token");
  auto old = ParseTokenEntry(value);
  if (!old) return Corruption("auth token entry");
  if (old->expires_at <= now_ms) return FailedPrecondition("the token has expired");
  CL_ASSIGN_OR_RETURN(auto u, GetUser(old->user));
  if (!u) return NotFound("no user " + old->user);
  int64_t lifetime = lifetime_ms > 0 ? lifetime_ms
                                     : std::clamp(old->expires_at - old->created_at,
                                                  kMinTokenLifetimeMs, kMaxTokenLifetimeMs);
  CL_ASSIGN_OR_RETURN(IssuedToken issued, NewToken(*u, old->label, now_ms, lifetime));
  rocksdb::WriteBatch batch;
  batch.Put(db_.family("meta"), TokenKey(issued.hash), TokenEntry(issued.info));
  batch.Delete(db_.family("meta"), TokenKey(hash));
  CL_RETURN_IF_ERROR(Put(db_, batch));
  return issued;
}

Result<std::vector<TokenInfo>> AuthStore::ListTokens(std::string_view user) const {
  std::vector<TokenInfo> out;
  CL_RETURN_IF_ERROR(ScanPrefix(db_, kTokenPrefix, [&](std::string_view, std::string_view v) {
    auto t = ParseTokenEntry(v);
    if (t && t->user == user) out.push_back(std::move(*t));
    return true;
  }));
  return out;
}

Status AuthStore::RevokeToken(std::string_view token_id) {
  std::string prefix = TokenKey(token_id);  // ids are hash prefixes: the key starts with it
  std::string found;
  CL_RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view) {
    found = std::string(k);
    return false;
  }));
  if (token_id.size() != 16 || found.empty()) return NotFound("no token " + std::string(token_id));
  rocksdb::WriteBatch batch;
  batch.Delete(db_.family("meta"), found);
  return Put(db_, batch);
}

Result<Authentication> AuthStore::Authenticate(std::string_view token, int64_t now_ms) const {
  if (token.size() < 8 || token.size() > 200) {
    Authentication out;
    out.refusal = "unknown or revoked token";
    return out;
  }
  return AuthenticateHash(HashHex(token), now_ms);
}

Result<Authentication> AuthStore::AuthenticateHash(std::string_view hash, int64_t now_ms) const {
  Authentication out;
  out.hash = std::string(hash);
  std::string value;
  auto s = db_.db()->Get({}, db_.family("meta"), TokenKey(hash), &value);
  if (s.IsNotFound()) {
    out.refusal = "unknown or revoked token";
    return out;
  }
  if (!s.ok()) return rocks::FromRocks(s, "auth token");
  auto entry = ParseTokenEntry(value);
  if (!entry) return Corruption("auth token entry");
  out.token = *entry;
  if (entry->expires_at <= now_ms) {
    out.refusal = "token " + entry->id + " expired at " + FormatTime(entry->expires_at) +
                  "; ask an administrator for a new one";
    return out;
  }
  CL_ASSIGN_OR_RETURN(auto user, GetUser(entry->user));
  if (!user || user->disabled) {
    out.refusal = "the token's user is disabled";
    return out;
  }
  out.user = std::move(*user);
  return out;
}

Result<bool> AuthStore::empty() const {
  bool any = false;
  CL_RETURN_IF_ERROR(ScanPrefix(db_, kUserPrefix, [&](std::string_view, std::string_view) {
    any = true;
    return false;
  }));
  return !any;
}

}  // namespace closeloop::http
