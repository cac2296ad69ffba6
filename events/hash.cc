#include "events/hash.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace closeloop::events {
namespace {

// SHA-256 fetched from OpenSSL's provider once: EVP_sha256() makes every EVP_DigestInit_ex
// look the implementation up again (OpenSSL 3's implicit fetch), which costs more than
// hashing a Merkle node's 65 bytes. Thread-safe (a static's initialisation); never freed.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    if (fetched == nullptr) std::abort();  // no default provider: OpenSSL is unusable
    return fetched;
  }();
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr ||
      EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), Sha256Md(), nullptr) != 1) {
    std::abort();  // allocation failure inside OpenSSL
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(const void* data, size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

Hash Sha256::Finish() {
  Hash out{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &n);
  return out;
}

Hash Sha256Of(std::span<const uint8_t> bytes) {
  Hash out{};
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), out.data(), &n, Sha256Md(), nullptr);
  return out;
}

Hash Sha256Of(std::string_view bytes) {
  return Sha256Of(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex) {
  if (hex.size() != 64) return InvalidArgument("hash must be 64 hex digits");
  Hash out{};
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      char c = hex[2 * i + k];
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) return InvalidArgument("hash must be lowercase hex");
      v = v * 16 + d;
    }
    out[i] = static_cast<uint8_t>(v);
  }
  return out;
}

Hash GenesisHash(std::string_view log_name, uint32_t partition) {
  std::string seed = "closeloop-genesis:";
  seed += log_name;
  seed += ':';
  seed += std::to_string(partition);
  return Sha256Of(seed);
}

}  // namespace closeloop::events
