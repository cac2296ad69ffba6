// Issue 13, part 3: connections that cannot starve the server. Each finding of the attack is
// reproduced against a real `closeloop serve` (tests/api/api_fixture.h) and must now fail:
// slow connections held every worker (96) and nobody was answered; a million header lines
// were all read (and kept: 269 MB -> 1.14 GB) before the 431.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/security/net_support.h"

namespace closeloop::testing {
namespace {

// The attacker and the staff client share 127.0.0.1, not 127.0.0.1 vs 127.0.0.2: the
// defence must not rest on telling their addresses apart (clients behind one NAT or proxy,
// and the demo, where everyone is on loopback, share one).
TEST_CASE("1,000 slow connections from the staff's own address do not delay the staff") {
  ApiFixture api("slowloris");
  const int port = api.server.port();
  std::vector<int> slow;
  for (int i = 0; i < 1000; ++i) {
    int fd = ConnectLoopback(port);
    REQUIRE(fd >= 0);
    // Half a head, then a byte at a time: each recv is quick, the head never completes.
    REQUIRE(SendAll(fd, "GET /v1/tickets HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    slow.push_back(fd);
  }
  std::vector<double> ms;
  int answered = 0;
  for (int round = 0; round < 40; ++round) {
    for (int fd : slow) SendAll(fd, "a");
    Timed t = TimedGet(port, "/v1/tickets?open=true", api.token("fire"));
    answered += t.status == 200;
    ms.push_back(t.ms);
  }
  size_t open = 0;
  for (int fd : slow) open += StillOpen(fd);
  double p50 = Percentile(ms, 50), p99 = Percentile(ms, 99), max = Percentile(ms, 100);
  std::printf(
      "slowloris: %zu of 1000 slow connections open; staff GET p50 %.1f ms, p99 %.1f ms, "
      "max %.1f ms over %zu requests, %d answered 200\n",
      open, p50, p99, max, ms.size(), answered);
  CHECK(answered == 40);
  CHECK(open == 1000);  // held, not merely dropped: the front bears them
  CHECK(p99 < 100);
  for (int fd : slow) ::close(fd);
}

TEST_CASE("a head not complete within --header-timeout is answered 408 and closed") {
  ApiFixture api("headtime", {"--header-timeout", "1"});
  const int port = api.server.port();
  int trickler = ConnectLoopback(port), idle = ConnectLoopback(port);
  REQUIRE(trickler >= 0);
  REQUIRE(idle >= 0);
  REQUIRE(SendAll(trickler, "GET /healthz HTTP/1.1\r\n"));
  auto start = std::chrono::steady_clock::now();
  // A byte every 100 ms resets no per-recv timer: the deadline is for the whole head.
  while (StillOpen(trickler) &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(4)) {
    SendAll(trickler, "X");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string answer = ReadUntilClosed(trickler, std::chrono::seconds(1));
  CHECK(answer.rfind("HTTP/1.1 408", 0) == 0);
  CHECK(secs < 2.0);
  // Connecting and sending nothing is as slow: closed by the same deadline, without an answer.
  CHECK(ReadUntilClosed(idle, std::chrono::seconds(2)).empty());
  CHECK_FALSE(StillOpen(idle));
  ::close(trickler);
  ::close(idle);
}

// Sends `lines` header lines after a request line; returns the answer's first line.
std::string Flood(int port, size_t lines) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  std::string block = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  std::string chunk;
  for (int i = 0; i < 8192; ++i) chunk += "X-Flood: y\r\n";
  bool sent = SendAll(fd, block);
  for (size_t done = 0; sent && done < lines; done += 8192) sent = SendAll(fd, chunk);
  if (sent) SendAll(fd, "\r\n");
  std::string answer = ReadUntilClosed(fd, std::chrono::seconds(5));
  ::close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

TEST_CASE("a million header lines are refused at the limit, and the memory stays flat") {
  ApiFixture api("headerflood");
  const int port = api.server.port();
  Memory before = MemoryOf(api.server.pid());
  std::vector<std::thread> floods;
  std::vector<std::string> answers(4);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    floods.emplace_back([&, i] { answers[i] = Flood(port, 1000000); });
  }
  for (auto& t : floods) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Memory after = MemoryOf(api.server.pid());
  std::printf(
      "header flood: 4 x 1,000,000 header lines refused in %.2f s; server RSS %ld -> %ld "
      "KiB, peak %ld -> %ld KiB\n",
      secs, before.rss_kib, after.rss_kib, before.peak_kib, after.peak_kib);
  for (const auto& a : answers) {
    // 431 as soon as the limit is crossed; the sender may see the reset before reading it.
    CHECK((a.empty() || a.rfind("HTTP/1.1 431", 0) == 0));
  }
  CHECK(after.peak_kib - before.peak_kib < 16 * 1024);
  // The limits: 60 header fields pass (the API counts 4 of its own: 64), 65 are refused as
  // the 65th line ends; over 32 KiB of head is refused.
  std::string sixty = "GET /healthz HTTP/1.1\r\n";
  for (int i = 0; i < 59; ++i) sixty += "X-" + std::to_string(i) + ": y\r\n";
  int fd = ConnectLoopback(port);
  REQUIRE(SendAll(fd, sixty + "Connection: close\r\n\r\n"));
  CHECK(ReadUntilClosed(fd, std::chrono::seconds(5)).rfind("HTTP/1.1 200", 0) == 0);
  ::close(fd);
  fd = ConnectLoopback(port);
  REQUIRE(
      SendAll(fd, sixty + "X-61: y\r\nX-62: y\r\nX-63: y\r\nX-64: y\r\nX-65: y\r\nX-66: y\r\n"));
  CHECK(ReadUntilClosed(fd, std::chrono::seconds(5)).rfind("HTTP/1.1 431", 0) == 0);
  ::close(fd);
  fd = ConnectLoopback(port);
  REQUIRE(
      SendAll(fd, "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(33 << 10, 'b') + "\r\n\r\n"));
  CHECK(ReadUntilClosed(fd, std::chrono::seconds(5)).rfind("HTTP/1.1 431", 0) == 0);
  ::close(fd);
  CHECK(TimedGet(port, "/healthz", "").status == 200);
}

TEST_CASE("bodies over the limit are refused before they are read") {
  ApiFixture api("bigbody");
  const int port = api.server.port();
  int fd = ConnectLoopback(port);
  REQUIRE(SendAll(
      fd, "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + api.token("hotline") +
              "\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n"));
  CHECK(ReadUntilClosed(fd, std::chrono::seconds(5)).rfind("HTTP/1.1 413", 0) == 0);
  ::close(fd);
  // Chunked request bodies are refused before any of the body is read.
  fd = ConnectLoopback(port);
  REQUIRE(SendAll(fd, "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string answer = ReadUntilClosed(fd, std::chrono::seconds(5));
  CHECK(answer.rfind("HTTP/1.1 411", 0) == 0);
  ::close(fd);
  // "Expect: 100-continue" is answered before the body is read, once, and the request is
  // then served as usual (here: an empty event is invalid).
  fd = ConnectLoopback(port);
  REQUIRE(SendAll(fd, "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          api.token("hotline") +
                          "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                          "Content-Length: 2\r\nConnection: close\r\n\r\n"));
  std::string cont = ReadUntilClosed(fd, std::chrono::milliseconds(500));
  CHECK(cont == "HTTP/1.1 100 Continue\r\n\r\n");
  REQUIRE(SendAll(fd, "{}"));
  answer = ReadUntilClosed(fd, std::chrono::seconds(5));
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  ::close(fd);
}

TEST_CASE("over the per-address cap the oldest slow connection is closed, not the newcomer") {
  ApiFixture api("evict", {"--max-connections-per-address", "200"});
  const int port = api.server.port();
  std::vector<int> slow;
  for (int i = 0; i < 300; ++i) {
    int fd = ConnectLoopback(port);
    REQUIRE(fd >= 0);
    SendAll(fd, "GET / HTTP/1.1\r\n");
    slow.push_back(fd);
  }
  Timed t = TimedGet(port, "/v1/tickets", api.token("fire"));
  CHECK(t.status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  size_t first_open = 0, last_open = 0;
  for (int i = 0; i < 100; ++i) first_open += StillOpen(slow[i]);
  for (int i = 200; i < 300; ++i) last_open += StillOpen(slow[i]);
  std::printf(
      "eviction: of 300 slow connections (cap 200), first 100: %zu open, last 100: %zu "
      "open; staff answered %d in %.1f ms\n",
      first_open, last_open, t.status, t.ms);
  CHECK(first_open == 0);
  CHECK(last_open == 100);
  for (int fd : slow) ::close(fd);
}

}  // namespace
}  // namespace closeloop::testing
