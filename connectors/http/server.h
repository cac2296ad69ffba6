// The HTTP server (cpp-httplib): binds, serves on its own threads, stops cleanly.
// The API modules register their routes on it; this file owns only the server's life
// cycle, its limits and the operational endpoints (/healthz, /readyz).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/status.h"

namespace httplib {
class Server;
}

namespace closeloop::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: pick a free port (tests)
  size_t max_body_bytes = 4 << 20;
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  int keep_alive_max = 100;
};

// "127.0.0.1:8080" -> host and port.
Result<std::pair<std::string, int>> ParseHostPort(const std::string& text);

class HttpServer {
 public:
  explicit HttpServer(ServerOptions options);
  ~HttpServer();  // stops if running

  // For route registration before Start().
  httplib::Server& routes() { return *server_; }

  // /readyz answers 200 once `ready()` returns true (e.g. the engine caught up).
  void SetReadiness(std::function<bool()> ready) { ready_ = std::move(ready); }

  // Binds and serves on a background thread. Fails if the address is taken.
  Status Start();
  void Stop();
  int port() const { return port_; }
  const std::string& host() const { return options_.host; }

 private:
  ServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::function<bool()> ready_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> running_{false};
};

}  // namespace closeloop::http
