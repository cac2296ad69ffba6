#include "connectors/http/front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "connectors/http/front_conn.h"

namespace closeloop::http {

using front::AddressOf;
using front::Clock;
using front::Conn;
using State = front::Conn::State;

namespace {

std::chrono::milliseconds Ms(int ms) { return std::chrono::milliseconds(ms); }

}  // namespace

struct Front::Impl {
  FrontOptions o;
  RequestRunner runner;
  SSL_CTX* tls;
  int listen_fd = -1, epoll_fd = -1, wake_fd = -1;
  bool listening_paused = false;
  std::thread loop;
  std::vector<std::thread> workers;

  // Owned by the loop thread (a connection in a worker is still in `conns`).
  std::unordered_map<int, std::unique_ptr<Conn>> conns;
  std::unordered_map<std::string, size_t> per_address;

  // Shared between the loop and the workers.
  std::mutex mu;
  std::condition_variable ready_cv;
  std::map<std::string, std::deque<Conn*>> ready;  // complete requests, by address
  std::deque<std::string> turn;                    // addresses with ready requests, in turn
  std::map<std::string, size_t> busy;              // workers held, by address
  std::vector<Conn*> returned;                     // served; back to the loop
  bool stopping = false;

  std::atomic<uint64_t> accepted{0}, refused{0}, evicted{0}, timed_out{0}, rejected{0}, served{0};
  std::atomic<size_t> open{0};
  // Bytes held in connections' buffers (requests read, not yet served), all together.
  std::atomic<size_t> buffered{0};

  Impl(FrontOptions options, RequestRunner r, SSL_CTX* ctx)
      : o(std::move(options)), runner(std::move(r)), tls(ctx) {
    if (o.max_busy_per_address == 0)
      o.max_busy_per_address = std::max<size_t>(1, o.workers * 3 / 4);
    // Every connection is a descriptor: keep the cap under the process's limit.
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
      size_t room = rl.rlim_cur > 256 ? rl.rlim_cur - 128 : rl.rlim_cur / 2;
      o.max_connections = std::min<size_t>(o.max_connections, room);
    }
  }

  // ---- the loop thread ----

