#include "connectors/http/stream_tickets.h"

#include <openssl/rand.h>

#include <algorithm>

#include "events/hash.h"

namespace closeloop::http {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

std::string HashOf(std::string_view ticket) { return events::ToHex(events::Sha256Of(ticket)); }

}  // namespace

void StreamTickets::PurgeExpired(int64_t now_ms) {
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    if (it->second.expires_at <= now_ms) {
      auto n = per_token_.find(it->second.token_hash);
      if (n != per_token_.end() && --n->second == 0) per_token_.erase(n);
      it = by_hash_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<StreamTickets::Issued> StreamTickets::Issue(const std::string& token_hash,
                                                   int64_t token_expires_at, int64_t now_ms) {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) return Internal("no randomness for a stream ticket");
  Issued out{"cls_" + Hex(raw, sizeof raw), std::min(now_ms + kLifetimeMs, token_expires_at)};
  std::lock_guard lock(mu_);
  PurgeExpired(now_ms);
  size_t& unused = per_token_[token_hash];
  if (unused >= kMaxPerToken) {
    return ResourceExhausted("at most " + std::to_string(kMaxPerToken) +
                             " unused stream tickets per token; each lasts 60 s");
  }
  ++unused;
  by_hash_[HashOf(out.ticket)] = {token_hash, out.expires_at};
  return out;
}

std::optional<std::string> StreamTickets::Redeem(std::string_view ticket, int64_t now_ms,
                                                 std::string* why) {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(HashOf(ticket));
  if (it == by_hash_.end()) {
    *why = "unknown or already used stream ticket; ask for a new one (POST /v1/stream/ticket)";
    return std::nullopt;
  }
  Entry e = std::move(it->second);
  by_hash_.erase(it);
  auto n = per_token_.find(e.token_hash);
  if (n != per_token_.end() && --n->second == 0) per_token_.erase(n);
  if (e.expires_at <= now_ms) {
    *why = "the stream ticket expired (they last 60 s); ask for a new one";
    return std::nullopt;
  }
  return e.token_hash;
}

}  // namespace closeloop::http
