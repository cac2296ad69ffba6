#include "engine/keys.h"

namespace closeloop::engine::keys {
namespace {

// Separator between variable-length parts: 0x00 sorts before any text byte, so a prefix
// "P q \0 <lead> \0" never matches another department whose id extends this one.
constexpr char kSep = '\0';

std::string Join(uint32_t p, std::string_view tag, std::initializer_list<std::string_view> parts) {
  std::string k = Partition(p);
  k += tag;
  for (auto part : parts) {
    k += kSep;
    k += part;
  }
  return k;
}

}  // namespace

std::string Partition(uint32_t p) {
  std::string k(4, '\0');
  for (int i = 0; i < 4; ++i) k[i] = static_cast<char>((p >> (8 * (3 - i))) & 0xff);
  return k;
}

std::optional<uint32_t> PartitionOf(std::string_view key) {
  if (key.size() < 4) return std::nullopt;
  uint32_t p = 0;
  for (int i = 0; i < 4; ++i) p = (p << 8) | static_cast<uint8_t>(key[i]);
  return p;
}

std::string BE64(uint64_t v) {
  std::string k(8, '\0');
  for (int i = 0; i < 8; ++i) k[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xff);
  return k;
}

uint64_t ReadBE64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

// Deadlines of 0 (none) sort after every real deadline.
static std::string Deadline(int64_t d) {
  return BE64(d <= 0 ? UINT64_MAX : static_cast<uint64_t>(d));
}

std::string Ticket(uint32_t p, std::string_view id) { return Join(p, "t", {id}); }
std::string History(uint32_t p, std::string_view id, uint64_t seq) {
  return Join(p, "h", {id, BE64(seq)});
}
std::string HistoryPrefix(uint32_t p, std::string_view id) { return Join(p, "h", {id, ""}); }
std::string IngressAt(uint32_t p, std::string_view record_id) { return Join(p, "i", {record_id}); }
std::string Case(uint32_t p, std::string_view id, uint64_t seq) {
  return Join(p, "k", {id, BE64(seq)});
}
std::string CasePrefix(uint32_t p, std::string_view id) { return Join(p, "k", {id, ""}); }
std::string File(uint32_t p, std::string_view sha256_hex, std::string_view id) {
  return Join(p, "f", {sha256_hex, id});
}
std::string FilePrefix(uint32_t p, std::string_view sha256_hex) {
  return Join(p, "f", {sha256_hex, ""});
}
std::string Queue(uint32_t p, std::string_view lead, int64_t deadline, std::string_view id) {
  return Join(p, "q", {lead, Deadline(deadline), id});
}
std::string QueuePrefix(uint32_t p, std::string_view lead) { return Join(p, "q", {lead, ""}); }
std::string Assigned(uint32_t p, std::string_view user, int64_t deadline, std::string_view id) {
  return Join(p, "u", {user, Deadline(deadline), id});
}
std::string AssignedPrefix(uint32_t p, std::string_view user) { return Join(p, "u", {user, ""}); }
int64_t DeadlineOf(std::string_view be64) {
  uint64_t v = ReadBE64(be64);
  return v == UINT64_MAX ? 0 : static_cast<int64_t>(v);
}
std::string Assist(uint32_t p, std::string_view dept, std::string_view id) {
  return Join(p, "a", {dept, id});
}
std::string Overdue(uint32_t p, std::string_view id) { return Join(p, "o", {id}); }
std::string EverOverdue(uint32_t p, std::string_view id) { return Join(p, "O", {id}); }
std::string Escalated(uint32_t p, std::string_view dept, std::string_view id) {
  return Join(p, "e", {dept, id});
}
std::string Subject(uint32_t p, std::string_view subject, int64_t opened_at, std::string_view id) {
  return Join(p, "s", {subject, BE64(static_cast<uint64_t>(opened_at)), id});
}
std::string SubjectPrefix(uint32_t p, std::string_view subject) {
  return Join(p, "s", {subject, ""});
}
std::string OpenBySubject(uint32_t p, std::string_view subject, std::string_view id) {
  return Join(p, "v", {subject, id});
}
std::string OpenBySubjectPrefix(uint32_t p, std::string_view subject) {
  return Join(p, "v", {subject, ""});
}
std::string Chain(uint32_t p, std::string_view chain, int64_t opened_at, std::string_view id) {
  return Join(p, "c", {chain, BE64(static_cast<uint64_t>(opened_at)), id});
}
std::string ChainPrefix(uint32_t p, std::string_view chain) { return Join(p, "c", {chain, ""}); }
std::string Dedup(uint32_t p, std::string_view workflow, std::string_view key) {
  return Join(p, "d", {workflow, key});
}
std::string Timer(uint32_t p, int64_t due, std::string_view id) {
  return Join(p, "m", {BE64(static_cast<uint64_t>(due)), id});
}
std::string TimerPrefix(uint32_t p) { return Join(p, "m", {""}); }
std::string Config(uint32_t p, uint64_t seq) { return Join(p, "cfg", {BE64(seq)}); }
std::string ConfigPrefix(uint32_t p) { return Join(p, "cfg", {""}); }
std::string Position(uint32_t p) { return Join(p, "pos", {}); }
std::string Tagged(uint32_t p, std::string_view tag, std::string_view rest) {
  return Join(p, tag, {rest});
}
std::string Now(uint32_t p) { return Join(p, "now", {}); }
std::string StateFormat(uint32_t p) { return Join(p, "fmt", {}); }
std::string TickWork(uint32_t p) { return Join(p, "tw", {}); }
std::string TickDue(uint32_t p) { return Join(p, "td", {}); }

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char c = static_cast<unsigned char>(prefix.back());
    if (c != 0xff) {
      prefix.back() = static_cast<char>(c + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\xff');  // unreachable for our prefixes
}

}  // namespace closeloop::engine::keys
