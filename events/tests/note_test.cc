#include "events/note.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <string>

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
// The C2SP tlog-cosignature definitions, written here from the spec's text (not the
// product's code): key ID = SHA-256(name || "\n" || 0x04 || key)[:4]; signature = u64
// big-endian time || Ed25519 over "cosignature/v1\ntime <t>\n" || checkpoint text.
bool IndependentCosignatureCheck(const std::string& note, const std::string& name,
                                 const Ed25519Public& key, uint64_t* time_out) {
  std::string text = note.substr(0, note.find("\n\n") + 1);
  std::string id_input = name + "\n";
  id_input.push_back(0x04);
  id_input.append(reinterpret_cast<const char*>(key.data()), 32);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(id_input.data()), id_input.size(), digest);
  std::string prefix = "\xE2\x80\x94 " + name + " ";
  size_t at = note.find(prefix);
  if (at == std::string::npos) return false;
  size_t end = note.find('\n', at);
  std::string b64 = note.substr(at + prefix.size(), end - at - prefix.size());
  std::string blob(b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(blob.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 4 + 8 + 64) return false;
  if (std::memcmp(blob.data(), digest, 4) != 0) return false;
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = t << 8 | static_cast<uint8_t>(blob[4 + i]);
  std::string msg = "cosignature/v1\ntime " + std::to_string(t) + "\n" + text;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), 32);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(blob.data()) + 12, 64,
                             reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  *time_out = t;
  return ok;
}

TEST_CASE("a witness cosigns a checkpoint (C2SP cosignature/v1), checked independently") {
  auto log_key = GenerateNoteSigner("closeloop-TEST");
  auto witness = GenerateNoteSigner("audit.example.gov/witness", kCosignatureV1);
  auto stranger = GenerateNoteSigner("audit.example.gov/witness", kCosignatureV1);
  REQUIRE(log_key.ok());
  REQUIRE(witness.ok());
  REQUIRE(stranger.ok());
  Checkpoint c{CheckpointOrigin("closeloop-TEST", 0), 20852163, Sha256Of(std::string_view("y")), 0};
  auto note = SignNote(*log_key, c.Text());
  REQUIRE(note.ok());
  auto cosigned = CosignNote(*witness, *note, 1679315147);
  REQUIRE(cosigned.ok());
  // The log's own signature still verifies with the cosignature line after it.
  auto text = OpenNote(*cosigned, log_key->Verifier());
  REQUIRE(text.ok());
  CHECK(*text == c.Text());
  auto t = OpenCosignature(*cosigned, witness->Verifier());
  REQUIRE(t.ok());
  CHECK(*t == 1679315147);
  uint64_t independent_time = 0;
  CHECK(IndependentCosignatureCheck(*cosigned, witness->name, witness->key, &independent_time));
  CHECK(independent_time == 1679315147);

  // The verifier key text round-trips with its type byte 0x04.
  auto vkey = ParseNoteVerifier(witness->Verifier().ToString());
  REQUIRE(vkey.ok());
  CHECK(vkey->type == kCosignatureV1);
  CHECK(vkey->key_hash == witness->key_hash);
  CHECK(witness->key_hash != NoteKeyHash(witness->name, witness->key));  // 0x04, not 0x01
  auto sk = ParseNoteSigner(witness->ToString());
  REQUIRE(sk.ok());
  CHECK(sk->type == kCosignatureV1);

  // Keys are not interchangeable: a witness key signs no notes, a log key cosigns nothing.
  CHECK_FALSE(SignNote(*witness, c.Text()).ok());
  CHECK_FALSE(CosignNote(*log_key, *note, 1).ok());
  CHECK_FALSE(OpenNote(*cosigned, witness->Verifier()).ok());
  // Another key of the same name: no cosignature by it.
  auto none = OpenCosignature(*cosigned, stranger->Verifier());
  CHECK(none.status().code() == Code::kNotFound);
  // Every single-bit change of the checkpoint text or the cosignature is caught.
  const size_t cosig_start = note->size();
  for (size_t i = 0; i < cosigned->size(); ++i) {
    if (i >= note->find("\n\n") + 1 && i < cosig_start) continue;  // the log's own line
    std::string bad = *cosigned;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = OpenCosignature(bad, witness->Verifier());
    CAPTURE(i);
    CHECK((!r.ok() || *r != 1679315147));
  }
  auto lines = NoteSignatureLines(*cosigned);
  REQUIRE(lines.ok());
  CHECK(lines->size() == 2);
}

}  // namespace closeloop::events
