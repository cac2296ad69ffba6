// A token bucket per caller: `rate` requests a second sustained, `burst` at once. Callers
// over it get 429 with Retry-After. In memory: limits reset when the server restarts.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace closeloop::http {

class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // True if `key` may make a request at `now_ms`; else how long to wait, in seconds.
  bool Allow(const std::string& key, int64_t now_ms, double* retry_after_s);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at = 0;
  };
  double rate_, burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace closeloop::http
