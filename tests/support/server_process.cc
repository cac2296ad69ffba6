#include "tests/support/server_process.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace closeloop::testing {

using Clock = std::chrono::steady_clock;

ServerProcess::~ServerProcess() { Stop(); }

Status ServerProcess::Start(const std::string& binary, const std::vector<std::string>& args,
                            const std::string& log, std::chrono::seconds limit) {
  log_ = log;
  port_ = 0;  // a restart finds its new port in its (new) log
  pid_ = ::fork();
  if (pid_ < 0) return IOError("fork failed");
  if (pid_ == 0) {
    // If the test dies (a crash, a signal), the server goes with it instead of lingering.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    std::string bin = binary;
    argv.push_back(bin.data());
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  const auto deadline = Clock::now() + limit;
  const std::regex serving(R"(serving https?://[^:\s]+:(\d+))");
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Unavailable("server exited during start; see " + log);
    }
    if (port_ == 0) {
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      std::smatch m;
      std::string s = text.str();
      if (std::regex_search(s, m, serving)) port_ = std::stoi(m[1]);
    }
    if (port_ != 0) {
      httplib::Client client("127.0.0.1", port_);
      auto r = client.Get("/readyz");
      if (r && r->status == 200) return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Unavailable("server not ready in time; see " + log);
}

int ServerProcess::Stop(std::chrono::seconds limit) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + limit;
  int status = 0;
  for (;;) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) break;
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Result<std::string> ServerProcess::WaitForGet(const std::string& path,
                                              std::chrono::milliseconds limit) const {
  httplib::Client client("127.0.0.1", port_);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string last = "no answer";
  for (;;) {
    auto r = client.Get(path);
    if (r && r->status == 200) return r->body;
    last = r ? "HTTP " + std::to_string(r->status) : httplib::to_string(r.error());
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(Code::kDeadlineExceeded, "GET " + path + ": " + last);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace closeloop::testing
