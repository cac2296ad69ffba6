#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "connectors/http/front.h"
#include "connectors/http/front_conn.h"

namespace closeloop::http::front {
namespace {

// Waits for `events` on fd up to the deadline. False on timeout, error or hang-up.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    if (p.revents & (POLLERR | POLLNVAL)) return false;
    if (p.revents & events) return true;
    if (p.revents & POLLHUP) return false;
  }
}

}  // namespace

void AddressOf(const sockaddr_storage& ss, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    *port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    *port = ntohs(a->sin6_port);
  }
  *ip = text;
}

bool WaitWritable(int fd, int timeout_ms) {
  return WaitFor(fd, POLLOUT, Clock::now() + std::chrono::milliseconds(timeout_ms));
}

ssize_t ReadSome(Conn& c, char* out, size_t size) {
  if (c.ssl) {
    ERR_clear_error();
    int n = SSL_read(c.ssl, out, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
    if (n > 0) return n;
    int e = SSL_get_error(c.ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return -1;
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    return -2;
  }
  for (;;) {
    ssize_t n = ::recv(c.fd, out, size, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
  }
}

bool WriteAll(Conn& c, const char* data, size_t size, int timeout_ms) {
  size_t done = 0;
  while (done < size) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    if (c.ssl) {
      ERR_clear_error();
      int n =
          SSL_write(c.ssl, data + done, static_cast<int>(std::min<size_t>(size - done, 1 << 20)));
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      int e = SSL_get_error(c.ssl, n);
      if (e == SSL_ERROR_WANT_WRITE) {
        if (!WaitFor(c.fd, POLLOUT, deadline)) return false;
      } else if (e == SSL_ERROR_WANT_READ) {
        if (!WaitFor(c.fd, POLLIN, deadline)) return false;
      } else {
        return false;
      }
      continue;
    }
    ssize_t n = ::send(c.fd, data + done, size - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(c.fd, POLLOUT, deadline)) return false;
    } else {
      return false;
    }
  }
  return true;
}

ssize_t ConnStream::read(char* ptr, size_t size) {
  size_t n = std::min(size, c_.request_end - pos_);
  std::memcpy(ptr, c_.buf.data() + pos_, n);
  pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnStream::write(const char* ptr, size_t size) {
  return WriteAll(c_, ptr, size, write_timeout_ms_) ? static_cast<ssize_t>(size) : -1;
}

void ConnStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = c_.peer_ip;
  port = c_.peer_port;
}

void ConnStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = c_.local_ip;
  port = c_.local_port;
}

}  // namespace closeloop::http::front

namespace closeloop::http {

using front::AddressOf;

Status Front::Bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res) != 0) {
    return Unavailable("cannot resolve " + host);
  }
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR only: SO_REUSEPORT would let a second server bind the same port and
    // silently share its traffic.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 4096) == 0) break;
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    return Unavailable("cannot bind " + host + ":" + std::to_string(port) + " (in use?)");
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  std::string ip;
  AddressOf(ss, &ip, &port_);
  listen_fd_ = fd;
  return Status::Ok();
}

}  // namespace closeloop::http
