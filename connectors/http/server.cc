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

// httplib's router, run one request at a time by the front: process_request is protected,
// and a chunked answer (an SSE stream) goes on only while svr_sock_ names a socket.
template <class Base>
class Routes final : public Base {
 public:
  using Base::Base;
  using httplib::Server::process_request;
  void SetListening(int fd) { this->svr_sock_ = fd; }
};

template <class Base>
void Wire(std::unique_ptr<Routes<Base>> routes, std::unique_ptr<httplib::Server>* server,
          std::function<void(int)>* set_listening, RequestRunner* runner) {
  Routes<Base>* r = routes.get();
  *set_listening = [r](int fd) { r->SetListening(fd); };
  *runner = [r](httplib::Stream& strm, bool close, bool& closed, SSL* ssl) {
    if (!ssl) return r->process_request(strm, close, closed, nullptr);
    return r->process_request(strm, close, closed, [ssl](httplib::Request& req) { req.ssl = ssl; });
  };
  *server = std::move(routes);
}

}  // namespace

bool HttpServer::valid() const { return server_->is_valid(); }

HttpServer::HttpServer(ServerOptions options) : options_(std::move(options)) {
  if (options_.tls_cert.empty() && options_.tls_key.empty()) {
    Wire(std::make_unique<Routes<httplib::Server>>(), &server_, &set_listening_, &runner_);
  } else {
    auto tls = std::make_unique<Routes<httplib::SSLServer>>(options_.tls_cert.c_str(),
                                                            options_.tls_key.c_str());
    if (tls->is_valid()) SSL_CTX_set_min_proto_version(tls->ssl_context(), TLS1_2_VERSION);
    Wire(std::move(tls), &server_, &set_listening_, &runner_);
  }
  server_->set_payload_max_length(std::max(options_.max_body_bytes, options_.max_attachment_bytes));
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
  FrontOptions fo;
  fo.head.max_head_bytes = options_.max_header_bytes;
  fo.head.max_header_count = options_.max_header_count;
  fo.head.max_body_bytes = options_.max_body_bytes;
  fo.head.max_upload_bytes = options_.max_attachment_bytes;
  fo.head.upload_path = "/v1/attachments";
  fo.header_timeout_ms = options_.header_timeout_s * 1000;
  fo.body_timeout_ms = std::max(fo.body_timeout_ms, options_.read_timeout_s * 1000);
  fo.write_timeout_ms = options_.write_timeout_s * 1000;
  fo.keep_alive_max = static_cast<size_t>(std::max(1, options_.keep_alive_max));
  fo.workers = std::max<size_t>(1, options_.workers);
  fo.max_connections = options_.max_connections;
  fo.max_connections_per_address = options_.max_connections_per_address;
  SSL_CTX* ctx = tls() ? static_cast<httplib::SSLServer&>(*server_).ssl_context() : nullptr;
  front_ = std::make_unique<Front>(fo, runner_, ctx);
  CL_RETURN_IF_ERROR(front_->Bind(options_.host, options_.port));
  port_ = front_->port();
  set_listening_(front_->listen_fd());
  running_ = true;
  front_->Start();
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!running_.exchange(false)) return;
  // Live streams end at their next turn (httplib checks svr_sock_), then the front stops.
  set_listening_(INVALID_SOCKET);
  front_->Stop();
}

FrontStats HttpServer::connection_stats() const { return front_ ? front_->stats() : FrontStats{}; }

}  // namespace closeloop::http
