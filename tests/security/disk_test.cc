// Issue 13, part 4: a full disk. It used to abort the server (and every restart, until space
// was freed), answer later write failures 500, and keep `log verify` / `log dump` from
// running on a full disk or beside a server. Here the disk really fills: a small filesystem
// made for the test (tmpfs, else an ext4 loop device), filled with a file until ENOSPC.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/security/net_support.h"
#include "tests/support/server_process.h"

// httplib after the support headers: its client is what a publisher would use.
#include <httplib.h>

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A filesystem of `mib` MiB mounted at `dir`, unmounted at the end; `how` says which kind,
// or why none could be made.
struct SmallFs {
  fs::path dir, image;
  std::string how;
  bool mounted = false;

  SmallFs(const fs::path& at, int mib) : dir(at) {
    fs::create_directories(dir);
    std::string size = "size=" + std::to_string(mib) + "m";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, size.c_str()) == 0) {
      mounted = true;
      how = "tmpfs of " + std::to_string(mib) + " MiB";
      return;
    }
    std::string tmpfs_error = std::strerror(errno);
    image = dir.string() + ".img";
    std::string make = "truncate -s " + std::to_string(mib) + "M " + image.string() +
                       " && mkfs.ext4 -q -F " + image.string() +
                       " >/dev/null 2>&1 && mount -o loop " + image.string() + " " + dir.string() +
                       " >/dev/null 2>&1";
    if (std::system(make.c_str()) == 0) {
      mounted = true;
      how = "ext4 loop device of " + std::to_string(mib) + " MiB";
      return;
    }
    how = "cannot mount a tmpfs (" + tmpfs_error +
          ") nor an ext4 loop device (needs root, mkfs.ext4 and /dev/loop*); RocksDB's "
          "fault-injection Env is not in Debian's librocksdb-dev";
  }
  ~SmallFs() {
    if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
    if (!image.empty()) fs::remove(image);
  }
};

