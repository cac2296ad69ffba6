#include "events/ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstring>

#include "events/hash.h"

namespace closeloop::events {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int DecodeChar(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  switch (c) {  // Crockford's readable aliases
    case 'O':
      return 0;
    case 'I':
    case 'L':
      return 1;
    default:
      break;
  }
  const char* p = std::strchr(kAlphabet, c);
  return (p == nullptr || c == '\0') ? -1 : static_cast<int>(p - kAlphabet);
}

Id FromParts(int64_t time_ms, const uint8_t tail[10]) {
  Id id;
  uint64_t t = static_cast<uint64_t>(time_ms) & 0xFFFFFFFFFFFFull;
  id.hi = (t << 16) | (static_cast<uint64_t>(tail[0]) << 8) | tail[1];
  for (int i = 2; i < 10; ++i) id.lo = (id.lo << 8) | tail[i];
  return id;
}

}  // namespace

std::string Id::ToString() const {
  // 128 bits -> 26 groups of 5 bits, most significant first (the first group has 3 bits).
  std::string out(kIdTextLength, '0');
  uint64_t h = hi, l = lo;
  for (int i = kIdTextLength - 1; i >= 0; --i) {
    out[i] = kAlphabet[l & 31];
    l = (l >> 5) | (h << 59);
    h >>= 5;
  }
  return out;
}

Result<Id> Id::Parse(std::string_view text) {
  if (text.size() != kIdTextLength) {
    return InvalidArgument("id must be 26 characters of Crockford base32, got " +
                           std::to_string(text.size()));
  }
  uint64_t h = 0, l = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int v = DecodeChar(text[i]);
    if (v < 0)
      return InvalidArgument("id has a character outside Crockford base32 at " +
                             std::to_string(i + 1));
    if (i == 0 && v > 7) return InvalidArgument("id overflows 128 bits (first character > 7)");
    h = (h << 5) | (l >> 59);
    l = (l << 5) | static_cast<uint64_t>(v);
  }
  return Id{h, l};
}

bool IsValidId(std::string_view text) { return Id::Parse(text).ok(); }

Id NewRandomId(int64_t time_ms) {
  uint8_t tail[10];
  if (RAND_bytes(tail, sizeof tail) != 1) {
    // The OS random source failing is not recoverable in any useful way.
    std::abort();
  }
  return FromParts(time_ms, tail);
}

Id DeriveId(int64_t time_ms, std::string_view cause, uint32_t index) {
  Sha256 h;
  h.Update(cause);
  uint8_t idx[4] = {static_cast<uint8_t>(index >> 24), static_cast<uint8_t>(index >> 16),
                    static_cast<uint8_t>(index >> 8), static_cast<uint8_t>(index)};
  h.Update(idx, sizeof idx);
  Hash digest = h.Finish();
  return FromParts(time_ms, digest.data());
}

}  // namespace closeloop::events
