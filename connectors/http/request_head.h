// Framing of an HTTP/1.1 request as bytes arrive, before any worker sees it: where the head
// ends, whether it is within the limits (header count and bytes), and how long the body is
// (Content-Length; chunked request bodies are refused, 411). The connection front (front.h)
// uses it to hand workers only complete requests; httplib parses them again on the worker.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace closeloop::http {

struct HeadLimits {
  size_t max_head_bytes = 32 << 10;  // request line + headers + the blank line
  size_t max_header_count = 64;      // as the API's own check (api.h)
  size_t max_body_bytes = 4 << 20;
  size_t max_request_line = 8192;  // httplib refuses longer targets (414) anyway
  // A POST to `upload_path` (with or without a query) may carry up to max_upload_bytes
  // instead (file uploads: POST /v1/attachments); 0: no such exception.
  size_t max_upload_bytes = 0;
  std::string upload_path;
  size_t BodyCap() const { return std::max(max_body_bytes, max_upload_bytes); }
};

// The body limit of a request whose request line is `request_line` ("POST /path HTTP/1.1").
size_t BodyLimitFor(std::string_view request_line, const HeadLimits& limits);

struct RequestFrame {
  enum class State { kIncomplete, kHead, kError };
  State state = State::kIncomplete;
  int status = 0;  // with kError: the answer (400, 411, 413, 414, 417, 431)
  const char* reason = "";
  size_t head_begin = 0;  // with kHead: blank lines before the request line (to drop)
  size_t head_end = 0;    // with kHead: where the head ends, its blank line included
  size_t header_count = 0;
  uint64_t content_length = 0;
  bool expect_continue = false;                       // "Expect: 100-continue"
  size_t expect_line_begin = 0, expect_line_end = 0;  // that header line, to drop it
  bool close = false;                                 // "Connection: close" or HTTP/1.0
};

// Where ScanHead stopped: it resumes there, so each byte of a head trickled in one byte at a
// time is looked at once. Reset it (= {}) for the connection's next request.
struct HeadScan {
  size_t pos = 0;         // bytes looked at
  size_t line_start = 0;  // where the current line began
  size_t lines = 0;       // complete lines so far (the request line included)
  size_t head_begin = 0;  // after blank lines before the request line
};

// Looks at the start of `buf` (a connection's bytes since its last request). kIncomplete:
// wait for more (the head so far is within the limits); kHead: the head is complete and
// valid as far as framing goes; kError: answer `status` and close.
RequestFrame ScanHead(std::string_view buf, const HeadLimits& limits, HeadScan* scan);

}  // namespace closeloop::http