  void Watch(Conn& c, bool add) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (c.want_write ? uint32_t{EPOLLOUT} : 0u);
    ev.data.fd = c.fd;
    epoll_ctl(epoll_fd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &ev);
  }

  void Close(int fd) {
    auto it = conns.find(fd);
    if (it == conns.end()) return;
    Conn& c = *it->second;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    if (c.ssl) {
      SSL_set_quiet_shutdown(c.ssl, 1);
      SSL_free(c.ssl);
    }
    ::close(fd);
    buffered -= c.buf.size();
    if (--per_address[c.peer_ip] == 0) per_address.erase(c.peer_ip);
    conns.erase(it);
    open = conns.size();
  }

  // Answers a request that breaks a limit, then closes (the rest of it is not read).
  void Reject(Conn& c, int status, const char* reason) {
    ++rejected;
    std::string answer = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                         (status == 503 ? "\r\nRetry-After: 1" : "") +
                         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    if (!c.ssl || SSL_is_init_finished(c.ssl)) front::WriteAll(c, answer.data(), answer.size(), 50);
    // Unread bytes make close() send a reset, which can lose the answer: drain a little.
    char sink[16384];
    for (int i = 0; i < 4 && ::recv(c.fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
    ::shutdown(c.fd, SHUT_WR);
    Close(c.fd);
  }

  // The oldest connection of `ip` (any address if empty) that holds no complete request.
  bool EvictOne(const std::string& ip) {
    Conn* oldest = nullptr;
    for (auto& [fd, c] : conns) {
      if (c->state == State::kQueued || c->state == State::kBusy) continue;
      if (!ip.empty() && c->peer_ip != ip) continue;
      if (!oldest || c->since < oldest->since) oldest = c.get();
    }
    if (!oldest) return false;
    ++evicted;
    Close(oldest->fd);
    return true;
  }

  void Accept() {
    for (int i = 0; i < 256; ++i) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int fd =
          accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && EvictOne("")) continue;
        if (errno == EMFILE || errno == ENFILE) PauseListening();
        return;
      }
      ++accepted;
      std::string ip;
      int port = 0;
      AddressOf(ss, &ip, &port);
      if ((conns.size() >= o.max_connections && !EvictOne("")) ||
          (per_address[ip] >= o.max_connections_per_address && !EvictOne(ip))) {
        ++refused;
        ::close(fd);
        if (per_address[ip] == 0) per_address.erase(ip);
        continue;
      }
      int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      auto c = std::make_unique<Conn>();
      c->fd = fd;
      c->peer_ip = ip;
      c->peer_port = port;
      sockaddr_storage local{};
      socklen_t llen = sizeof local;
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) == 0) {
        AddressOf(local, &c->local_ip, &c->local_port);
      }
      c->since = Clock::now();
      // A new connection has the head's deadline from the start: connecting and sending
      // nothing is as slow as sending a byte a minute.
      c->deadline = c->since + Ms(o.header_timeout_ms);
      c->head_started = true;
      if (tls) {
        c->ssl = SSL_new(tls);
        SSL_set_fd(c->ssl, fd);
        SSL_set_accept_state(c->ssl);
        c->state = State::kHandshake;
      }
      ++per_address[ip];
      Conn& ref = *c;
      conns.emplace(fd, std::move(c));
      open = conns.size();
      Watch(ref, true);
    }
  }

  void PauseListening() {
    if (listening_paused) return;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
    listening_paused = true;
  }

  void ResumeListening() {
    if (!listening_paused) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
    listening_paused = false;
  }

  void Handshake(Conn& c) {
    ERR_clear_error();
    int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
      c.state = State::kHead;
      if (c.want_write) {
        c.want_write = false;
        Watch(c, false);
      }
      OnReadable(c);  // the first request may have come with the handshake's last flight
      return;
    }
    int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      bool want_write = e == SSL_ERROR_WANT_WRITE;
      if (want_write != c.want_write) {
        c.want_write = want_write;
        Watch(c, false);
      }
      return;
    }
    Close(c.fd);
  }

  void OnReadable(Conn& c) {
    const size_t cap = o.head.max_head_bytes + o.head.BodyCap() + 16384;
    char chunk[16384];
    bool budget_exceeded = false;
    // At most 64 KiB a turn, so one fast sender does not hold the loop.
    for (int i = 0; i < 4; ++i) {
      size_t room = cap - std::min(cap, c.buf.size());
      if (room == 0) break;
      ssize_t n = front::ReadSome(c, chunk, std::min(room, sizeof chunk));
      if (n > 0) {
        if (!c.head_started) {
          c.head_started = true;
          c.deadline = Clock::now() + Ms(o.header_timeout_ms);
        }
        c.buf.append(chunk, static_cast<size_t>(n));
        if ((buffered += static_cast<size_t>(n)) > o.max_buffered_bytes) {
          budget_exceeded = true;
          break;
        }
        continue;
      }
      if (n == -1) break;
      if (n == -2) return Close(c.fd);
      c.peer_closed = true;  // it may still have sent a whole request: answer that
      break;
    }
    if (budget_exceeded) return Reject(c, 503, "Service Unavailable");
    const int fd = c.fd;
    const bool peer_closed = c.peer_closed;
    Advance(c);  // may close c
    if (!peer_closed) return;
    auto it = conns.find(fd);
    if (it != conns.end() &&
        (it->second->state == State::kHead || it->second->state == State::kBody)) {
      Close(fd);  // the client left without a complete request
    }
  }

  // Moves a connection on with the bytes it has: head, body, then a worker.
  void Advance(Conn& c) {
    if (c.state == State::kHead) {
      if (c.buf.empty()) return;
      RequestFrame f = ScanHead(c.buf, o.head, &c.scan);
      if (f.state == RequestFrame::State::kIncomplete) return;
      if (f.state == RequestFrame::State::kError) return Reject(c, f.status, f.reason);
      // Blank lines before the request line, and "Expect: 100-continue" (answered here,
      // so httplib does not answer it again after the body), are dropped.
      if (f.expect_continue) {
        c.buf.erase(f.expect_line_begin, f.expect_line_end - f.expect_line_begin);
        buffered -= f.expect_line_end - f.expect_line_begin;
        f.head_end -= f.expect_line_end - f.expect_line_begin;
        if (f.content_length > 0 && c.buf.size() == f.head_end) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          front::WriteAll(c, kContinue.data(), kContinue.size(), 50);
        }
      }
      c.buf.erase(0, f.head_begin);
      buffered -= f.head_begin;
      f.head_end -= f.head_begin;
      c.frame = f;
      c.state = State::kBody;
      c.deadline = Clock::now() + Ms(o.body_timeout_ms);
    }
    if (c.state != State::kBody) return;
    const RequestFrame& f = c.frame;
    if (c.buf.size() < f.head_end + f.content_length) return;
    c.request_end = f.head_end + f.content_length;
    Dispatch(c);
  }

  void Dispatch(Conn& c) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    c.state = State::kQueued;
    {
      std::lock_guard lock(mu);
      auto& q = ready[c.peer_ip];
      if (q.empty()) turn.push_back(c.peer_ip);
      q.push_back(&c);
    }
    ready_cv.notify_one();
  }

  // A worker is done with `c`: read its next request, or close it.
  void Returned(Conn& c) {
    if (!c.keep) return Close(c.fd);
    c.state = c.ssl && !SSL_is_init_finished(c.ssl) ? State::kHandshake : State::kHead;
    c.scan = {};
    c.frame = {};
    c.request_end = 0;
    c.head_started = !c.buf.empty();
    c.deadline = Clock::now() + Ms(c.head_started ? o.header_timeout_ms : o.keep_alive_timeout_ms);
    c.want_write = false;
    Watch(c, true);
    OnReadable(c);  // pipelined bytes, or bytes TLS already decrypted
  }

  void Sweep() {
    auto now = Clock::now();
    std::vector<int> late;
    for (auto& [fd, c] : conns) {
      if (c->state == State::kQueued || c->state == State::kBusy) continue;
      if (now >= c->deadline) late.push_back(fd);
    }
    for (int fd : late) {
      Conn& c = *conns.at(fd);
      ++timed_out;
      bool mid_request = c.state == State::kBody || (c.state == State::kHead && !c.buf.empty());
      if (mid_request) {
        Reject(c, 408, "Request Timeout");
      } else {
        Close(fd);
      }
    }
    if (listening_paused && conns.size() < o.max_connections) ResumeListening();
  }

  void Run() {
    std::vector<epoll_event> events(256);
    auto next_sweep = Clock::now();
    for (;;) {
      int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 50);
      {
        std::lock_guard lock(mu);
        if (stopping) break;
      }
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == listen_fd) {
          Accept();
          continue;
        }
        if (fd == wake_fd) {
          uint64_t v;
          (void)!::read(wake_fd, &v, sizeof v);
          std::vector<Conn*> back;
          {
            std::lock_guard lock(mu);
            back.swap(returned);
          }
          for (Conn* c : back) Returned(*c);
          continue;
        }
        auto it = conns.find(fd);
        if (it == conns.end()) continue;
        Conn& c = *it->second;
        if (c.state == State::kHandshake) {
          Handshake(c);
        } else if (c.state == State::kHead || c.state == State::kBody) {
          OnReadable(c);
        }
      }
      if (Clock::now() >= next_sweep) {
        Sweep();
        next_sweep = Clock::now() + Ms(50);
      }
    }
    Shutdown();
  }

  // Stop: nothing new is read; handlers running are cut off at their next write.
  void Shutdown() {
    {
      std::lock_guard lock(mu);
      ready.clear();
      turn.clear();
      for (auto& [fd, c] : conns) {
        if (c->state == State::kBusy) ::shutdown(fd, SHUT_RDWR);
      }
    }
    ready_cv.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
    std::vector<int> fds;
    for (auto& [fd, c] : conns) fds.push_back(fd);
    for (int fd : fds) Close(fd);
  }

  // ---- workers ----

  // The next complete request, taking addresses in turn and skipping an address that holds
  // its share of workers already. Null when stopping.
  Conn* Take(std::unique_lock<std::mutex>& lock) {
    for (;;) {
      if (stopping) return nullptr;
      for (size_t i = 0; i < turn.size(); ++i) {
        std::string ip = turn.front();
        turn.pop_front();
        if (busy[ip] >= o.max_busy_per_address) {
          turn.push_back(ip);
          continue;
        }
        auto& q = ready[ip];
        Conn* c = q.front();
        q.pop_front();
        if (q.empty()) {
          ready.erase(ip);
        } else {
          turn.push_back(ip);
        }
        ++busy[ip];
        c->state = State::kBusy;
        return c;
      }
      ready_cv.wait(lock);
    }
  }

  void Work() {
    std::unique_lock lock(mu);
    for (;;) {
      Conn* c = Take(lock);
      if (!c) return;
      lock.unlock();
      bool close = c->frame.close || c->served + 1 >= o.keep_alive_max;
      bool closed = false;
      bool ok;
      {
        front::ConnStream stream(*c, o.write_timeout_ms);
        ok = runner(stream, close, closed, c->ssl);
      }
      ++served;
      ++c->served;
      buffered -= c->request_end;
      c->buf.erase(0, c->request_end);
      if (c->buf.capacity() > (64 << 10)) c->buf.shrink_to_fit();  // a large body's memory
      c->keep = ok && !close && !closed && !c->peer_closed;
      lock.lock();
      if (--busy[c->peer_ip] == 0) busy.erase(c->peer_ip);
      if (!turn.empty()) ready_cv.notify_one();
      if (stopping) {
        c->keep = false;
        continue;  // Shutdown closes it
      }
      returned.push_back(c);
      uint64_t one = 1;
      (void)!::write(wake_fd, &one, sizeof one);
    }
  }
};

