// Evidence files through the real pipeline: uploaded (size limit from Content-Length before
// the body is read, type read from the bytes), stored once under their SHA-256 beside the
// log, cited by a command as "sha256:<hex>" (an unknown or foreign file refused 422 naming
// `evidence`, nothing recorded), and served back only to their uploaders and to whoever may
// see a ticket whose accepted evidence cites them.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "events/hash.h"
#include "tests/api/api_fixture.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;

const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(2000, 'p');
const std::string kOtherPng = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(3000, 'q');
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(1000, 'j');

std::string Hex(const std::string& bytes) { return events::ToHex(events::Sha256Of(bytes)); }

// The stored files (not their uploaders' lists, not the temporary area).
std::vector<std::string> StoredFiles(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().parent_path().filename() == "tmp") continue;
    if (e.path().extension() == ".uploaders") continue;
    out.push_back(e.path().filename().string());
  }
  return out;
}

// Sends `head` alone on a new connection and returns what the server answers before closing.
std::string RawExchange(int port, const std::string& head) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size()));
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

Reply Upload(ApiFixture& api, const std::string& user, const std::string& bytes,
             const std::string& type) {
  return api.Call(user, "POST", "/v1/attachments", bytes, type);
}

// A fire ticket in Xuanwu taken to `rectifying` by its unit.
std::string RectifyingTicket(ApiFixture& api, const std::string& subject) {
  const std::string id = api.OpenFireTicket(subject);
  REQUIRE(api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "sign_for"}}).status == 200);
  Reply r = api.Post("fire", "/v1/tickets/" + id + "/actions", {{"verb", "order_rectification"}});
  REQUIRE(r.status == 200);
  REQUIRE(r.body["ticket"]["state"] == "rectifying");
  return id;
}

TEST_CASE("a photo is uploaded once under its SHA-256, and the bytes decide its type") {
  ApiFixture api("attachments", {"--max-attachment-bytes", "65536"});
  const fs::path store = api.dir / "data" / "attachments";
  Reply limits = api.Get("fire", "/v1/attachments/limits");
  REQUIRE(limits.status == 200);
  CHECK(limits.body["max_bytes"] == 65536);
  CHECK(limits.body["types"].size() == 4);

  Reply first = Upload(api, "fire", kPng, "image/png");
  REQUIRE(first.status == 201);
  CHECK(first.body["sha256"] == Hex(kPng));
  CHECK(first.body["ref"] == "sha256:" + Hex(kPng));
  CHECK(first.body["size"] == kPng.size());
  CHECK(first.body["type"] == "image/png");
  CHECK(first.body["created"] == true);
  // The same bytes again, from another unit: the same file, stored once.
  Reply again = Upload(api, "other", kPng, "image/png; charset=binary");
  REQUIRE(again.status == 200);
  CHECK(again.body["sha256"] == Hex(kPng));
  CHECK(again.body["created"] == false);
  CHECK(StoredFiles(store) == std::vector<std::string>{Hex(kPng)});
  std::ifstream in(store / Hex(kPng).substr(0, 2) / Hex(kPng), std::ios::binary);
  std::stringstream on_disk;
  on_disk << in.rdbuf();
  CHECK(on_disk.str() == kPng);

  // A declared type the bytes contradict, a type not accepted, no body: refused, and
  // nothing stored.
  Reply lie = Upload(api, "fire", kJpeg, "image/png");
  CHECK(lie.status == 422);
  CHECK(lie.body["error"]["code"] == "content_mismatch");
  CHECK(lie.body["error"]["message"] == "Content-Type says image/png but the bytes are a JPEG");
  Reply html = Upload(api, "fire", "<html><script>alert(1)</script></html>", "image/jpeg");
  CHECK(html.status == 422);
  CHECK(html.body["error"]["message"].get<std::string>().find("markup") != std::string::npos);
  Reply gif = Upload(api, "fire", "GIF89a....", "image/gif");
  CHECK(gif.status == 415);
  CHECK(gif.body["error"]["message"].get<std::string>().find("image/gif is not accepted") !=
        std::string::npos);
  CHECK(Upload(api, "fire", "", "image/png").status == 400);
  CHECK(StoredFiles(store).size() == 1);
  // Who may upload: the roles that act on tickets.
  CHECK(Upload(api, "auditor", kOtherPng, "image/png").status == 403);
  CHECK(Upload(api, "", kOtherPng, "image/png").status == 401);
}

