#include "bench/http_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/engine_bench_support.h"

namespace closeloop::bench {
namespace {

using Clock = std::chrono::steady_clock;

double OwnCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The handler-time histogram's (sum in seconds, count) of one route, from /metrics.
std::pair<double, double> HandlerTime(int port, const std::string& token, const std::string& method,
                                      const std::string& route) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(60, 0);  // it waits for a free server thread while the load runs
  auto r = cli.Get("/metrics", {{"Authorization", "Bearer " + token}});
  if (!r || r->status != 200) Die("GET /metrics failed");
  const std::string labels = "{method=\"" + method + "\",route=\"" + route + "\"} ";
  auto value = [&](const std::string& name) {
    size_t at = r->body.find(name + labels);
    if (at == std::string::npos) return 0.0;
    return std::stod(r->body.substr(at + name.size() + labels.size()));
  };
  return {value("closeloop_http_request_duration_seconds_sum"),
          value("closeloop_http_request_duration_seconds_count")};
}

Clock::duration Span(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces); utime and stime are 14 and 15.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

LoadStats RunHttpLoad(const std::string& name, const LoadSpec& spec, const MakeHttpRequest& make) {
  const auto begin = Clock::now() + Span(spec.warmup_s);
  const auto end = begin + Span(spec.seconds);
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(spec.threads);
  std::mutex mu;
  std::string failure;  // GUARDED_BY(mu)
  std::vector<std::thread> threads;
  for (int t = 0; t < spec.threads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client cli("127.0.0.1", spec.port);
      cli.set_keep_alive(spec.keep_alive);
      cli.set_tcp_nodelay(true);  // the client's own writes never wait for an ACK
      cli.set_read_timeout(60, 0);
      cli.set_write_timeout(60, 0);
      HttpRequest r;
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        make(t, i, &r);
        const auto s = Clock::now();
        auto res = r.post ? cli.Post(r.path.c_str(), r.headers, r.body, "application/json")
                          : cli.Get(r.path.c_str(), r.headers);
        const auto e = Clock::now();
        if (!res || res->status != spec.expect) {
          std::lock_guard lock(mu);
          if (failure.empty()) {
            failure = name + ": " + (r.post ? "POST " : "GET ") + r.path + " -> " +
                      (res ? "HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 300)
                           : httplib::to_string(res.error()));
          }
          stop = true;
          return;
        }
        if (s >= begin && e <= end) {
          lat[t].push_back(std::chrono::duration<double, std::milli>(e - s).count());
        }
      }
    });
  }
  auto handler = [&] {
    return spec.route.empty()
               ? std::pair{0.0, 0.0}
               : HandlerTime(spec.port, spec.metrics_token, spec.route_method, spec.route);
  };
  std::this_thread::sleep_until(begin);
  const double cpu0 = ProcessCpuSeconds(spec.server_pid), own0 = OwnCpuSeconds();
  const auto h0 = handler();
  std::this_thread::sleep_until(end);
  const double cpu1 = ProcessCpuSeconds(spec.server_pid), own1 = OwnCpuSeconds();
  const auto h1 = handler();
  stop = true;
  for (auto& th : threads) th.join();
  if (!failure.empty()) Die(failure);

  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  if (all.empty()) Die(name + ": no request completed inside the window");
  std::sort(all.begin(), all.end());
  const double n = static_cast<double>(all.size());
  auto rank = [&](double q) { return all[std::min(all.size() - 1, static_cast<size_t>(q * n))]; };
  LoadStats st;
  st.name = name;
  st.requests = all.size();
  st.rps = n / spec.seconds;
  st.p50 = rank(0.50);
  st.p99 = rank(0.99);
  double sum = 0;
  for (double x : all) sum += x;
  st.mean = sum / n;
  st.server_cpu_us = (cpu1 - cpu0) * 1e6 / n;
  st.client_cpu_us = (own1 - own0) * 1e6 / n;
  if (h1.second > h0.second) st.handler_ms = (h1.first - h0.first) * 1e3 / (h1.second - h0.second);
  return st;
}

}  // namespace closeloop::bench
