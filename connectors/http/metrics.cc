#include "connectors/http/metrics.h"

#include <fmt/format.h>

namespace closeloop::http {

std::string LabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void Metrics::ObserveHttp(const std::string& method, const std::string& route, int status,
                          double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::RenderHttp() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP closeloop_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE closeloop_http_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    out +=
        fmt::format("closeloop_http_requests_total{{method=\"{}\",route=\"{}\",code=\"{}\"}} {}\n",
                    std::get<0>(k), LabelValue(std::get<1>(k)), std::get<2>(k), n);
  }
  out += "# HELP closeloop_http_request_duration_seconds Time to answer, by route.\n";
  out += "# TYPE closeloop_http_request_duration_seconds histogram\n";
  for (const auto& [k, h] : latency_) {
    std::string labels = fmt::format("method=\"{}\",route=\"{}\"", k.first, LabelValue(k.second));
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("closeloop_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels, kBuckets[i], h.counts[i]);
    }
    out += fmt::format("closeloop_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       labels, h.count);
    out += fmt::format("closeloop_http_request_duration_seconds_sum{{{}}} {:.6f}\n", labels, h.sum);
    out += fmt::format("closeloop_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  return out;
}

}  // namespace closeloop::http
