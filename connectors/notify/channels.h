// How one delivery leaves the machine: an HTTP POST (webhooks and SMS gateways) or an
// e-mail through SMTP, both with libcurl; the webhook signature (HMAC-SHA256) and the MIME
// message with its RFC 2047 subject. Called by the deliverer only, never by processing.
//
// Thread-safety: the functions are reentrant (each call has its own curl handle); call
// InitChannels() once before the first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace closeloop::notify {

void InitChannels();  // curl_global_init, once per process

// Lowercase hex HMAC-SHA256 of `message` under `key`.
std::string HmacSha256Hex(const std::string& key, const std::string& message);

// The signature header's value for a body sent at `unix_seconds`:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">" (docs/operations.md shows a
// receiver's check).
std::string SignatureHeader(const std::string& key, int64_t unix_seconds, const std::string& body);

struct HttpPost {
  std::string url;
  std::string content_type;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  int64_t timeout_ms = 10000;
};
// OK on a 2xx answer; otherwise Unavailable with the status or the transport's error.
Status Post(const HttpPost& post);

struct SmtpConfig {
  std::string url;                 // smtp://host:port or smtps://host:port
  std::string from;                // the envelope sender and From: address
  std::string username, password;  // optional AUTH
  bool starttls = false;           // require STARTTLS on smtp://
};

// RFC 2047 encoded words ("=?UTF-8?B?...?="), each at most 75 characters, never splitting a
// UTF-8 character, joined by folding whitespace; ASCII-only text without '=?' stays as is.
std::string EncodeHeaderWord(const std::string& utf8);

// A whole message (headers and base64 body, CRLF line ends).
std::string MimeMessage(const std::string& from, const std::vector<std::string>& to,
                        const std::string& subject, const std::string& body,
                        const std::string& message_id, int64_t unix_seconds);

Status SendMail(const SmtpConfig& smtp, const std::vector<std::string>& to,
                const std::string& message, int64_t timeout_ms);

}  // namespace closeloop::notify
