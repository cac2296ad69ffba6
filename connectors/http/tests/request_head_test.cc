#include "connectors/http/request_head.h"

#include <doctest/doctest.h>

#include <string>

namespace closeloop::http {
namespace {

RequestFrame Scan(const std::string& bytes, const HeadLimits& limits = {}) {
  HeadScan scan;
  return ScanHead(bytes, limits, &scan);
}

TEST_CASE("a head is complete at its blank line, with its framing headers read") {
  std::string req = "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{\"a\": 1}";
  RequestFrame f = Scan(req);
  REQUIRE(f.state == RequestFrame::State::kHead);
  CHECK(f.head_end == req.find("\r\n\r\n") + 4);
  CHECK(f.content_length == 12);
  CHECK(f.header_count == 2);
  CHECK_FALSE(f.close);
  CHECK(Scan("GET / HTTP/1.0\r\n\r\n").close);
  CHECK(Scan("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").close);
  // Bare LF line ends, as httplib accepts them.
  CHECK(Scan("GET / HTTP/1.1\nHost: x\n\n").state == RequestFrame::State::kHead);
}

TEST_CASE("a head arriving a byte at a time is looked at once, and completes") {
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
  HeadScan scan;
  RequestFrame f;
  for (size_t i = 1; i <= req.size(); ++i) {
    f = ScanHead(std::string_view(req).substr(0, i), {}, &scan);
    if (i < req.size()) CHECK(f.state == RequestFrame::State::kIncomplete);
  }
  CHECK(f.state == RequestFrame::State::kHead);
  CHECK(scan.pos == req.size());
}

TEST_CASE("too many headers, too many header bytes or too long a target answer 431 or 414") {
  HeadLimits limits{.max_head_bytes = 1024, .max_header_count = 3};
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 4; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  // Refused as soon as the fourth header line ends, without waiting for the blank line.
  RequestFrame f = Scan(many, limits);
  CHECK(f.state == RequestFrame::State::kError);
  CHECK(f.status == 431);
  std::string big = "GET / HTTP/1.1\r\nX: " + std::string(2000, 'a');
  CHECK(Scan(big, limits).status == 431);
  std::string target = "GET /" + std::string(9000, 'a');
  CHECK(Scan(target).status == 414);
}

TEST_CASE("bodies over the limit, chunked bodies and conflicting lengths are refused") {
  HeadLimits limits{.max_body_bytes = 100};
  CHECK(Scan("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", limits).status == 413);
  CHECK(Scan("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").status == 411);
  CHECK(Scan("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").status == 400);
  CHECK(Scan("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").status == 400);
  CHECK(Scan("POST / HTTP/1.1\r\nExpect: something\r\n\r\n").status == 417);
  RequestFrame e = Scan("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  CHECK(e.expect_continue);
  CHECK(e.expect_line_begin == 17);
}

TEST_CASE("only a POST to the upload path may carry up to the upload limit") {
  HeadLimits limits{.max_body_bytes = 100};
  limits.max_upload_bytes = 1000;
  limits.upload_path = "/v1/attachments";
  auto post = [&](const std::string& target, int length) {
    return Scan(
        "POST " + target + " HTTP/1.1\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n",
        limits);
  };
  CHECK(post("/v1/attachments", 1000).state == RequestFrame::State::kHead);
  CHECK(post("/v1/attachments?x=1", 1000).state == RequestFrame::State::kHead);
  CHECK(post("/v1/attachments", 1001).status == 413);
  CHECK(post("/v1/attachmentsX", 101).status == 413);
  CHECK(post("/v1/attachments/abc", 101).status == 413);
  CHECK(post("/v1/events", 101).status == 413);
  CHECK(Scan("PUT /v1/attachments HTTP/1.1\r\nContent-Length: 101\r\n\r\n", limits).status == 413);
  CHECK(limits.BodyCap() == 1000);
}

}  // namespace
}  // namespace closeloop::http