TEST_CASE(
    "a file over the limit is refused with 413 before its body is read, and nothing is kept") {
  ApiFixture api("attachments-limit", {"--max-attachment-bytes", "65536"});
  const fs::path store = api.dir / "data" / "attachments";
  const std::string id = RectifyingTicket(api, "ent-xw-att-limit");
  const json before = api.Get("admin", "/v1/tickets/" + id).body["ticket"];
  // The head alone claims 65,537 bytes: answered at once, the body never sent.
  std::string answer = RawExchange(
      api.server.port(), "POST /v1/attachments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                             api.token("fire") +
                             "\r\nContent-Type: image/png\r\nContent-Length: 65537\r\n\r\n");
  CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  // At the limit exactly is fine; the other routes keep their own (smaller or larger) limit.
  std::string at_limit = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(65536 - 8, 'x');
  CHECK(Upload(api, "fire", at_limit, "image/png").status == 201);
  CHECK(StoredFiles(store) == std::vector<std::string>{Hex(at_limit)});
  const json after = api.Get("admin", "/v1/tickets/" + id).body["ticket"];
  CHECK(after["version"] == before["version"]);
  CHECK(after["history_length"] == before["history_length"]);
}

TEST_CASE(
    "evidence cites uploaded files: missing, malformed, unknown or foreign ones are refused "
    "naming the field, and the cited file is readable by whoever sees the ticket") {
  ApiFixture api("attachments-cite");
  const std::string id = RectifyingTicket(api, "ent-xw-att-cite");
  const std::string path = "/v1/tickets/" + id + "/actions";
  const uint64_t history = api.Get("fire", "/v1/tickets/" + id).body["ticket"]["history_length"];
  REQUIRE(Upload(api, "fire", kPng, "image/png").status == 201);
  REQUIRE(Upload(api, "other", kOtherPng, "image/png").status == 201);
  const std::string mine = "sha256:" + Hex(kPng), theirs = "sha256:" + Hex(kOtherPng);

  auto refused = [&](const json& body, const std::string& says) {
    Reply r = api.Post("fire", path, body);
    CHECK(r.status == 422);
    CHECK(r.body["error"]["field"] == "evidence");
    CHECK_MESSAGE(r.body["error"]["message"].get<std::string>().find(says) != std::string::npos,
                  r.body["error"]["message"]);
  };
  refused({{"verb", "submit_evidence"}, {"note", "done"}}, "evidence: required by submit_evidence");
  refused({{"verb", "submit_evidence"}, {"evidence", {"https://x.example/a.jpg"}}},
          "an uploaded file's reference");
  refused({{"verb", "submit_evidence"}, {"evidence", {"sha256:" + std::string(64, '0')}}},
          "no uploaded file sha256:" + std::string(64, '0'));
  // Another unit's upload, which no ticket this user sees cites: as if unknown.
  refused({{"verb", "submit_evidence"}, {"evidence", {mine, theirs}}},
          "no uploaded file " + theirs);
  CHECK(api.Get("fire", "/v1/tickets/" + id).body["ticket"]["history_length"] == history);

  // Before any ticket cites it, only its uploader reads it.
  const std::string file = "/v1/attachments/" + Hex(kPng);
  CHECK(api.Get("fire", file).status == 200);
  for (const char* user : {"emb", "other", "office", "auditor"}) {
    CAPTURE(user);
    CHECK(api.Get(user, file).status == 404);
  }
  Reply ok = api.Post("fire", path, {{"verb", "submit_evidence"}, {"evidence", {mine}}});
  REQUIRE(ok.status == 200);
  CHECK(ok.body["ticket"]["state"] == "reviewing");
  Reply t = api.Get("fire", "/v1/tickets/" + id);
  bool in_case_file = false;
  for (const auto& e : t.body["case_file"]) {
    if (e["relation"] == "evidence") in_case_file = e["content"]["evidence"] == json{mine};
  }
  CHECK(in_case_file);

  // Now whoever may see the ticket reads it: the assisting unit, the district's office,
  // the auditors; another district's unit still does not.
  for (const char* user : {"fire", "emb", "office", "auditor"}) {
    CAPTURE(user);
    Reply r = api.Get(user, file);
    REQUIRE(r.status == 200);
    CHECK(r.text == kPng);
  }
  Reply served = api.Get("emb", file);
  auto header = [&](const char* name) {
    auto it = served.headers.find(name);
    return it == served.headers.end() ? std::string() : it->second;
  };
  CHECK(header("Content-Type") == "image/png");
  CHECK(header("X-Content-Type-Options") == "nosniff");
  CHECK(header("Content-Disposition") ==
        "inline; filename=\"" + Hex(kPng).substr(0, 16) + ".png\"");
  CHECK(api.Get("other", file).status == 404);
  CHECK(api.Get("other", "/v1/attachments/" + Hex(kOtherPng)).status == 200);  // their own
  CHECK(api.Get("fire", "/v1/attachments/" + std::string(64, '0')).status == 404);
  CHECK(api.Get("fire", "/v1/attachments/" + Hex(kPng).substr(0, 63) + "G").status == 404);
}

}  // namespace
}  // namespace closeloop::testing