// Fills the filesystem holding `path` with a file until the kernel says ENOSPC.
void Fill(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  std::string block(1 << 20, 'f');
  for (size_t size : {size_t(1) << 20, size_t(4096), size_t(1)}) {
    while (::write(fd, block.data(), size) == static_cast<ssize_t>(size)) {
    }
  }
  CHECK(errno == ENOSPC);
  ::close(fd);
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `closeloop ARGS` with its output; the exit code in `*code`.
std::string Run(const std::string& args, int* code) {
  std::string out;
  FILE* p = ::popen((std::string(CLOSELOOP_BIN) + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return out;
}

struct Publisher {
  int port;
  std::string token;
  int next = 0;
  httplib::Headers headers() const { return {{"Authorization", "Bearer " + token}}; }
  // Publishes event number `next`; its status (0: no answer) and Retry-After.
  std::pair<int, std::string> Publish() {
    json ev = {
        {"source", "hotline-12345"},
        {"subject", "ent-xw-001"},
        {"jurisdiction", "xuanwu.meiyuan"},
        {"occurred_at", 1772413200000 + next * 1000},
        {"body_type", "HazardReport"},
        {"body",
         {{"category", "fire_safety"},
          {"severity", "general"},
          {"description", "disk-event-" + std::to_string(next) + "-" + std::string(500, 'd')}}}};
    ++next;
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    auto r = c.Post("/v1/events", headers(), ev.dump(), "application/json");
    if (!r) return {0, ""};
    return {r->status, r->get_header_value("Retry-After")};
  }
};

// The events of `published` (numbers answered 201) are each in the log once, and no other.
void CheckLog(const fs::path& data, const std::set<int>& published, int tried) {
  int code = 0;
  std::string dump = Run("log dump --data " + data.string(), &code);
  REQUIRE_MESSAGE(code == 0, dump);
  for (int i = 0; i < tried; ++i) {
    std::string needle = "disk-event-" + std::to_string(i) + "-";
    size_t at = dump.find(needle), count = 0;
    for (; at != std::string::npos; at = dump.find(needle, at + 1)) ++count;
    CHECK_MESSAGE(count == (published.count(i) ? 1u : 0u),
                  "event " << i << " is there " << count << " times");
  }
  std::string verify = Run("log verify --data " + data.string(), &code);
  CHECK_MESSAGE(code == 0, verify);
  CHECK(verify.rfind("ok: ", 0) == 0);
}

// Publishes until an answer is `want` (or `limit` passes); the events answered 201 go in
// `published`. True if `want` came.
bool PublishUntil(Publisher& pub, int want, std::set<int>* published, std::chrono::seconds limit,
                  std::string* retry_after = nullptr) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    int n = pub.next;
    auto [status, retry] = pub.Publish();
    if (status == 201) published->insert(n);
    if (status == want) {
      if (retry_after) *retry_after = retry;
      return true;
    }
    if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

TEST_CASE(
    "a full disk: 507 and nothing half-written, reads go on, writes resume; a restart "
    "on a full disk serves read-only, and log verbs run beside it") {
  const fs::path dir = fs::temp_directory_path() / ("cl-disk-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  SmallFs small(dir / "mnt", 64);
  if (!small.mounted) {
    MESSAGE("SKIPPED: no small filesystem to fill: " << small.how);
    fs::remove_all(dir);
    return;
  }
  std::printf("full disk: on a %s\n", small.how.c_str());
  const fs::path data = small.dir / "data", filler = small.dir / "filler";
  const std::string log = (dir / "server.log").string();
  std::vector<std::string> args = {"serve",       "--data",  data.string(), "--http",
                                   "127.0.0.1:0", "--clock", "manual"};
  auto server = std::make_unique<ServerProcess>();
  Status s = server->Start(CLOSELOOP_BIN, args, log);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::string admin = ReadAll(data / "admin-token");
  admin.pop_back();
  httplib::Client c("127.0.0.1", server->port());
  httplib::Headers as_admin = {{"Authorization", "Bearer " + admin}};
  json user = {{"name", "hotline"},
               {"role", "publisher"},
               {"agency", "hotline-12345"},
               {"event_types", {"HazardReport"}}};
  REQUIRE(c.Post("/v1/admin/users", as_admin, user.dump(), "application/json")->status == 201);
  auto t =
      c.Post("/v1/admin/users/hotline/tokens", as_admin, R"({"label": "t"})", "application/json");
  REQUIRE(t->status == 201);
  Publisher pub{server->port(), json::parse(t->body)["token"]};
  std::set<int> published;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(pub.Publish().first == 201);
    published.insert(i);
  }

  // The disk fills: the next appends answer 507 with Retry-After, and are not in the log.
  Fill(filler);
  std::string retry;
  REQUIRE(PublishUntil(pub, 507, &published, std::chrono::seconds(60), &retry));
  CHECK(retry == "30");
  for (int i = 0; i < 3; ++i) CHECK(pub.Publish().first == 507);
  std::printf("full disk: %zu events accepted, then 507 (Retry-After %s)\n", published.size(),
              retry.c_str());
  // Still up; reads work; the read-only verbs run beside it, on the full disk.
  CHECK(c.Get("/healthz")->status == 200);
  CHECK(c.Get("/v1/tickets", as_admin)->status == 200);
  CheckLog(data, published, pub.next);

  // Space returns: the server reopens the database by itself (same address) and appends
  // resume, no restart.
  fs::remove(filler);
  auto freed = std::chrono::steady_clock::now();
  REQUIRE(PublishUntil(pub, 201, &published, std::chrono::seconds(20)));
  std::printf("full disk: appends resumed %.1f s after space was freed\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - freed).count());
  CHECK(pub.Publish().first == 201);
  published.insert(pub.next - 1);
  CHECK(server->Stop() == 0);

  // A restart on a full disk: it serves, read-only, instead of aborting. With the guard on
  // (16 MiB kept free).
  args.back() = "16";
  Fill(filler);
  server = std::make_unique<ServerProcess>();
  s = server->Start(CLOSELOOP_BIN, args, log);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(ReadAll(log).find("READ-ONLY (disk full)") != std::string::npos);
  httplib::Client c2("127.0.0.1", server->port());
  CHECK(c2.Get("/v1/tickets", as_admin)->status == 200);
  pub.port = server->port();
  auto [status, retry2] = pub.Publish();
  CHECK(status == 507);
  CheckLog(data, published, pub.next);
  // And reopens for writing by itself once space is freed.
  fs::remove(filler);
  freed = std::chrono::steady_clock::now();
  REQUIRE(PublishUntil(pub, 201, &published, std::chrono::seconds(20)));
  std::printf("full disk: a server started read-only took writes %.1f s after space was freed\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - freed).count());
  // The guard: a full disk again is refused before RocksDB runs out, and writes resume as
  // soon as space is freed.
  Fill(filler);
  REQUIRE(PublishUntil(pub, 507, &published, std::chrono::seconds(10)));
  fs::remove(filler);
  REQUIRE(PublishUntil(pub, 201, &published, std::chrono::seconds(5)));
  CHECK(server->Stop() == 0);
  CheckLog(data, published, pub.next);
  server.reset();
  fs::remove_all(data);
}

}  // namespace
}  // namespace closeloop::testing
