#include "connectors/http/secrets.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace closeloop::http {
namespace {

constexpr std::array<std::string_view, 6> kSecretParams = {
    "access_token", "stream_ticket", "api_key", "token", "password", "secret"};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query key as the server's parameter parser sees it: '+' is a space, %XX a byte.
std::string DecodeKey(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '+') {
      out.push_back(' ');
    } else if (key[i] == '%' && i + 2 < key.size() && HexValue(key[i + 1]) >= 0 &&
               HexValue(key[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(key[i + 1]) * 16 + HexValue(key[i + 2])));
      i += 2;
    } else {
      out.push_back(key[i]);
    }
  }
  return out;
}

bool EqualsLower(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != lower[i]) return false;
  }
  return true;
}

bool IsSecret(std::string_view decoded_key) {
  for (auto name : kSecretParams) {
    if (EqualsLower(decoded_key, name)) return true;
  }
  return false;
}

// Calls fn(key_begin, key_end, value_begin, value_end) for each '&'-separated pair of the
// query (offsets into `target`); no '?' means no pairs.
template <typename Fn>
void ForEachPair(std::string_view target, Fn fn) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return;
  size_t end = target.find('#', q);
  if (end == std::string_view::npos) end = target.size();
  size_t at = q + 1;
  while (at <= end) {
    size_t amp = target.find_first_of("&;", at);
    if (amp == std::string_view::npos || amp > end) amp = end;
    size_t eq = target.find('=', at);
    size_t key_end = (eq == std::string_view::npos || eq > amp) ? amp : eq;
    size_t value_begin = key_end < amp ? key_end + 1 : amp;
    if (amp > at) fn(at, key_end, value_begin, amp);
    at = amp + 1;
  }
}

}  // namespace

bool QueryHas(std::string_view target, std::string_view name) {
  bool found = false;
  ForEachPair(target, [&](size_t kb, size_t ke, size_t, size_t) {
    if (DecodeKey(target.substr(kb, ke - kb)) == name) found = true;
  });
  return found;
}

std::string RedactTarget(std::string_view target) {
  std::string out;
  size_t copied = 0;
  ForEachPair(target, [&](size_t kb, size_t ke, size_t vb, size_t ve) {
    if (vb >= ve || !IsSecret(DecodeKey(target.substr(kb, ke - kb)))) return;
    out.append(target.substr(copied, vb - copied));
    out.append("[redacted]");
    copied = ve;
  });
  out.append(target.substr(copied));
  return out;
}

bool IsLoopbackAddress(std::string_view address) {
  std::string a(address);
  in_addr v4{};
  if (inet_pton(AF_INET, a.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, a.c_str(), &v6) != 1) return false;
  if (std::equal(v6.s6_addr, v6.s6_addr + 16, in6addr_loopback.s6_addr)) return true;
  // ::ffff:a.b.c.d
  for (int i = 0; i < 10; ++i) {
    if (v6.s6_addr[i] != 0) return false;
  }
  return v6.s6_addr[10] == 0xff && v6.s6_addr[11] == 0xff && v6.s6_addr[12] == 127;
}

}  // namespace closeloop::http
