// What the notification tests run beside `closeloop serve`: a webhook receiver and an SMTP
// server, real processes started by the test (tests/notify/receiver.py, smtp_sink.py on
// Debian's python3 and python3-aiosmtpd), and the server's --notify-config file.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace closeloop::testing {

// A helper process, killed (SIGKILL) and reaped when destroyed.
class Helper {
 public:
  // Runs /usr/bin/python3 SCRIPT args..., output to DIR/NAME.log, and waits (at most 10 s)
  // for the port it writes to DIR/NAME.port.
  Helper(const std::filesystem::path& dir, const std::string& name, const std::string& script,
         std::vector<std::string> args);
  ~Helper();
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// The webhook receiver (receiver.py) with the shared key `secret`.
class Receiver : public Helper {
 public:
  Receiver(const std::filesystem::path& dir, const std::string& secret);
  nlohmann::json Stats() const;                            // GET /
  void Mode(const std::string& mode, int fail = 0) const;  // POST /control
};

// The SMTP server (smtp_sink.py); each message received is OUT/<n>.json.
class SmtpSink : public Helper {
 public:
  explicit SmtpSink(const std::filesystem::path& dir);
  std::vector<nlohmann::json> Messages() const;

 private:
  std::filesystem::path out_;
};

// Writes a --notify-config file and returns its path.
std::string WriteNotifyConfig(const std::filesystem::path& dir, const nlohmann::json& config);

// Polls `done` every 20 ms for at most `seconds`; true when it held.
bool WaitFor(const std::function<bool()>& done, double seconds);

}  // namespace closeloop::testing
