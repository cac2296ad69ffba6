// SHA-256 (OpenSSL) and the per-partition hash chain.
//
// A record's hash is the SHA-256 of its bytes exactly as stored. Those bytes include
// `prev_hash`, the hash of the partition's previous record (or, for the first record, the
// partition's genesis hash), so each record commits to the whole history before it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace closeloop::events {

using Hash = std::array<uint8_t, 32>;

// Incremental SHA-256. Not thread-safe; cheap to create.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  Hash Finish();

 private:
  void* ctx_;  // EVP_MD_CTX*, owned
};

Hash Sha256Of(std::span<const uint8_t> bytes);
Hash Sha256Of(std::string_view bytes);

std::string ToHex(std::span<const uint8_t> bytes);
Result<Hash> HashFromHex(std::string_view hex);

// The `prev_hash` of a partition's first record: SHA-256("closeloop-genesis:<log>:<p>").
// Binding the log's name and partition number means a partition cannot be swapped for
// another log's or another partition's without `log verify` noticing.
Hash GenesisHash(std::string_view log_name, uint32_t partition);

}  // namespace closeloop::events
