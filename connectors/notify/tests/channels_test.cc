// The pieces of a delivery that must be exact for a receiver: the HMAC-SHA256 signature,
// the RFC 2047 subject and the MIME message.
#include "connectors/notify/channels.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <sstream>

namespace closeloop::notify {
namespace {

std::string Unbase64(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  REQUIRE(n >= 0);
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("the signature header signs the timestamp, a dot and the body") {
  std::string body = R"({"delivery_id":"X"})";
  CHECK(SignatureHeader("k", 1700000000, body) ==
        "t=1700000000,v1=" + HmacSha256Hex("k", "1700000000." + body));
}

TEST_CASE("a Chinese subject becomes encoded words of at most 75 characters, whole characters") {
  std::string subject = "【督办】六合区应急管理局：工单已逾期，请负责人于今日内处理并反馈结果";
  std::string encoded = EncodeHeaderWord(subject);
  std::istringstream lines(encoded);
  std::string line, decoded;
  int words = 0;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == ' ') line.erase(0, 1);
    CHECK(line.size() <= 75);
    REQUIRE(line.starts_with("=?UTF-8?B?"));
    REQUIRE(line.ends_with("?="));
    std::string part = Unbase64(line.substr(10, line.size() - 12));
    CHECK((static_cast<unsigned char>(part[0]) & 0xC0) != 0x80);  // starts a character
    decoded += part;
    ++words;
  }
  CHECK(words > 1);
  CHECK(decoded == subject);
  CHECK(EncodeHeaderWord("Overdue: T-1") == "Overdue: T-1");
}

TEST_CASE("the message is UTF-8 text in base64 with CRLF line ends") {
  std::string m = MimeMessage("closeloop@example.org", {"a@example.org", "b@example.org"}, "逾期",
                              "工单 T-1 已逾期。", "R1.mail", 1700000000);
  CHECK(m.find("To: <a@example.org>, <b@example.org>\r\n") != std::string::npos);
  CHECK(m.find("Subject: =?UTF-8?B?") != std::string::npos);
  CHECK(m.find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
  CHECK(m.find("Message-ID: <R1.mail@closeloop>\r\n") != std::string::npos);
  CHECK(m.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n") != std::string::npos);
  std::string body = m.substr(m.find("\r\n\r\n") + 4);
  body.erase(body.find("\r\n"));
  CHECK(Unbase64(body) == "工单 T-1 已逾期。");
}

}  // namespace
}  // namespace closeloop::notify
