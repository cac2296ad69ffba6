// http_bench's load generator: N client threads, each on its own keep-alive connection
// (cpp-httplib), sending requests back to back (a closed loop: a thread's next request
// leaves when its answer arrived) and timing every one. Beside the client's latencies it
// reads what the server spent: its process's CPU time (/proc/PID/stat) and the mean time
// inside the API's handlers (the histogram of /metrics), so a slow phase says where the time
// goes. Not thread-safe: one RunHttpLoad at a time.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

namespace closeloop::bench {

struct HttpRequest {
  bool post = false;  // else GET
  std::string path, body;
  httplib::Headers headers;
};
// Fills the `i`-th request of client thread `thread`; called from that thread.
using MakeHttpRequest = std::function<void(int thread, uint64_t i, HttpRequest* r)>;

struct LoadSpec {
  int port = 0;
  pid_t server_pid = -1;  // whose CPU time is read
  int threads = 8;
  double warmup_s = 0.5;  // before the window, not counted
  double seconds = 4;     // the measured window
  int expect = 200;       // any other answer stops the run
  // false: a new connection per request (Connection: close), which sidesteps what a
  // keep-alive connection pays for the server's TCP settings (Nagle + delayed ACK).
  bool keep_alive = true;
  // The route whose handler time /metrics reports ("" = none), e.g. "GET", "/v1/tickets".
  std::string route_method, route;
  std::string metrics_token;  // a token that may read /metrics (admin or auditor)
};

struct LoadStats {
  std::string name;
  double events_per_request = 0;               // set by the caller for publish phases
  uint64_t requests = 0;                       // answered inside the window
  double rps = 0, p50 = 0, p99 = 0, mean = 0;  // latencies in ms
  double server_cpu_us = 0;  // server process CPU per request (all threads: engine included)
  double client_cpu_us = 0;  // this process's CPU per request
  double handler_ms = -1;    // mean time inside the API's handler; -1 when not known
};

// Runs the load and returns its figures. Counts the requests that start and end inside the
// window. Dies on any answer other than `expect` (a 429 included): a failed request is not a
// measurement.
LoadStats RunHttpLoad(const std::string& name, const LoadSpec& spec, const MakeHttpRequest& make);

// CPU seconds (user + system) of process `pid` so far.
double ProcessCpuSeconds(pid_t pid);

}  // namespace closeloop::bench
