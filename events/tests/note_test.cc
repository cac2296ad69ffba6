#include "events/note.h"

#include <doctest/doctest.h>

namespace closeloop::events {
namespace {

TEST_CASE("base64 round-trips and refuses what is not canonical") {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto back = Base64Decode(Base64Encode(s));
    REQUIRE(back.ok());
    CHECK(*back == s);
  }
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK_FALSE(Base64Decode("Zm9=").ok());  // spare bits set
  CHECK_FALSE(Base64Decode("Zm9").ok());   // no padding
  CHECK_FALSE(Base64Decode("Zm9v!A==").ok());
  CHECK_FALSE(Base64Decode("Zg=a").ok());
  CHECK_FALSE(Base64Decode(" Zm9vYg=").ok());  // blanks, which OpenSSL's decoder skips
  CHECK_FALSE(Base64Decode("Zm9vYg==    ").ok());
  CHECK_FALSE(Base64Decode("Zg==Zg==").ok());  // padding in the middle
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  auto back = Base64Decode(Base64Encode(all));
  REQUIRE(back.ok());
  CHECK(*back == all);
}

TEST_CASE("Go's signed-note example verifies and signs the same (Ed25519 is deterministic)") {
  // From the documentation of golang.org/x/mod/sumdb/note.
  const std::string skey =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  const std::string vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  const std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";
  const std::string note =
      text +
      "\n\xE2\x80\x94 PeterNeumann "
      "x08go/ZJkuBS9UG/"
      "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  auto signer = ParseNoteSigner(skey);
  REQUIRE(signer.ok());
  CHECK(signer->Verifier().ToString() == vkey);
  auto verifier = ParseNoteVerifier(vkey);
  REQUIRE(verifier.ok());
  auto opened = OpenNote(note, *verifier);
  REQUIRE(opened.ok());
  CHECK(*opened == text);
  auto signed_note = SignNote(*signer, text);
  REQUIRE(signed_note.ok());
  CHECK(*signed_note == note);
}

TEST_CASE("a checkpoint signed, parsed, and refused when altered or signed by another key") {
  auto key = GenerateNoteSigner("closeloop-TEST");
  auto other = GenerateNoteSigner("closeloop-TEST");
  REQUIRE(key.ok());
  REQUIRE(other.ok());
  Checkpoint c{CheckpointOrigin("closeloop-TEST", 3), 1234, Sha256Of(std::string_view("x")),
               1767225600000};
  auto note = SignNote(*key, c.Text());
  REQUIRE(note.ok());
  auto text = OpenNote(*note, key->Verifier());
  REQUIRE(text.ok());
  auto back = ParseCheckpoint(*text);
  REQUIRE(back.ok());
  CHECK(back->origin == "closeloop-TEST/partition/3");
  CHECK(back->size == 1234);
  CHECK(back->root == c.root);
  CHECK(back->signed_at_ms == 1767225600000);

  auto refused = OpenNote(*note, other->Verifier());
  CHECK_FALSE(refused.ok());
  CHECK(refused.status().message().find("another key") != std::string::npos);
  for (size_t i = 0; i < note->size(); ++i) {
    std::string bad = *note;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto t = OpenNote(bad, key->Verifier());
    bool detected = !t.ok() || !ParseCheckpoint(*t).ok() || ParseCheckpoint(*t)->Text() != c.Text();
    CHECK_MESSAGE(detected, "byte " << i);
  }
}

TEST_CASE("verifier keys with a wrong hash or algorithm are refused") {
  auto key = GenerateNoteSigner("k");
  REQUIRE(key.ok());
  std::string v = key->Verifier().ToString();
  CHECK(ParseNoteVerifier(v).ok());
  std::string bad = v;
  bad[2] = bad[2] == '0' ? '1' : '0';
  CHECK_FALSE(ParseNoteVerifier(bad).ok());
  CHECK_FALSE(ParseNoteVerifier("k+00000000").ok());
  CHECK_FALSE(CheckKeyName("a b").ok());
  CHECK_FALSE(CheckKeyName("a+b").ok());
}

}  // namespace
}  // namespace closeloop::events
