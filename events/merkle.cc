#include "events/merkle.h"

#include <bit>

namespace closeloop::events {
namespace {

// The largest power of two below n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

std::string U64(uint64_t v) { return std::to_string(v); }

Status PathInto(const SubtreeSource& src, uint64_t m, uint64_t lo, uint64_t hi,
                std::vector<Hash>& out) {
  if (hi - lo <= 1) return Status::Ok();
  uint64_t k = SplitPoint(hi - lo);
  if (m < k) {
    CL_RETURN_IF_ERROR(PathInto(src, m, lo, lo + k, out));
    CL_ASSIGN_OR_RETURN(Hash h, RangeHash(src, lo + k, hi));
    out.push_back(h);
  } else {
    CL_RETURN_IF_ERROR(PathInto(src, m - k, lo + k, hi, out));
    CL_ASSIGN_OR_RETURN(Hash h, RangeHash(src, lo, lo + k));
    out.push_back(h);
  }
  return Status::Ok();
}

// SUBPROOF(m, D[lo:hi], b) of RFC 9162 2.1.4.1; m counts from lo.
Status SubproofInto(const SubtreeSource& src, uint64_t m, uint64_t lo, uint64_t hi, bool whole,
                    std::vector<Hash>& out) {
  uint64_t n = hi - lo;
  if (m == n) {
    if (whole) return Status::Ok();
    CL_ASSIGN_OR_RETURN(Hash h, RangeHash(src, lo, hi));
    out.push_back(h);
    return Status::Ok();
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    CL_RETURN_IF_ERROR(SubproofInto(src, m, lo, lo + k, whole, out));
    CL_ASSIGN_OR_RETURN(Hash h, RangeHash(src, lo + k, hi));
    out.push_back(h);
  } else {
    CL_RETURN_IF_ERROR(SubproofInto(src, m - k, lo + k, hi, false, out));
    CL_ASSIGN_OR_RETURN(Hash h, RangeHash(src, lo, lo + k));
    out.push_back(h);
  }
  return Status::Ok();
}

}  // namespace

Hash LeafHash(std::string_view record) {
  Sha256 h;
  const uint8_t prefix = 0x00;
  h.Update(&prefix, 1);
  h.Update(record);
  return h.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return Sha256Of(std::span<const uint8_t>(buf, sizeof buf));
}

Hash EmptyTreeHash() { return Sha256Of(std::string_view()); }

void MerkleFrontier::Append(const Hash& leaf_hash, const OnComplete& on_complete) {
  Hash h = leaf_hash;
  const uint64_t end = size_ + 1;
  if (on_complete) on_complete(0, size_, h);
  uint32_t height = 0;
  while ((size_ >> height) & 1) {
    h = NodeHash(hashes_.back(), h);
    hashes_.pop_back();
    ++height;
    if (on_complete) on_complete(height, (end >> height) - 1, h);
  }
  hashes_.push_back(h);
  size_ = end;
}

Hash MerkleFrontier::Root() const {
  if (hashes_.empty()) return EmptyTreeHash();
  Hash h = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) h = NodeHash(hashes_[i], h);
  return h;
}

std::string MerkleFrontier::Encode() const {
  std::string out;
  out.reserve(8 + 32 * hashes_.size());
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((size_ >> (8 * i)) & 0xff));
  for (const Hash& h : hashes_) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

Result<MerkleFrontier> MerkleFrontier::Decode(std::string_view bytes) {
  if (bytes.size() < 8) return Corruption("tree frontier: too short");
  MerkleFrontier f;
  for (int i = 0; i < 8; ++i) f.size_ = (f.size_ << 8) | static_cast<uint8_t>(bytes[i]);
  size_t want = static_cast<size_t>(std::popcount(f.size_));
  if (bytes.size() != 8 + 32 * want) {
    return Corruption("tree frontier: " + std::to_string(bytes.size()) + " bytes for size " +
                      U64(f.size_));
  }
  f.hashes_.resize(want);
  for (size_t k = 0; k < want; ++k) {
    std::copy(bytes.begin() + 8 + 32 * k, bytes.begin() + 8 + 32 * (k + 1), f.hashes_[k].begin());
  }
  return f;
}

Result<Hash> RangeHash(const SubtreeSource& source, uint64_t begin, uint64_t end) {
  if (end <= begin) return InvalidArgument("empty range in a Merkle tree");
  uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    return source.Subtree(static_cast<uint32_t>(std::countr_zero(n)), begin / n);
  }
  uint64_t k = SplitPoint(n);
  CL_ASSIGN_OR_RETURN(Hash left, RangeHash(source, begin, begin + k));
  CL_ASSIGN_OR_RETURN(Hash right, RangeHash(source, begin + k, end));
  return NodeHash(left, right);
}

Result<std::vector<Hash>> InclusionProof(const SubtreeSource& source, uint64_t index,
                                         uint64_t size) {
  if (index >= size) {
    return InvalidArgument("leaf " + U64(index) + " is not in a tree of " + U64(size));
  }
  std::vector<Hash> out;
  CL_RETURN_IF_ERROR(PathInto(source, index, 0, size, out));
  return out;
}

Result<std::vector<Hash>> ConsistencyProof(const SubtreeSource& source, uint64_t old_size,
                                           uint64_t new_size) {
  if (old_size > new_size) {
    return InvalidArgument("tree size " + U64(old_size) + " is larger than " + U64(new_size));
  }
  std::vector<Hash> out;
  if (old_size == 0 || old_size == new_size) return out;
  CL_RETURN_IF_ERROR(SubproofInto(source, old_size, 0, new_size, true, out));
  return out;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return Corruption("position " + U64(index) + " is outside a tree of " + U64(size));
  }
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Corruption("inclusion proof has more hashes than the tree has levels");
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Corruption("inclusion proof has too few hashes");
  if (r != root) return Corruption("inclusion proof does not lead to the tree's root");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::span<const Hash> proof,
                         const Hash& old_root, const Hash& new_root) {
  if (old_size > new_size) {
    return Corruption("the older tree (" + U64(old_size) + ") is larger than the newer (" +
                      U64(new_size) + ")");
  }
  if (old_size == new_size) {
    if (!proof.empty()) return Corruption("consistency proof between equal sizes is not empty");
    if (old_root != new_root) return Corruption("same tree size, different roots");
    return Status::Ok();
  }
  if (old_size == 0) {
    if (!proof.empty()) return Corruption("consistency proof from the empty tree is not empty");
    return Status::Ok();
  }
  if (proof.empty()) return Corruption("consistency proof is empty");
  std::vector<Hash> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Corruption("consistency proof has more hashes than the tree has levels");
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Corruption("consistency proof has too few hashes");
  if (fr != old_root) {
    return Corruption("consistency proof does not lead to the older root: the log of " +
                      U64(new_size) + " records does not extend the one of " + U64(old_size));
  }
  if (sr != new_root) return Corruption("consistency proof does not lead to the newer root");
  return Status::Ok();
}

}  // namespace closeloop::events
