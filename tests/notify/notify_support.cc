#include "tests/notify/notify_support.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace closeloop::testing {

namespace fs = std::filesystem;

bool WaitFor(const std::function<bool()>& done, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

Helper::Helper(const fs::path& dir, const std::string& name, const std::string& script,
               std::vector<std::string> args) {
  const fs::path port_file = dir / (name + ".port");
  const std::string log = (dir / (name + ".log")).string();
  fs::remove(port_file);
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   std::string(CLOSELOOP_SOURCE_DIR) + "/tests/notify/" + script,
                                   "--port-file", port_file.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("fork failed");
  bool up = WaitFor([&] { return fs::exists(port_file); }, 10);
  if (!up) throw std::runtime_error(name + " did not start; see " + log);
  std::ifstream in(port_file);
  in >> port_;
}

Helper::~Helper() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

Receiver::Receiver(const fs::path& dir, const std::string& secret)
    : Helper(dir, "receiver", "receiver.py", {"--secret", secret}) {}

nlohmann::json Receiver::Stats() const {
  httplib::Client c("127.0.0.1", port());
  auto r = c.Get("/");
  if (!r || r->status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(r->body);
}

void Receiver::Mode(const std::string& mode, int fail) const {
  httplib::Client c("127.0.0.1", port());
  auto r =
      c.Post("/control", nlohmann::json{{"mode", mode}, {"fail", fail}}.dump(), "application/json");
  if (!r || r->status != 200) throw std::runtime_error("receiver /control failed");
}

SmtpSink::SmtpSink(const fs::path& dir)
    : Helper(dir, "smtp", "smtp_sink.py", {"--out", (dir / "mail").string()}), out_(dir / "mail") {}

std::vector<nlohmann::json> SmtpSink::Messages() const {
  std::vector<nlohmann::json> out;
  for (int n = 1;; ++n) {
    std::ifstream in(out_ / (std::to_string(n) + ".json"));
    if (!in) break;
    std::stringstream s;
    s << in.rdbuf();
    out.push_back(nlohmann::json::parse(s.str()));
  }
  return out;
}

std::string WriteNotifyConfig(const fs::path& dir, const nlohmann::json& config) {
  fs::path p = dir / "notify.json";
  std::ofstream(p) << config.dump(2);
  return p.string();
}

}  // namespace closeloop::testing
