#include "tests/demo/cli.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace closeloop::testing {

namespace fs = std::filesystem;

DemoCli::DemoCli(const std::string& name)
    : root(fs::temp_directory_path() / ("cl-" + name + "-" + std::to_string(::getpid()))) {
  fs::remove_all(root);
  fs::create_directories(root);
  err = (root / "stderr.log").string();
}

DemoCli::~DemoCli() { fs::remove_all(root); }

ChildRun DemoCli::Run(std::vector<std::string> args) {
  args.insert(args.begin(), CLOSELOOP_BIN);
  fs::remove(err);
  auto r = RunChild(args, err, std::nullopt, std::chrono::seconds(120));
  REQUIRE(r.ok());
  return *r;
}

std::string DemoCli::Stderr() const {
  std::ifstream in(err);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<nlohmann::json> DemoCli::Tickets(const std::string& data) {
  ChildRun r = Run({"tickets", "--data", data, "--json", "--limit", "1000000"});
  REQUIRE(r.exit_code == 0);
  std::vector<nlohmann::json> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

int64_t ShanghaiMs(int y, int m, int d, int hh) {
  using namespace std::chrono;
  const sys_days day = year{y} / m / d;
  return duration_cast<milliseconds>(day.time_since_epoch()).count() + (hh - 8) * 3600'000LL;
}

}  // namespace closeloop::testing
