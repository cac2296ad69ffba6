// The connection front: one thread (epoll) owns every connection while it is idle, in its
// TLS handshake or sending its request, and hands a worker only a complete request (head
// and body, both within limits). So a client that connects and sends nothing, or trickles a
// header a byte at a time (slowloris), costs one socket and a bounded buffer, never a
// worker; 1,000 of them do not delay anyone else (tests/security/net_test.cc measures it).
//
// Why not a pool that grows with connections: a thread per slow connection still lets an
// attacker make the server run thousands of threads, and a per-address cap does not protect
// the clients that share the attacker's address (a NAT, the demo's loopback). Here slowness
// costs no worker at all; caps only bound file descriptors and memory.
//
// Limits (FrontOptions): the head's bytes and header count, a deadline for the whole head
// (not per recv), a deadline for the whole body, the keep-alive idle time, connections in
// all and per peer address (over either, the oldest connection that has not yet sent a
// complete request is closed to make room; if none, the new one is refused), and how many
// workers one address may hold at once (the rest keep a reserve for other addresses).
// Ready requests are served round-robin by address, so a flood from one address queues
// behind itself, not in front of everyone.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "connectors/http/request_head.h"

namespace httplib {
class Stream;
}

namespace closeloop::http {

struct FrontOptions {
  HeadLimits head;
  int header_timeout_ms = 10000;     // the whole head (and TLS handshake), from its first byte
  int body_timeout_ms = 30000;       // the whole body, from the end of the head
  int keep_alive_timeout_ms = 5000;  // idle between requests on a kept-alive connection
  int write_timeout_ms = 10000;      // each write of an answer
  size_t keep_alive_max = 100;       // requests per connection
  size_t workers = 96;               // threads running handlers (a live SSE stream holds one)
  size_t max_connections = 10000;    // open at once, all addresses (capped by RLIMIT_NOFILE)
  size_t max_connections_per_address = 2000;
  size_t max_busy_per_address = 0;  // workers one address may hold; 0: 3/4 of workers
  // Request bytes buffered in all connections together; a read past it answers 503.
  size_t max_buffered_bytes = 256 << 20;
};

// Serves one complete request read from `stream`: httplib's Server::process_request.
// `close`: answer with "Connection: close". Sets `closed` if the client asked to close.
using RequestRunner =
    std::function<bool(httplib::Stream& stream, bool close, bool& closed, SSL* ssl)>;

struct FrontStats {
  uint64_t accepted = 0, refused = 0, evicted = 0, timed_out = 0, rejected = 0, served = 0;
  size_t open = 0;
};

class Front {
 public:
  // `tls`: an SSL_CTX to speak TLS with (not owned), or null for plain HTTP.
  Front(FrontOptions options, RequestRunner runner, SSL_CTX* tls);
  ~Front();  // Stop()
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // Binds host:port (0: any free port) and listens. Then Start() serves.
  Status Bind(const std::string& host, int port);
  int port() const { return port_; }
  int listen_fd() const { return listen_fd_; }
  void Start();
  // Closes the listening socket and every connection; waits for running handlers.
  void Stop();
  FrontStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int listen_fd_ = -1;
  int port_ = 0;
};

}  // namespace closeloop::http
