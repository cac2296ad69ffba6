#include "connectors/http/server.h"

#include <httplib.h>

#include <charconv>

namespace closeloop::http {

Result<std::pair<std::string, int>> ParseHostPort(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("expected HOST:PORT, got '" + text + "'");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  const char* b = text.data() + colon + 1;
  const char* e = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(b, e, port);
  if (ec != std::errc() || ptr != e || port < 0 || port > 65535) {
    return InvalidArgument("bad port in '" + text + "'");
  }
  return std::make_pair(host, port);
}

namespace {

std::unique_ptr<httplib::Server> MakeServer(const ServerOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) return std::make_unique<httplib::Server>();
  auto tls = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
  if (tls->is_valid()) SSL_CTX_set_min_proto_version(tls->ssl_context(), TLS1_2_VERSION);
  return tls;
}

}  // namespace

bool HttpServer::valid() const { return server_->is_valid(); }

HttpServer::HttpServer(ServerOptions options)
    : options_(std::move(options)), server_(MakeServer(options_)) {
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_read_timeout(options_.read_timeout_s, 0);
  server_->set_write_timeout(options_.write_timeout_s, 0);
  server_->set_keep_alive_max_count(options_.keep_alive_max);
  // Without it, every answer on a kept-alive connection waits ~40 ms for Nagle and the
  // client's delayed ACK (http_bench: 133 -> thousands of requests/s).
  server_->set_tcp_nodelay(true);
  // A kept-alive connection or a live stream holds a worker: more than httplib's 8.
  const size_t workers = options_.workers;
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // server bind the same port and silently share its traffic.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\": \"ok\"}\n", "application/json");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    bool ready = !ready_ || ready_();
    res.status = ready ? 200 : 503;
    res.set_content(ready ? "{\"status\": \"ready\"}\n" : "{\"status\": \"starting\"}\n",
                    "application/json");
  });
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  if (!server_->is_valid()) {
    return InvalidArgument("cannot use TLS certificate " + options_.tls_cert + " / key " +
                           options_.tls_key);
  }
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
    if (port_ <= 0) return Unavailable("cannot bind " + options_.host);
  } else {
    if (!server_->bind_to_port(options_.host, options_.port)) {
      return Unavailable("cannot bind " + options_.host + ":" + std::to_string(options_.port) +
                         " (in use?)");
    }
    port_ = options_.port;
  }
  running_ = true;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // listen_after_bind sets is_running() once it accepts; wait so callers can connect.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!running_.exchange(false)) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace closeloop::http
