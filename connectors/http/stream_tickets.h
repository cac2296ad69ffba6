// Stream tickets: what a browser's EventSource (which cannot send an Authorization header)
// presents instead of its token. A signed-in caller asks for one (POST /v1/stream/ticket,
// bearer header) and opens GET /v1/stream?stream_ticket=... with it. A ticket opens that one
// route, once, within 60 seconds, and only while the token that asked for it is still good:
// it remembers the token's hash, so the stream gets exactly the token's user and scope.
// Tickets live in memory only (a restart voids them; they are a minute long anyway).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"

namespace closeloop::http {

class StreamTickets {
 public:
  static constexpr int64_t kLifetimeMs = 60 * 1000;
  static constexpr size_t kMaxPerToken = 16;  // unused tickets one token may hold

  struct Issued {
    std::string ticket;
    int64_t expires_at = 0;
  };
  // A ticket for the token whose hash is `token_hash`, valid until now + 60 s (or the
  // token's own expiry, if sooner). ResourceExhausted past kMaxPerToken unused tickets.
  Result<Issued> Issue(const std::string& token_hash, int64_t token_expires_at, int64_t now_ms);

  // The hash of the token a ticket was issued for; the ticket is spent by this call.
  // nullopt with `why` for an unknown, spent or expired ticket.
  std::optional<std::string> Redeem(std::string_view ticket, int64_t now_ms, std::string* why);

 private:
  struct Entry {
    std::string token_hash;
    int64_t expires_at = 0;
  };
  void PurgeExpired(int64_t now_ms);  // REQUIRES: mu_ held

  std::mutex mu_;
  std::unordered_map<std::string, Entry> by_hash_;  // SHA-256 of the ticket -> entry
  std::map<std::string, size_t> per_token_;         // token hash -> unused tickets
};

}  // namespace closeloop::http
