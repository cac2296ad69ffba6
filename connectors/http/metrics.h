// HTTP request counters and a latency histogram per route, rendered in the Prometheus text
// format with whatever gauges the caller adds (records processed, lag, tickets by state).
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace closeloop::http {

class Metrics {
 public:
  static constexpr std::array<double, 13> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,    1,     2.5,  5,     10};
  // `route` is the route's pattern, not the path, so ids do not explode the label set.
  void ObserveHttp(const std::string& method, const std::string& route, int status, double seconds);
  // closeloop_http_requests_total and closeloop_http_request_duration_seconds.
  std::string RenderHttp() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

// Escapes a Prometheus label value.
std::string LabelValue(const std::string& v);

}  // namespace closeloop::http
