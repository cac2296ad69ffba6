#include "connectors/notify/deliverer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "engine/outbox.h"

namespace closeloop::notify {
namespace {

using nlohmann::json;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The wait before attempt `attempts + 1`: backoff * 2^(attempts-1), capped, then a random
// point in its upper half (jitter, so receivers coming back are not hit all at once).
int64_t Backoff(const DelivererOptions& o, int attempts) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t d = o.backoff_ms;
  for (int i = 1; i < attempts && d < o.max_backoff_ms; ++i) d *= 2;
  d = std::min(d, o.max_backoff_ms);
  std::uniform_int_distribution<int64_t> half(d / 2, std::max<int64_t>(d / 2, d));
  return half(rng);
}

Status Field(const std::string& path, const std::string& message) {
  return InvalidArgument("notify config: " + path + ": " + message);
}

}  // namespace

Result<DelivererOptions> LoadDelivererOptions(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("notify config: cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Field(path, "expected a JSON object");
  DelivererOptions o;
  for (const auto& [k, v] : doc.items()) {
    if (k == "secrets") {
      if (!v.is_object()) return Field("secrets", "expected {name: key}");
      for (const auto& [name, key] : v.items()) {
        if (!key.is_string() || key.get<std::string>().size() < 16) {
          return Field("secrets." + name, "a key of at least 16 characters");
        }
        o.secrets[name] = key.get<std::string>();
      }
    } else if (k == "smtp") {
      if (!v.is_object()) return Field("smtp", "expected {\"url\", \"from\", ...}");
      for (const auto& [sk, sv] : v.items()) {
        if (sk == "starttls") {
          if (!sv.is_boolean()) return Field("smtp.starttls", "true or false");
          o.smtp.starttls = sv.get<bool>();
          continue;
        }
        if (!sv.is_string()) return Field("smtp." + sk, "expected a string");
        std::string s = sv.get<std::string>();
        if (sk == "url") {
          if (!s.starts_with("smtp://") && !s.starts_with("smtps://")) {
            return Field("smtp.url", "smtp://host:port or smtps://host:port");
          }
          o.smtp.url = s;
        } else if (sk == "from") {
          if (s.find('@') == std::string::npos || s.find_first_of("\r\n<>") != std::string::npos)
            return Field("smtp.from", "an e-mail address");
          o.smtp.from = s;
        } else if (sk == "username") {
          o.smtp.username = s;
        } else if (sk == "password") {
          o.smtp.password = s;
        } else {
          return Field("smtp." + sk, "unknown field");
        }
      }
    } else if (k == "ack") {
      if (!v.is_object()) return Field("ack", "expected {\"base_url\", \"secret\"}");
      for (const auto& [ak, av] : v.items()) {
        if (!av.is_string()) return Field("ack." + ak, "expected a string");
        std::string a = av.get<std::string>();
        if (ak == "base_url") {
          if (!a.starts_with("http://") && !a.starts_with("https://")) {
            return Field("ack.base_url",
                         "the server's address as recipients reach it (https://...)");
          }
          while (a.ends_with("/")) a.pop_back();
          o.ack_base_url = a;
        } else if (ak == "secret") {
          if (a.size() < 16) return Field("ack.secret", "a key of at least 16 characters");
          o.ack_secret = a;
        } else {
          return Field("ack." + ak, "unknown field");
        }
      }
      if (o.ack_base_url.empty() || o.ack_secret.empty()) {
        return Field("ack", "needs both base_url and secret");
      }
    } else if (k == "max_attempts" || k == "backoff_ms" || k == "max_backoff_ms" ||
               k == "timeout_ms" || k == "poll_ms" || k == "concurrency") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1) return Field(k, "a positive integer");
      int64_t n = v.get<int64_t>();
      if (k == "max_attempts") o.max_attempts = static_cast<int>(std::min<int64_t>(n, 100));
      if (k == "backoff_ms") o.backoff_ms = n;
      if (k == "max_backoff_ms") o.max_backoff_ms = n;
      if (k == "timeout_ms") o.timeout_ms = n;
      if (k == "poll_ms") o.poll_ms = n;
      if (k == "concurrency") o.concurrency = static_cast<int>(std::min<int64_t>(n, 64));
    } else {
      return Field(k, "unknown field");
    }
  }
  return o;
}

