// The city every notification test starts: the receivers first (a webhook receiver, an
// SMTP server when asked), then `closeloop serve` (ApiFixture: manual clock, the shipped
// reference data and workflows) with a --notify-config that names them. Shared by
// notify_test.cc and duty_test.cc.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "tests/api/api_fixture.h"
#include "tests/notify/notify_support.h"

namespace closeloop::testing {

namespace fs = std::filesystem;

inline const char* kKey = "a-shared-key-of-some-length";

// Receivers first (the config names them), then the server with --notify-config.
struct NotifyCity {
  fs::path dir;
  std::unique_ptr<Receiver> hook;
  std::unique_ptr<SmtpSink> smtp;
  std::string config;
  std::unique_ptr<ApiFixture> api;

  NotifyCity(const std::string& name, json options, bool with_smtp = false) {
    dir = fs::temp_directory_path() / ("cl-notify-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "mail");
    hook = std::make_unique<Receiver>(dir, kKey);
    if (with_smtp) {
      smtp = std::make_unique<SmtpSink>(dir);
      options["smtp"] = {{"url", "smtp://127.0.0.1:" + std::to_string(smtp->port())},
                         {"from", "closeloop@nanjing.example"}};
    }
    options["secrets"] = {{"provincial", kKey}};
    options["poll_ms"] = 50;
    config = WriteNotifyConfig(dir, options);
    api = std::make_unique<ApiFixture>("notify-" + name,
                                       std::vector<std::string>{"--notify-config", config});
  }
  ~NotifyCity() {
    api.reset();
    fs::remove_all(dir);
  }

  void Subscribe(json subscriptions, json contacts = json::object(), int version = 1) {
    json table = {{"version", version}, {"subscriptions", subscriptions}, {"contacts", contacts}};
    Reply r = api->Call("admin", "PUT", "/v1/admin/notify/subscriptions", table.dump());
    REQUIRE_MESSAGE(r.status == 201, r.text);
    REQUIRE(WaitFor(
        [&] {
          return api->Get("admin", "/v1/admin/notify/subscriptions").body.value("version", 0) ==
                 version;
        },
        10));
  }

  json Webhook(const std::string& id, json types, const std::string& urgency = "immediate") {
    return {{"id", id},
            {"match", {{"types", types}}},
            {"channel", "webhook"},
            {"urgency", urgency},
            {"url", hook->url() + "/hook"},
            {"secret", "provincial"},
            {"template", {{"zh", {{"subject", "{record_type}"}, {"body", "工单 {ticket_id}"}}}}}};
  }

  // A metric's value from /metrics (-1 when absent).
  double Metric(const std::string& name) {
    Reply r = api->Get("admin", "/metrics");
    size_t at = r.text.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(r.text.substr(at + name.size() + 2));
  }
};

// A critical combustible-gas alarm at ENT-00002 at `at`, posted by the IoT platform (user "iot").
inline void PublishAlarm(NotifyCity& city, int64_t at) {
  json alarm = {{"source", "iot-platform"},
                {"subject", "ENT-00002"},
                {"jurisdiction", "liuhe.getang.g02"},
                {"occurred_at", at},
                {"body_type", "SensorAlarm"},
                {"body",
                 {{"sensor_id", "GAS-7"},
                  {"measure", "combustible_gas"},
                  {"state", "alarm"},
                  {"level", "critical"},
                  {"value", 42.5},
                  {"threshold", 25.0}}}};
  Reply r = city.api->Post("iot", "/v1/events", alarm);
  REQUIRE_MESSAGE(r.status == 201, r.text);
}

inline size_t Keys(const Receiver& r) { return r.Stats().value("keys", json::object()).size(); }

}  // namespace closeloop::testing