Front::Front(FrontOptions options, RequestRunner runner, SSL_CTX* tls)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(runner), tls)) {}

Front::~Front() {
  Stop();
  if (impl_->epoll_fd >= 0) ::close(impl_->epoll_fd);
  if (impl_->wake_fd >= 0) ::close(impl_->wake_fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void Front::Start() {
  Impl& m = *impl_;
  m.listen_fd = listen_fd_;
  m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  m.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = m.wake_fd;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.wake_fd, &ev);
  ev.data.fd = listen_fd_;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, listen_fd_, &ev);
  for (size_t i = 0; i < m.o.workers; ++i) m.workers.emplace_back([&m] { m.Work(); });
  m.loop = std::thread([&m] { m.Run(); });
}

void Front::Stop() {
  Impl& m = *impl_;
  if (!m.loop.joinable()) return;
  {
    std::lock_guard lock(m.mu);
    m.stopping = true;
  }
  m.ready_cv.notify_all();
  uint64_t one = 1;
  (void)!::write(m.wake_fd, &one, sizeof one);
  m.loop.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
}

FrontStats Front::stats() const {
  const Impl& m = *impl_;
  return {m.accepted, m.refused, m.evicted, m.timed_out, m.rejected, m.served, m.open};
}

}  // namespace closeloop::http
