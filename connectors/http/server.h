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
  size_t workers = 96;  // connections served at once (a keep-alive client or SSE stream holds one)
  // Both set: HTTPS (TLS 1.2 at least) with this PEM certificate chain and private key.
  std::string tls_cert;
  std::string tls_key;
};

// "127.0.0.1:8080" -> host and port.
Result<std::pair<std::string, int>> ParseHostPort(const std::string& text);

class HttpServer {
 public:
  // With tls_cert/tls_key: check `valid()` before Start (a bad certificate or key).
  explicit HttpServer(ServerOptions options);
  bool valid() const;
  bool tls() const { return !options_.tls_cert.empty(); }
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
