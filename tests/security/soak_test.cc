// Issue 13: a bounded soak (loopback only, 20 s) of everything at once: slow clients that
// trickle headers, oversized headers, oversized bodies and a publisher flood, while a staff
// client reads its ticket and must keep its p99 under 100 ms. Prints the figures.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/security/net_support.h"

namespace closeloop::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST_CASE(
    "soak: slow clients, oversized heads and bodies and a publisher flood at once; the "
    "staff p99 stays under 100 ms") {
  ApiFixture api("soak");
  const int port = api.server.port();
  const std::string ticket = api.OpenFireTicket();
  const std::string hotline = api.token("hotline"), fire = api.token("fire");
  std::atomic<bool> stop{false};
  std::atomic<long> slow_held{0}, heads_refused{0}, bodies_refused{0}, published{0}, throttled{0},
      publish_other{0};
  std::vector<std::thread> threads;

  // 300 slow clients: half a head, then a byte every 500 ms; reconnect when cut off.
  threads.emplace_back([&] {
    std::vector<int> fds(300, -1);
    while (!stop) {
      long held = 0;
      for (int& fd : fds) {
        if (fd >= 0 && !StillOpen(fd)) {
          ::close(fd);
          fd = -1;
        }
        if (fd < 0) {
          fd = ConnectLoopback(port);
          if (fd >= 0) SendAll(fd, "GET /v1/tickets HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        }
        if (fd >= 0 && SendAll(fd, "s")) ++held;
      }
      slow_held = held;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    for (int fd : fds) ::close(fd);
  });
  // Oversized heads: 64 KiB of one header.
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {
      const std::string head = "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(64 << 10, 'h');
      while (!stop) {
        int fd = ConnectLoopback(port);
        if (fd < 0) continue;
        SendAll(fd, head);
        std::string a = ReadUntilClosed(fd, std::chrono::seconds(2));
        heads_refused += a.rfind("HTTP/1.1 431", 0) == 0;
        ::close(fd);
      }
    });
  }
  // Oversized bodies: a declared 64 MiB, and 5 MiB actually sent.
  threads.emplace_back([&] {
    const std::string chunk(1 << 20, 'b');
    for (int n = 0; !stop; ++n) {
      int fd = ConnectLoopback(port);
      if (fd < 0) continue;
      bool sent_body = n % 2 == 1;
      SendAll(fd, "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + hotline +
                      "\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(sent_body ? 5 << 20 : 64 << 20) + "\r\n\r\n");
      for (int k = 0; sent_body && k < 5 && SendAll(fd, chunk); ++k) {
      }
      std::string a = ReadUntilClosed(fd, std::chrono::seconds(2));
      bodies_refused += a.rfind("HTTP/1.1 413", 0) == 0 || (sent_body && a.empty());
      ::close(fd);
    }
  });
  // The publisher flood: 4 kept-alive clients as fast as the server answers.
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(10, 0);
      httplib::Headers h = {{"Authorization", "Bearer " + hotline}};
      for (long n = 0; !stop; ++n) {
        json ev = {{"source", "hotline-12345"},
                   {"subject", "ent-soak-" + std::to_string(i)},
                   {"jurisdiction", "xuanwu.meiyuan"},
                   {"occurred_at", 1772413200000 + n},
                   {"body_type", "HazardReport"},
                   {"body",
                    {{"category", "fire_safety"},
                     {"severity", "general"},
                     {"description", "flood " + std::to_string(i) + "/" + std::to_string(n)}}}};
        auto r = c.Post("/v1/events", h, ev.dump(), "application/json");
        if (r && r->status == 201) {
          ++published;
        } else if (r && r->status == 429) {
          ++throttled;
        } else {
          ++publish_other;
        }
      }
    });
  }

  // The staff client: its own ticket, every 20 ms, on a kept-alive connection.
  std::this_thread::sleep_for(std::chrono::seconds(1));  // every attack under way
  httplib::Client staff("127.0.0.1", port);
  staff.set_read_timeout(10, 0);
  httplib::Headers h = {{"Authorization", "Bearer " + fire}};
  std::vector<double> ms;
  int ok = 0;
  auto end = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < end) {
    auto start = Clock::now();
    auto r = staff.Get("/v1/tickets/" + ticket, h);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    ok += r && r->status == 200;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (auto& t : threads) t.join();
  size_t n = ms.size();
  double p50 = Percentile(ms, 50), p99 = Percentile(ms, 99), max = Percentile(ms, 100);
  Memory mem = MemoryOf(api.server.pid());
  std::printf(
      "soak 20 s: staff %zu requests (%d ok) p50 %.1f ms p99 %.1f ms max %.1f ms; "
      "%ld slow connections held; %ld oversized heads 431; %ld oversized bodies 413; "
      "publisher flood %ld accepted, %ld throttled (429), %ld other; server RSS %ld "
      "KiB (peak %ld)\n",
      n, ok, p50, p99, max, slow_held.load(), heads_refused.load(), bodies_refused.load(),
      published.load(), throttled.load(), publish_other.load(), mem.rss_kib, mem.peak_kib);
  CHECK(ok == static_cast<int>(n));
  CHECK(p99 < 100);
  CHECK(slow_held > 250);
  CHECK(heads_refused > 0);
  CHECK(bodies_refused > 0);
  CHECK(published > 0);
}

}  // namespace
}  // namespace closeloop::testing
