#include "connectors/notify/channels.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>

#include "events/note.h"

namespace closeloop::notify {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Reader {
  const std::string* text;
  size_t at = 0;
};
size_t ReadMessage(char* buf, size_t size, size_t n, void* user) {
  auto* r = static_cast<Reader*>(user);
  size_t len = std::min(size * n, r->text->size() - r->at);
  std::memcpy(buf, r->text->data() + r->at, len);
  r->at += len;
  return len;
}

// Length of the UTF-8 sequence starting with byte `c` (1 for anything unexpected).
size_t Utf8Len(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

std::string RfcDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Status CurlError(CURLcode code, const char* errbuf, std::string_view what) {
  std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  return Unavailable(std::string(what) + ": " + detail);
}

}  // namespace

void InitChannels() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string HmacSha256Hex(const std::string& key, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

std::string SignatureHeader(const std::string& key, int64_t unix_seconds, const std::string& body) {
  std::string t = std::to_string(unix_seconds);
  return "t=" + t + ",v1=" + HmacSha256Hex(key, t + "." + body);
}

Status Post(const HttpPost& post) {
  CurlPtr curl(curl_easy_init());
  if (!curl) return Internal("curl_easy_init failed");
  char errbuf[CURL_ERROR_SIZE] = {0};
  SlistPtr headers;
  curl_slist* list = nullptr;
  list = curl_slist_append(list, ("Content-Type: " + post.content_type).c_str());
  for (const auto& h : post.headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  headers.reset(list);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(post.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(post.timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return CurlError(rc, errbuf, "POST " + post.url);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    return Unavailable("POST " + post.url + ": HTTP " + std::to_string(status));
  }
  return Status::Ok();
}

std::string EncodeHeaderWord(const std::string& utf8) {
  bool plain = utf8.find("=?") == std::string::npos;
  for (unsigned char ch : utf8) plain = plain && ch >= 0x20 && ch < 0x7f;
  if (plain) return utf8;
  // "=?UTF-8?B?" + base64 + "?=" within 75 characters: 63 base64 characters, 45 bytes.
  constexpr size_t kMaxBytes = 45;
  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t end = i;
    while (end < utf8.size()) {
      size_t len = Utf8Len(static_cast<unsigned char>(utf8[end]));
      if (end + len - i > kMaxBytes) break;
      end += len;
    }
    if (end == i) end = std::min(utf8.size(), i + kMaxBytes);  // a malformed run
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + events::Base64Encode(utf8.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string MimeMessage(const std::string& from, const std::vector<std::string>& to,
                        const std::string& subject, const std::string& body,
                        const std::string& message_id, int64_t unix_seconds) {
  std::string m;
  m += "Date: " + RfcDate(unix_seconds) + "\r\n";
  m += "From: <" + from + ">\r\n";
  m += "To: ";
  for (size_t i = 0; i < to.size(); ++i) m += (i ? ", <" : "<") + to[i] + ">";
  m += "\r\n";
  m += "Message-ID: <" + message_id + "@closeloop>\r\n";
  m += "Subject: " + EncodeHeaderWord(subject) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: base64\r\n";
  m += "\r\n";
  std::string encoded = events::Base64Encode(body);
  for (size_t i = 0; i < encoded.size(); i += 76) m += encoded.substr(i, 76) + "\r\n";
  return m;
}

Status SendMail(const SmtpConfig& smtp, const std::vector<std::string>& to,
                const std::string& message, int64_t timeout_ms) {
  if (smtp.url.empty() || smtp.from.empty()) {
    return FailedPrecondition("no SMTP server configured (serve --notify-config: smtp.url, from)");
  }
  CurlPtr curl(curl_easy_init());
  if (!curl) return Internal("curl_easy_init failed");
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* list = nullptr;
  for (const auto& r : to) list = curl_slist_append(list, ("<" + r + ">").c_str());
  SlistPtr rcpt(list);
  Reader reader{&message};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, smtp.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + smtp.from + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  if (!smtp.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, smtp.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, smtp.password.c_str());
  }
  if (smtp.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(c, CURLOPT_READDATA, &reader);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return CurlError(rc, errbuf, "SMTP " + smtp.url);
  return Status::Ok();
}

}  // namespace closeloop::notify
