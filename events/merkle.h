// Merkle trees over a partition's records, as RFC 6962 / RFC 9162 (certificate
// transparency) define them: a leaf is SHA-256(0x00 || the record's stored bytes, the bytes
// the hash chain hashes), an interior node SHA-256(0x01 || left || right), and the tree of
// n leaves splits at the largest power of two below n. Inclusion proofs (record i is leaf i
// of the tree of size n) and consistency proofs (the tree of size m is a prefix of the tree
// of size n) follow the RFC's algorithms, so any RFC 6962 verifier can check them.
//
// The log keeps the right edge of the tree (the frontier) and the hashes of complete
// subtrees; proofs are built from those through SubtreeSource, in O(log n) look-ups.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/hash.h"

namespace closeloop::events {

Hash LeafHash(std::string_view record);              // SHA-256(0x00 || record)
Hash NodeHash(const Hash& left, const Hash& right);  // SHA-256(0x01 || left || right)
Hash EmptyTreeHash();                                // SHA-256 of nothing: the root of size 0

// The right edge of a tree of `size` leaves: the roots of its complete subtrees, one per
// set bit of `size`, the largest (leftmost) first. Enough to append and to compute the root.
class MerkleFrontier {
 public:
  // Called for every complete subtree an append closes: height (0 = a leaf), index among
  // the subtrees of that height (its first leaf is index << height), hash.
  using OnComplete = std::function<void(uint32_t height, uint64_t index, const Hash& hash)>;

  uint64_t size() const { return size_; }
  const std::vector<Hash>& hashes() const { return hashes_; }
  void Append(const Hash& leaf_hash, const OnComplete& on_complete = nullptr);
  Hash Root() const;

  // size (8 bytes big-endian) + the hashes.
  std::string Encode() const;
  static Result<MerkleFrontier> Decode(std::string_view bytes);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// Where proofs get the hashes of complete subtrees from.
class SubtreeSource {
 public:
  virtual ~SubtreeSource() = default;
  // The root of the complete subtree of height `height` whose first leaf is
  // index << height. REQUIRES: all its leaves exist.
  virtual Result<Hash> Subtree(uint32_t height, uint64_t index) const = 0;
};

// MTH(D[begin:end]) (RFC 9162 2.1.1), from complete subtrees.
Result<Hash> RangeHash(const SubtreeSource& source, uint64_t begin, uint64_t end);

// PATH(index, D[0:size]) (RFC 9162 2.1.3.1): sibling hashes from the leaf up.
Result<std::vector<Hash>> InclusionProof(const SubtreeSource& source, uint64_t index,
                                         uint64_t size);
// PROOF(old_size, D[0:new_size]) (RFC 9162 2.1.4.1).
Result<std::vector<Hash>> ConsistencyProof(const SubtreeSource& source, uint64_t old_size,
                                           uint64_t new_size);

// RFC 9162 2.1.3.2. OK, or Corruption saying what does not hold.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);
// RFC 9162 2.1.4.2 (old_size == new_size: an empty proof and equal roots; old_size == 0:
// an empty proof).
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::span<const Hash> proof,
                         const Hash& old_root, const Hash& new_root);

// A tree head: how many records, and the root over them.
struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

// What a log with Merkle trees offers besides events::Log (the embedded log does).
class TreeLog {
 public:
  virtual ~TreeLog() = default;
  // The tree over the partition's records now (after the last batch).
  virtual TreeHead Tree(uint32_t partition) const = 0;
  // The root over the first `size` records (size <= the current size).
  virtual Result<Hash> RootAt(uint32_t partition, uint64_t size) const = 0;
  virtual Result<std::vector<Hash>> Inclusion(uint32_t partition, uint64_t index,
                                              uint64_t size) const = 0;
  virtual Result<std::vector<Hash>> Consistency(uint32_t partition, uint64_t old_size,
                                                uint64_t new_size) const = 0;
};

}  // namespace closeloop::events
