// What the token checks stand on, tested directly: which query parameters are secrets and
// how a logged URL is redacted, who counts as loopback, stream tickets (one use, 60 s, 16 per
// token), token expiry and rotation in the store, and a user store that cannot be read
// reported as an error, never as "no users" (which made the server mint a new admin).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "connectors/http/auth.h"
#include "connectors/http/secrets.h"
#include "connectors/http/stream_tickets.h"
#include "connectors/rocksdb/rocks_db.h"

namespace closeloop::http {
namespace {

namespace fs = std::filesystem;

TEST_CASE("credential query parameters are found and redacted, however they are spelled") {
  CHECK(QueryHas("/v1/me?access_token=abc", "access_token"));
  CHECK(QueryHas("/v1/me?x=1&acc%65ss_token=abc", "access_token"));
  CHECK(QueryHas("/v1/me?x=1&access_token", "access_token"));
  CHECK_FALSE(QueryHas("/v1/me?x=access_token", "access_token"));
  CHECK_FALSE(QueryHas("/v1/access_token", "access_token"));
  CHECK_FALSE(QueryHas("/v1/me?my_access_token=1", "access_token"));

  CHECK(RedactTarget("/v1/me?access_token=clt_secret&x=1") == "/v1/me?access_token=[redacted]&x=1");
  CHECK(RedactTarget("/v1/stream?stream_ticket=cls_1&last_event_id=9") ==
        "/v1/stream?stream_ticket=[redacted]&last_event_id=9");
  CHECK(RedactTarget("/a?ACCESS_TOKEN=s1&Api_Key=s2&token=s3&password=s4&secret=s5") ==
        "/a?ACCESS_TOKEN=[redacted]&Api_Key=[redacted]&token=[redacted]&password=[redacted]&"
        "secret=[redacted]");
  CHECK(RedactTarget("/a?acc%65ss_token=s1;api_key=s2") ==
        "/a?acc%65ss_token=[redacted];api_key=[redacted]");
  CHECK(RedactTarget("/a?q=access_token&limit=5") == "/a?q=access_token&limit=5");
  CHECK(RedactTarget("/v1/tickets/T1") == "/v1/tickets/T1");
  CHECK(RedactTarget("/a?access_token=") == "/a?access_token=");
  CHECK(RedactTarget("/a?access_token=s#frag") == "/a?access_token=[redacted]#frag");
}

TEST_CASE("loopback is 127.0.0.0/8, ::1 and IPv4-mapped 127.x; nothing else") {
  for (const char* a : {"127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.1"}) {
    CHECK_MESSAGE(IsLoopbackAddress(a), a);
  }
  for (const char* a : {"192.0.2.2", "10.0.0.1", "0.0.0.0", "128.0.0.1", "::ffff:192.0.2.2",
                        "fe80::1", "::", "", "localhost", "127.0.0.1 ", "::ffff:7f00:1x"}) {
    CHECK_MESSAGE(!IsLoopbackAddress(a), a);
  }
}

TEST_CASE("a stream ticket is spent by its first use and dies after 60 s or with its token") {
  StreamTickets tickets;
  const int64_t now = 1'000'000, token_expiry = now + 3'600'000;
  auto t = tickets.Issue("hash-a", token_expiry, now);
  REQUIRE(t.ok());
  CHECK(t->expires_at == now + 60'000);
  CHECK(t->ticket.rfind("cls_", 0) == 0);
  std::string why;
  auto first = tickets.Redeem(t->ticket, now + 1, &why);
  REQUIRE(first);
  CHECK(*first == "hash-a");
  CHECK_FALSE(tickets.Redeem(t->ticket, now + 2, &why));
  CHECK(why.find("already used") != std::string::npos);

  auto late = tickets.Issue("hash-a", token_expiry, now);
  REQUIRE(late.ok());
  CHECK_FALSE(tickets.Redeem(late->ticket, now + 60'000, &why));
  CHECK(why.find("expired") != std::string::npos);

  // Never longer than the token that asked for it.
  auto capped = tickets.Issue("hash-b", now + 5'000, now);
  REQUIRE(capped.ok());
  CHECK(capped->expires_at == now + 5'000);
  CHECK_FALSE(tickets.Redeem(capped->ticket, now + 5'000, &why));

  // At most 16 unused per token; using or outliving them frees room.
  std::vector<std::string> held;
  for (size_t i = 0; i < StreamTickets::kMaxPerToken; ++i) {
    auto x = tickets.Issue("hash-c", token_expiry, now);
    REQUIRE(x.ok());
    held.push_back(x->ticket);
  }
  auto over = tickets.Issue("hash-c", token_expiry, now);
  CHECK(over.status().code() == Code::kResourceExhausted);
  CHECK(tickets.Issue("hash-d", token_expiry, now).ok());  // another token is not affected
  CHECK(tickets.Redeem(held[0], now, &why));
  CHECK(tickets.Issue("hash-c", token_expiry, now).ok());
  CHECK(tickets.Issue("hash-c", token_expiry, now + 60'000).ok());  // the rest expired
}

struct Store {
  explicit Store(const std::string& name) {
    dir = fs::temp_directory_path() / ("cl-sec-auth-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    Open();
  }
  ~Store() {
    db.reset();
    fs::remove_all(dir);
  }
  void Open() {
    auto d = rocks::RocksDb::Open(dir.string(), {.sync = false});
    REQUIRE_MESSAGE(d.ok(), d.status().ToString());
    db = std::move(*d);
  }
  fs::path dir;
  std::unique_ptr<rocks::RocksDb> db;
};

TEST_CASE("tokens expire at their instant; rotation replaces one in a single write") {
  Store s("expiry");
  AuthStore auth(*s.db);
  REQUIRE(
      auth.PutUser({.name = "fire", .role = Role::kStaff, .department = "nj.xuanwu.fire"}).ok());
  const int64_t now = 1'772'413'200'000;
  CHECK(auth.IssueToken("fire", "x", now, 999).status().code() == Code::kInvalidArgument);
  CHECK(auth.IssueToken("fire", "x", now, kMaxTokenLifetimeMs + 1).status().code() ==
        Code::kInvalidArgument);
  auto t = auth.IssueToken("fire", "laptop", now, 10'000);
  REQUIRE(t.ok());
  auto good = auth.Authenticate(t->token, now + 9'999);
  REQUIRE(good.ok());
  CHECK(good->user);
  CHECK(good->token.id == t->info.id);
  auto expired = auth.Authenticate(t->token, now + 10'000);
  REQUIRE(expired.ok());
  CHECK_FALSE(expired->user);
  CHECK(expired->refusal.find("expired at") != std::string::npos);
  CHECK(expired->refusal.find(t->token) == std::string::npos);
  auto unknown = auth.Authenticate("clt_not-a-token-at-all", now);
  REQUIRE(unknown.ok());
  CHECK(unknown->refusal == "unknown or revoked token");

  auto r = auth.RotateToken(t->hash, now + 5'000);
  REQUIRE(r.ok());
  CHECK(r->info.label == "laptop");
  CHECK(r->info.expires_at == now + 15'000);  // the same lifetime, from now
  CHECK_FALSE(auth.Authenticate(t->token, now + 5'001)->user);
  CHECK(auth.Authenticate(r->token, now + 5'001)->user);
  CHECK(auth.RotateToken(t->hash, now + 5'002).status().code() == Code::kNotFound);
  CHECK(auth.RotateToken(r->hash, now + 15'000).status().code() == Code::kFailedPrecondition);

  // A token stored before tokens had an expiry lasts the default 90 days from its issue.
  const std::string legacy = "clt_legacy-token-from-an-older-server";
  const std::string hash = AuthStore::TokenHash(legacy);
  rocksdb::WriteBatch batch;
  batch.Put(
      s.db->family("meta"), "auth/token/" + hash,
      nlohmann::json(
          {{"id", hash.substr(0, 16)}, {"user", "fire"}, {"label", "old"}, {"created_at", now}})
          .dump());
  REQUIRE(s.db->Write(&batch, true).ok());
  CHECK(auth.Authenticate(legacy, now + kDefaultTokenLifetimeMs - 1)->user);
  CHECK_FALSE(auth.Authenticate(legacy, now + kDefaultTokenLifetimeMs)->user);
}

TEST_CASE("a user store that cannot be read is an error, not an empty store") {
  Store s("scan");
  {
    AuthStore auth(*s.db);
    auto empty = auth.empty();
    REQUIRE(empty.ok());
    CHECK(*empty);
    REQUIRE(auth.PutUser({.name = "admin", .role = Role::kAdmin}).ok());
    CHECK_FALSE(*auth.empty());
    rocksdb::FlushOptions flush;
    REQUIRE(s.db->db()->Flush(flush, s.db->family("meta")).ok());
  }
  s.db.reset();
  // Damage the data block of every table file (it starts the file; the footer and index
  // that opening reads are at the end), as a bad disk would.
  int damaged = 0;
  for (const auto& f : fs::directory_iterator(s.dir)) {
    if (f.path().extension() != ".sst") continue;
    std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(16, '\xA5');
    io.seekp(8);
    io.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    ++damaged;
  }
  REQUIRE(damaged > 0);
  s.Open();
  AuthStore auth(*s.db);
  auto empty = auth.empty();
  // Before: the scan's error was dropped and this answered "no users", and BootstrapAdmin
  // created a new administrator with a new token over the old data.
  CHECK_FALSE(empty.ok());
  if (!empty.ok()) CHECK(empty.status().code() == Code::kCorruption);
}

}  // namespace
}  // namespace closeloop::http
