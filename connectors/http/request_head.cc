#include "connectors/http/request_head.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace closeloop::http {
namespace {

RequestFrame Error(int status, const char* reason) {
  RequestFrame f;
  f.state = RequestFrame::State::kError;
  f.status = status;
  f.reason = reason;
  return f;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IContains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (IEquals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// The head is complete: read what framing needs from its header lines.
RequestFrame ParseHead(std::string_view head, size_t begin, const HeadLimits& limits) {
  RequestFrame f;
  f.state = RequestFrame::State::kHead;
  f.head_begin = begin;
  f.head_end = head.size();
  size_t eol = head.find('\n', begin);
  std::string_view request_line = Trim(head.substr(begin, eol - begin));
  if (request_line.size() > limits.max_request_line) return Error(414, "URI Too Long");
  if (request_line.find(' ') == std::string_view::npos) return Error(400, "Bad Request");
  if (request_line.ends_with("HTTP/1.0")) f.close = true;
  bool has_length = false;
  size_t at = eol + 1;
  while (at < head.size()) {
    size_t end = head.find('\n', at);
    std::string_view line = head.substr(at, end - at);
    size_t line_begin = at;
    at = end + 1;
    if (Trim(line).empty()) break;
    ++f.header_count;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Error(400, "Bad Request");
    std::string_view name = line.substr(0, colon), value = Trim(line.substr(colon + 1));
    if (IEquals(name, "Content-Length")) {
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size()) return Error(400, "Bad Request");
      if (has_length && n != f.content_length) return Error(400, "Bad Request");
      has_length = true;
      f.content_length = n;
    } else if (IEquals(name, "Transfer-Encoding")) {
      // Chunked request bodies are refused (docs/api.md): a body's size is known before it
      // is read, and there is no framing to smuggle a second request in.
      return Error(411, "Length Required");
    } else if (IEquals(name, "Expect")) {
      if (!IEquals(value, "100-continue")) return Error(417, "Expectation Failed");
      f.expect_continue = true;
      f.expect_line_begin = line_begin;
      f.expect_line_end = at;
    } else if (IEquals(name, "Connection")) {
      if (IContains(value, "close")) f.close = true;
      if (IContains(value, "keep-alive")) f.close = false;
    }
  }
  if (f.content_length > BodyLimitFor(request_line, limits)) {
    return Error(413, "Payload Too Large");
  }
  return f;
}

}  // namespace

size_t BodyLimitFor(std::string_view line, const HeadLimits& limits) {
  if (limits.max_upload_bytes == 0 || limits.upload_path.empty() || !line.starts_with("POST ")) {
    return limits.max_body_bytes;
  }
  std::string_view target = line.substr(5);
  target = target.substr(0, target.find(' '));
  if (!target.starts_with(limits.upload_path)) return limits.max_body_bytes;
  target.remove_prefix(limits.upload_path.size());
  return target.empty() || target.front() == '?' ? limits.max_upload_bytes : limits.max_body_bytes;
}

RequestFrame ScanHead(std::string_view buf, const HeadLimits& limits, HeadScan* scan) {
  const size_t end = std::min(buf.size(), limits.max_head_bytes);
  for (size_t i = scan->pos; i < end; ++i) {
    if (buf[i] != '\n') continue;
    std::string_view line = buf.substr(scan->line_start, i - scan->line_start);
    scan->line_start = i + 1;
    scan->pos = i + 1;
    if (line.empty() || line == "\r") {
      if (scan->lines == 0) {  // blank lines before a request are allowed (RFC 9112)
        scan->head_begin = i + 1;
        continue;
      }
      return ParseHead(buf.substr(0, i + 1), scan->head_begin, limits);
    }
    ++scan->lines;
    if (scan->lines == 1 && line.size() > limits.max_request_line) {
      return Error(414, "URI Too Long");
    }
    if (scan->lines > limits.max_header_count + 1) {
      return Error(431, "Request Header Fields Too Large");
    }
  }
  scan->pos = end;
  if (scan->lines == 0 && end - scan->line_start > limits.max_request_line) {
    return Error(414, "URI Too Long");
  }
  if (buf.size() >= limits.max_head_bytes) return Error(431, "Request Header Fields Too Large");
  return RequestFrame{};
}

}  // namespace closeloop::http
