// The HTTP server: binds, serves on its own threads, stops cleanly. The API modules register
// their routes on cpp-httplib's router; connections are owned by the front (front.h), which
// hands httplib only complete requests within limits. This file owns the server's life
// cycle, its limits and the operational endpoints (/healthz, /readyz).
//
// Why not httplib's own accept loop and CPPHTTPLIB_* macros: Debian's libcpp-httplib-dev
// (0.11.4) is a compiled library, so macros defined here would not reach its parser (built
// with the defaults: no header count limit, 8 KiB per line, a thread per connection), and
// any that change a class's layout would break the ODR against the .so. No TU defines one.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "connectors/http/front.h"

namespace httplib {
class Server;
}

namespace closeloop::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: pick a free port (tests)
  size_t max_body_bytes = 4 << 20;
  // POST /v1/attachments: a file's bytes (`serve --max-attachment-bytes`); refused with 413
  // from Content-Length before the body is read. The API reads it from here.
  size_t max_attachment_bytes = 10 << 20;
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  int keep_alive_max = 100;
  size_t workers = 96;  // requests handled at once (a live SSE stream holds one)
  // Connection limits (front.h); the defaults are FrontOptions'.
  size_t max_connections = FrontOptions{}.max_connections;
  size_t max_connections_per_address = FrontOptions{}.max_connections_per_address;
  int header_timeout_s = FrontOptions{}.header_timeout_ms / 1000;
  size_t max_header_bytes = HeadLimits{}.max_head_bytes;
  size_t max_header_count = HeadLimits{}.max_header_count;
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
  FrontStats connection_stats() const;
  size_t max_attachment_bytes() const { return options_.max_attachment_bytes; }

 private:
  ServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::function<void(int)> set_listening_;  // tells httplib the server runs (streams check)
  RequestRunner runner_;
  std::unique_ptr<Front> front_;
  std::function<bool()> ready_;
  int port_ = 0;
  std::atomic<bool> running_{false};
};

}  // namespace closeloop::http
