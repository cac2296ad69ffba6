// The deliverer against an in-memory outbox: quiet hours in the engine's clock, backoff and
// dead letters, deliveries that cannot succeed, replay, and the metrics it reports.
#include "connectors/notify/deliverer.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/outbox.h"
#include "engine/testing/memory_store.h"

namespace closeloop::notify {
namespace {

using nlohmann::json;

// A webhook delivery to a port nothing listens on (connection refused at once).
json Delivery(const std::string& id, int64_t created_at, int64_t not_before = 0) {
  return {{"id", id},
          {"subscription", "hook"},
          {"channel", "webhook"},
          {"url", "http://127.0.0.1:1/hook"},
          {"secret", "k"},
          {"created_at", created_at},
          {"not_before", not_before},
          {"subject", "s"},
          {"body", "b"},
          {"record", json::object()}};
}

void Put(engine::StateStore& store, const json& d) {
  engine::Changes c;
  c[engine::outbox::PendingKey(0, d["id"].get<std::string>())] = d.dump();
  REQUIRE(store.Commit(c, {}, {}).ok());
}

double Metric(const std::string& text, const std::string& name) {
  size_t at = text.find("\n" + name + " ");
  REQUIRE(at != std::string::npos);
  return std::stod(text.substr(at + name.size() + 2));
}

DelivererOptions Fast() {
  DelivererOptions o;
  o.secrets = {{"k", "0123456789abcdef"}};
  o.max_attempts = 3;
  o.backoff_ms = 1;
  o.max_backoff_ms = 2;
  o.timeout_ms = 2000;
  return o;
}

TEST_CASE("a failing delivery is retried, then dead, then replayed with its attempts reset") {
  engine::testing::MemoryStore store(1);
  int64_t engine_now = 10'000;
  Deliverer d(
      store, 1, [&] { return engine_now; }, Fast());
  Put(store, Delivery("R1.hook", 4'000));
  CHECK(d.RunOnce() == 1);
  engine_now = 15'000;
  std::string m = d.MetricsText();
  CHECK(Metric(m, "closeloop_notify_failures_total") == 1);
  CHECK(Metric(m, "closeloop_notify_pending") == 1);
  CHECK(Metric(m, "closeloop_notify_oldest_undelivered_seconds") == 11);  // since 4 s
  auto pending = d.Pending(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  json row = json::parse((*pending)[0]);
  CHECK(row["id"] == "R1.hook");
  CHECK(row["attempts"] == 1);
  CHECK(row["last_error"].get<std::string>().find("127.0.0.1:1") != std::string::npos);
  for (int i = 0; i < 100 && d.counters().dead == 0; ++i) {
    d.RunOnce();
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  CHECK(d.counters().failures == 3);
  CHECK(d.counters().retries == 2);
  CHECK(d.counters().dead == 1);
  auto dead = d.DeadLetters();
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  json letter = json::parse((*dead)[0]);
  CHECK(letter["id"] == "R1.hook");
  CHECK(letter["attempts"] == 3);
  CHECK(letter["last_error"].get<std::string>().find("127.0.0.1:1") != std::string::npos);
  d.RunOnce();
  CHECK(Metric(d.MetricsText(), "closeloop_notify_dead_letters") == 1);
  CHECK(Metric(d.MetricsText(), "closeloop_notify_pending") == 0);

  CHECK(d.Pending(10)->empty());
  CHECK(d.Replay("R1.hook").ok());
  CHECK(d.Replay("R1.hook").code() == Code::kNotFound);
  CHECK(d.DeadLetters()->empty());
  CHECK(d.RunOnce() == 1);  // back in the outbox, first attempt again
  auto progress = store.Get(engine::outbox::ProgressKey(0, "R1.hook"));
  REQUIRE(progress.ok());
  REQUIRE(progress->has_value());
  CHECK(json::parse(**progress)["attempts"] == 1);
}

TEST_CASE("a receiver that never answers holds up one worker, not the other deliveries") {
  // A listener that never accepts: connections complete in the backlog and wait forever.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  for (int concurrency : {1, 2}) {
    engine::testing::MemoryStore store(1);
    DelivererOptions o = Fast();
    o.timeout_ms = 1500;
    o.concurrency = concurrency;
    Deliverer d(
        store, 1, [] { return int64_t{0}; }, o);
    json hang = Delivery("R5a.hook", 0);
    hang["url"] = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hook";
    Put(store, hang);                     // sorts first
    Put(store, Delivery("R5b.hook", 0));  // refused at once
    std::thread pass([&] { d.RunOnce(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto second = store.Get(engine::outbox::ProgressKey(0, "R5b.hook"));
    REQUIRE(second.ok());
    CHECK(second->has_value() == (concurrency == 2));
    pass.join();
  }
  ::close(fd);
}

TEST_CASE("a delivery held for working hours is not attempted before the engine's clock says") {
  engine::testing::MemoryStore store(1);
  int64_t engine_now = 1'000;
  Deliverer d(
      store, 1, [&] { return engine_now; }, Fast());
  Put(store, Delivery("R2.hook", 1'000, /*not_before=*/5'000));
  CHECK(d.RunOnce() == 0);
  CHECK(Metric(d.MetricsText(), "closeloop_notify_pending") == 1);
  CHECK(Metric(d.MetricsText(), "closeloop_notify_oldest_undelivered_seconds") == 0);
  engine_now = 5'000;
  CHECK(d.RunOnce() == 1);
}

TEST_CASE("a delivery that cannot succeed as it stands is a dead letter at once, saying why") {
  engine::testing::MemoryStore store(1);
  Deliverer d(
      store, 1, [] { return int64_t{0}; }, Fast());
  json no_key = Delivery("R3.hook", 0);
  no_key["secret"] = "missing";
  Put(store, no_key);
  json no_one = {{"id", "R4.mail"},
                 {"channel", "email"},
                 {"to", json::array()},
                 {"unresolved", "no e-mail for the head of 'nj.x' in contacts"}};
  Put(store, no_one);
  CHECK(d.RunOnce() == 2);
  auto dead = d.DeadLetters();
  REQUIRE(dead->size() == 2);
  CHECK(json::parse((*dead)[0])["last_error"] ==
        "no key named 'missing' in the notify config's secrets");
  CHECK(json::parse((*dead)[1])["last_error"] == "no e-mail for the head of 'nj.x' in contacts");
  CHECK(json::parse((*dead)[1])["attempts"] == 1);
}

TEST_CASE("the notify config is refused with the field at fault") {
  auto write = [](const std::string& text) {
    std::string p = "/tmp/cl-notify-config-" + std::to_string(::getpid()) + ".json";
    std::ofstream(p) << text;
    return p;
  };
  CHECK(LoadDelivererOptions(write(R"({"secrets": {"k": "short"}})")).status().message() ==
        "notify config: secrets.k: a key of at least 16 characters");
  CHECK(LoadDelivererOptions(write(R"({"smtp": {"url": "http://x"}})")).status().message() ==
        "notify config: smtp.url: smtp://host:port or smtps://host:port");
  CHECK(LoadDelivererOptions(write(R"({"retries": 3})")).status().message() ==
        "notify config: retries: unknown field");
  auto ok = LoadDelivererOptions(write(R"({"max_attempts": 4, "smtp": {"url": "smtp://h:25",
      "from": "a@b.c"}})"));
  REQUIRE(ok.ok());
  CHECK(ok->max_attempts == 4);
  CHECK(ok->smtp.from == "a@b.c");
}

}  // namespace
}  // namespace closeloop::notify