Deliverer::Deliverer(engine::StateStore& store, uint32_t partitions,
                     std::function<int64_t()> engine_now, DelivererOptions options)
    : store_(store),
      partitions_(partitions),
      engine_now_(std::move(engine_now)),
      options_(std::move(options)) {
  InitChannels();
}

Deliverer::~Deliverer() { Stop(); }

void Deliverer::Start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { Loop(); });
}

void Deliverer::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void Deliverer::Wake() {
  {
    std::lock_guard lock(wake_mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void Deliverer::Loop() {
  while (running_) {
    RunOnce();
    std::unique_lock lock(wake_mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                   [this] { return woken_ || !running_; });
    woken_ = false;
  }
}

size_t Deliverer::RunOnce() {
  const int64_t engine_now = engine_now_();
  uint64_t pending = 0, dead = 0;
  int64_t oldest = 0;
  struct Work {
    uint32_t partition;
    std::string id, delivery;
    int attempts;
    bool urgent;
  };
  std::vector<Work> work;
  for (uint32_t p = 0; p < partitions_; ++p) {
    // Progress first (attempts, next attempt, dead letters), then the pending deliveries.
    std::map<std::string, json> progress;
    Status s =
        engine::outbox::ForEachProgress(store_, p, [&](std::string_view id, std::string_view v) {
          json j = json::parse(v, nullptr, false);
          if (j.is_object()) {
            if (j.value("status", "") == "dead") ++dead;
            progress[std::string(id)] = std::move(j);
          }
          return true;
        });
    if (s.ok()) {
      s = engine::outbox::ForEachPending(
          store_, p, [&](std::string_view key_id, std::string_view v) {
            ++pending;
            std::string id(key_id);
            json d = json::parse(v, nullptr, false);
            if (!d.is_object()) return true;
            int64_t not_before = d.value("not_before", int64_t{0});
            if (not_before > engine_now) return true;  // quiet hours
            int64_t since = std::max(d.value("created_at", int64_t{0}), not_before);
            if (oldest == 0 || since < oldest) oldest = since;
            auto pr = progress.find(id);
            if (pr != progress.end() &&
                pr->second.value("next_attempt_at", int64_t{0}) > WallMs()) {
              return true;
            }
            int attempts = pr == progress.end() ? 0 : pr->second.value("attempts", 0);
            work.push_back({p, std::move(id), std::string(v), attempts, d.value("urgent", false)});
            return true;
          });
    }
    if (!s.ok()) spdlog::error("notify: scanning partition {}: {}", p, s.ToString());
  }
  // Urgent ones first; `concurrency` workers, so one receiver that hangs holds up one worker.
  std::stable_sort(work.begin(), work.end(),
                   [](const Work& a, const Work& b) { return a.urgent && !b.urgent; });
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < work.size();) {
      if (!running_ && thread_.joinable()) break;  // stopping
      const Work& w = work[i];
      Status a = Attempt(w.partition, w.id, w.delivery, w.attempts);
      if (!a.ok()) spdlog::error("notify: recording delivery {}: {}", w.id, a.ToString());
    }
  };
  size_t workers = std::min<size_t>(std::max(options_.concurrency, 1), work.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::lock_guard lock(mu_);
  pending_ = pending;
  dead_letters_ = dead;
  oldest_due_since_ = oldest;
  return std::min(next.load(), work.size());
}

std::string Deliverer::AckToken(const std::string& delivery_id) const {
  return options_.ack_secret.empty() ? "" : HmacSha256Hex(options_.ack_secret, delivery_id);
}

std::string Deliverer::AckUrl(const std::string& delivery_id) const {
  if (options_.ack_secret.empty()) return "";
  return options_.ack_base_url + "/v1/notify/deliveries/" + delivery_id +
         "/ack?token=" + AckToken(delivery_id);
}

bool Deliverer::AckTokenValid(const std::string& delivery_id, const std::string& token) const {
  if (options_.ack_secret.empty()) return false;
  const std::string want = AckToken(delivery_id);
  if (token.size() != want.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(want[i] ^ token[i]);
  return diff == 0;
}

namespace {

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
}

}  // namespace

Status Deliverer::Send(const std::string& delivery_json, int64_t wall_ms) {
  json d = json::parse(delivery_json, nullptr, false);
  if (!d.is_object()) return InvalidArgument("the outbox entry is not JSON");
  const std::string id = d.value("id", "");
  const std::string channel = d.value("channel", "");
  if (d.contains("unresolved")) return FailedPrecondition(d["unresolved"].get<std::string>());
  if (d.value("ack", false)) {
    // A duty page: its acknowledgement link goes where the template put {ack_url} (the
    // engine left the placeholder; only this side holds the key that signs the link).
    const std::string url = AckUrl(id);
    if (url.empty()) {
      return FailedPrecondition(
          "a duty page needs the notify config's ack.secret and "
          "ack.base_url to sign its acknowledgement link");
    }
    for (const char* f : {"subject", "body"}) {
      std::string text = d.value(f, "");
      ReplaceAll(text, "{ack_url}", url);
      d[f] = text;
    }
    std::string form = url;  // application/x-www-form-urlencoded
    for (const char* c : {"%", ":", "/", "?", "="}) {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(*c));
      ReplaceAll(form, c, hex);
    }
    if (d.contains("requests")) {
      for (auto& r : d["requests"]) {
        std::string body = r.value("body", "");
        ReplaceAll(body, "{ack_url}", url);  // JSON: a URL needs no escaping
        ReplaceAll(body, "%7Back_url%7D", form);
        r["body"] = body;
      }
    }
  }
  if (channel == "webhook") {
    auto key = options_.secrets.find(d.value("secret", ""));
    if (key == options_.secrets.end()) {
      return FailedPrecondition("no key named '" + d.value("secret", "") +
                                "' in the notify config's secrets");
    }
    json payload = {{"delivery_id", id},
                    {"subscription", d["subscription"]},
                    {"record", d["record"]},
                    {"message", {{"subject", d["subject"]}, {"body", d["body"]}}}};
    HttpPost post{.url = d.value("url", ""), .content_type = "application/json"};
    post.body = payload.dump();
    post.headers = {
        "Idempotency-Key: " + id,
        "X-Closeloop-Signature: " + SignatureHeader(key->second, wall_ms / 1000, post.body)};
    post.timeout_ms = options_.timeout_ms;
    return Post(post);
  }
  if (channel == "sms") {
    // One gateway request per phone; the key tells the gateway which phone a retry repeats.
    for (const auto& r : d.value("requests", json::array())) {
      HttpPost post{.url = r.value("url", ""), .content_type = r.value("content_type", "")};
      post.body = r.value("body", "");
      post.headers = {"Idempotency-Key: " + id + ":" + r.value("phone", "")};
      post.timeout_ms = options_.timeout_ms;
      CL_RETURN_IF_ERROR(Post(post));
    }
    return Status::Ok();
  }
  if (channel == "email") {
    std::vector<std::string> to = d.value("to", std::vector<std::string>());
    std::string message = MimeMessage(options_.smtp.from, to, d.value("subject", ""),
                                      d.value("body", ""), id, wall_ms / 1000);
    return SendMail(options_.smtp, to, message, options_.timeout_ms);
  }
  return InvalidArgument("unknown channel '" + channel + "'");
}

Status Deliverer::Attempt(uint32_t p, const std::string& id, const std::string& delivery,
                          int attempts_before) {
  const int64_t wall = WallMs();
  Status sent = Send(delivery, wall);
  const int attempts = attempts_before + 1;
  engine::Changes changes;
  const std::string pending_key = engine::outbox::PendingKey(p, id);
  const std::string progress_key = engine::outbox::ProgressKey(p, id);
  std::lock_guard lock(mu_);
  if (attempts > 1) ++counters_.retries;
  if (sent.ok()) {
    ++counters_.delivered;
    changes[pending_key] = std::nullopt;
    changes[progress_key] = std::nullopt;
  } else {
    ++counters_.failures;
    // A delivery that cannot succeed as it stands (no recipient, no key) is dead at once.
    const bool hopeless =
        sent.code() == Code::kFailedPrecondition || sent.code() == Code::kInvalidArgument;
    if (attempts >= options_.max_attempts || hopeless) {
      ++counters_.dead;
      json dl = {{"status", "dead"},     {"id", id},
                 {"attempts", attempts}, {"last_error", sent.message()},
                 {"failed_at", wall},    {"delivery", json::parse(delivery, nullptr, false)}};
      changes[pending_key] = std::nullopt;
      changes[progress_key] = dl.dump();
      spdlog::warn("notify: {} is a dead letter after {} attempt(s): {}", id, attempts,
                   sent.message());
    } else {
      json pr = {{"status", "retrying"},
                 {"attempts", attempts},
                 {"last_error", sent.message()},
                 {"next_attempt_at", wall + Backoff(options_, attempts)}};
      changes[progress_key] = pr.dump();
    }
  }
  auto committed = store_.Commit(changes, {}, {});
  return committed.ok() ? Status::Ok() : committed.status();
}

Result<std::vector<std::string>> Deliverer::Pending(size_t limit) const {
  std::vector<std::string> out;
  for (uint32_t p = 0; p < partitions_ && out.size() < limit; ++p) {
    std::vector<std::pair<std::string, json>> rows;
    CL_RETURN_IF_ERROR(
        engine::outbox::ForEachPending(store_, p, [&](std::string_view id, std::string_view v) {
          json d = json::parse(v, nullptr, false);
          if (!d.is_object()) return true;
          json row = {{"attempts", 0}};
          for (const char* f : {"id", "subscription", "record_id", "record_type", "ticket_id",
                                "channel", "created_at", "not_before", "urgent"}) {
            if (d.contains(f)) row[f] = d[f];
          }
          rows.emplace_back(std::string(id), std::move(row));
          return out.size() + rows.size() < limit;
        }));
    for (auto& [id, row] : rows) {  // the progress of those being retried
      CL_ASSIGN_OR_RETURN(auto progress, engine::outbox::ReadProgress(store_, p, id));
      json pr = progress ? json::parse(*progress, nullptr, false) : json();
      if (pr.is_object()) {
        row["attempts"] = pr.value("attempts", 0);
        row["last_error"] = pr.value("last_error", "");
        row["next_attempt_at"] = pr.value("next_attempt_at", int64_t{0});
      }
      out.push_back(row.dump());
    }
  }
  return out;
}

Result<std::vector<std::string>> Deliverer::DeadLetters() const {
  std::vector<std::string> out;
  for (uint32_t p = 0; p < partitions_; ++p) {
    CL_RETURN_IF_ERROR(
        engine::outbox::ForEachProgress(store_, p, [&](std::string_view, std::string_view v) {
          json j = json::parse(v, nullptr, false);
          if (j.is_object() && j.value("status", "") == "dead") out.emplace_back(v);
          return true;
        }));
  }
  return out;
}

Status Deliverer::Replay(const std::string& id) {
  bool found = false;
  {
    std::lock_guard lock(mu_);
    for (uint32_t p = 0; p < partitions_ && !found; ++p) {
      CL_ASSIGN_OR_RETURN(auto v, engine::outbox::ReadProgress(store_, p, id));
      if (!v) continue;
      json j = json::parse(*v, nullptr, false);
      if (!j.is_object() || j.value("status", "") != "dead") continue;
      engine::Changes changes;
      changes[engine::outbox::PendingKey(p, id)] = j["delivery"].dump();
      changes[engine::outbox::ProgressKey(p, id)] = std::nullopt;
      auto committed = store_.Commit(changes, {}, {});
      if (!committed.ok()) return committed.status();
      if (dead_letters_ > 0) --dead_letters_;
      found = true;
    }
  }
  if (!found) return NotFound("no dead letter " + id);
  spdlog::info("notify: dead letter {} replayed", id);
  Wake();
  return Status::Ok();
}

DelivererCounters Deliverer::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

std::string Deliverer::MetricsText() const {
  std::lock_guard lock(mu_);
  const int64_t now = engine_now_();
  double age = oldest_due_since_ == 0 ? 0 : std::max<int64_t>(0, now - oldest_due_since_) / 1000.0;
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, const std::string& v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + v + "\n";
  };
  metric("closeloop_notify_deliveries_total", "counter",
         "Notifications delivered (acknowledged by the receiver) since start.",
         std::to_string(counters_.delivered));
  metric("closeloop_notify_failures_total", "counter", "Delivery attempts that failed since start.",
         std::to_string(counters_.failures));
  metric("closeloop_notify_retries_total", "counter",
         "Delivery attempts after a delivery's first, since start.",
         std::to_string(counters_.retries));
  metric("closeloop_notify_dead_letters", "gauge",
         "Deliveries given up on, waiting for an administrator's replay.",
         std::to_string(dead_letters_));
  metric("closeloop_notify_pending", "gauge",
         "Deliveries in the outbox, including those held for working hours.",
         std::to_string(pending_));
  metric("closeloop_notify_oldest_undelivered_seconds", "gauge",
         "Engine-clock age of the oldest delivery due but not delivered (0: none).",
         std::to_string(age));
  return out;
}

}  // namespace closeloop::notify
