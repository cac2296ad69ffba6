// pg_bench's own PostgreSQL 15 server: initdb into a fresh directory, started on loopback
// (127.0.0.1, a port of its own) with the settings it is given, stopped and deleted by the
// destructor. PostgreSQL refuses to run as root: run as root, the server's commands run as
// the unprivileged user `nobody` (runuser -u nobody), which owns the directory.
// Not thread-safe except PssKb, which only reads /proc.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace closeloop::bench {

class PgServer {
 public:
  // `bin` holds initdb and pg_ctl (Debian: /usr/lib/postgresql/15/bin). Dies on failure,
  // with the server's log.
  static std::unique_ptr<PgServer> Start(const std::string& bin, const std::filesystem::path& dir,
                                         int port, const std::vector<std::string>& settings);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // libpq connection string for `db` over TCP on loopback.
  std::string ConnInfo(const std::string& db) const;
  const std::filesystem::path& dir() const { return dir_; }
  // Sum of the proportional set size (Pss, shared memory split among its users) of the
  // postmaster and its children, in kB: the server's memory without double-counting
  // shared_buffers.
  uint64_t PssKb() const;

 private:
  PgServer() = default;
  std::string bin_, as_user_;  // as_user_: "runuser -u nobody -- " when run as root
  std::filesystem::path dir_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace closeloop::bench
