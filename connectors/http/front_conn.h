// Internal to the connection front (front.cc): a connection's state and its I/O, plain or
// TLS, and the httplib::Stream a worker reads one buffered request from and writes the
// answer to.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string>

#include "connectors/http/request_head.h"

namespace closeloop::http::front {

using Clock = std::chrono::steady_clock;

struct Conn {
  enum class State { kHandshake, kHead, kBody, kQueued, kBusy };
  int fd = -1;
  SSL* ssl = nullptr;  // owned
  std::string peer_ip, local_ip;
  int peer_port = 0, local_port = 0;
  std::atomic<State> state = State::kHead;  // kQueued -> kBusy happens on a worker
  Clock::time_point since;                  // accepted
  Clock::time_point deadline;               // of the current phase (handshake, idle, head, body)
  bool head_started = false;                // a byte of the current request arrived
  std::string buf;                          // bytes read and not yet served
  HeadScan scan;
  RequestFrame frame;
  size_t request_end = 0;    // with kQueued/kBusy: buf[0, request_end) is the request
  size_t served = 0;         // requests answered on this connection
  bool want_write = false;   // TLS handshake wants POLLOUT
  bool keep = false;         // set by the worker: serve another request
  bool peer_closed = false;  // the client shut down its side after sending
};

// The address and port in `ss` (IPv4 or IPv6), as text.
void AddressOf(const sockaddr_storage& ss, std::string* ip, int* port);

// Reads what is there: > 0 bytes, 0 the peer closed, -1 would block, -2 error.
ssize_t ReadSome(Conn& c, char* out, size_t size);
// Writes all of `data`, waiting up to `timeout_ms` for each stall. False on error or timeout.
bool WriteAll(Conn& c, const char* data, size_t size, int timeout_ms);
// Waits up to `timeout_ms` for the socket to take more bytes. False if closed or timed out.
bool WaitWritable(int fd, int timeout_ms);

// One request, already in `c.buf[0, c.request_end)`, for httplib's process_request.
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(Conn& c, int write_timeout_ms) : c_(c), write_timeout_ms_(write_timeout_ms) {}
  bool is_readable() const override { return pos_ < c_.request_end; }
  bool is_writable() const override { return WaitWritable(c_.fd, write_timeout_ms_); }
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  // httplib (built without CPPHTTPLIB_USE_POLL) answers 500 to a socket >= FD_SETSIZE, for
  // fear of select(); this stream never selects, so a high descriptor reports -1 instead
  // (the only use httplib makes of it).
  socket_t socket() const override { return c_.fd < FD_SETSIZE ? c_.fd : INVALID_SOCKET; }

 private:
  Conn& c_;
  const int write_timeout_ms_;
  size_t pos_ = 0;
};

}  // namespace closeloop::http::front
