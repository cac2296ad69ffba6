#include "connectors/http/rate_limit.h"

#include <algorithm>

namespace closeloop::http {

bool RateLimiter::Allow(const std::string& key, int64_t now_ms, double* retry_after_s) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now_ms});
  Bucket& b = it->second;
  if (!fresh && now_ms > b.at) {
    b.tokens = std::min(burst_, b.tokens + (now_ms - b.at) / 1000.0 * rate_);
    b.at = now_ms;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  *retry_after_s = (1 - b.tokens) / rate_;
  return false;
}

}  // namespace closeloop::http
