#include "bench/pg_server.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/engine_bench_support.h"

namespace closeloop::bench {

namespace fs = std::filesystem;

namespace {

int Run(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

uint64_t FieldKb(const std::string& text, const std::string& field) {
  size_t at = text.find(field + ":");
  return at == std::string::npos ? 0
                                 : std::strtoull(text.c_str() + at + field.size() + 1, nullptr, 10);
}

}  // namespace

std::unique_ptr<PgServer> PgServer::Start(const std::string& bin, const fs::path& dir, int port,
                                          const std::vector<std::string>& settings) {
  std::unique_ptr<PgServer> s(new PgServer);
  s->bin_ = bin;
  s->dir_ = dir;
  s->port_ = port;
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("nobody");
    if (pw == nullptr) Die("running as root and there is no user nobody to run PostgreSQL as");
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) Die("cannot chown " + dir.string());
    s->as_user_ = "runuser -u nobody -- ";
  }
  const fs::path data = dir / "data", log = dir / "server.log";
  if (Run(s->as_user_ + bin + "/initdb -D " + data.string() +
          " -U postgres -A trust -E UTF8 --locale=C.UTF-8 > " + (dir / "initdb.log").string() +
          " 2>&1") != 0) {
    Die("initdb failed:\n" + ReadFile(dir / "initdb.log"));
  }
  {
    std::ofstream conf(data / "postgresql.conf", std::ios::app);
    conf << "\n# pg_bench (docs/performance.md says why each)\n";
    conf << "listen_addresses = '127.0.0.1'\nport = " << port << "\n";
    conf << "unix_socket_directories = '" << dir.string() << "'\n";
    for (const auto& line : settings) conf << line << "\n";
    if (!conf) Die("cannot write postgresql.conf");
  }
  if (Run(s->as_user_ + bin + "/pg_ctl -D " + data.string() + " -l " + log.string() +
          " -w -t 120 start > /dev/null 2>&1") != 0) {
    Die("pg_ctl start failed:\n" + ReadFile(log));
  }
  s->running_ = true;
  return s;
}

PgServer::~PgServer() {
  if (running_) {
    Run(as_user_ + bin_ + "/pg_ctl -D " + (dir_ / "data").string() +
        " -m fast -w -t 120 stop > /dev/null 2>&1");
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgServer::ConnInfo(const std::string& db) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db;
}

uint64_t PgServer::PssKb() const {
  std::ifstream pidfile(dir_ / "data" / "postmaster.pid");
  long postmaster = 0;
  if (!(pidfile >> postmaster)) return 0;
  uint64_t total =
      FieldKb(ReadFile("/proc/" + std::to_string(postmaster) + "/smaps_rollup"), "Pss");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadFile(e.path() / "stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == postmaster) total += FieldKb(ReadFile(e.path() / "smaps_rollup"), "Pss");
  }
  return total;
}

}  // namespace closeloop::bench
