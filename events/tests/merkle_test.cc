#include "events/merkle.h"

#include <doctest/doctest.h>

#include <map>

namespace closeloop::events {
namespace {

// MTH straight from RFC 9162 2.1.1, over leaf data, for comparison.
Hash Mth(const std::vector<std::string>& d, uint64_t lo, uint64_t hi) {
  if (hi == lo) return EmptyTreeHash();
  if (hi - lo == 1) return LeafHash(d[lo]);
  uint64_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return NodeHash(Mth(d, lo, lo + k), Mth(d, lo + k, hi));
}

// Complete subtrees from the data itself.
class Direct final : public SubtreeSource {
 public:
  explicit Direct(const std::vector<std::string>& d) : d_(d) {}
  Result<Hash> Subtree(uint32_t height, uint64_t index) const override {
    uint64_t lo = index << height, hi = lo + (uint64_t{1} << height);
    if (hi > d_.size()) return InvalidArgument("beyond the data");
    return Mth(d_, lo, hi);
  }

 private:
  const std::vector<std::string>& d_;
};

std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> d;
  for (size_t i = 0; i < n; ++i) d.push_back("record " + std::to_string(i));
  return d;
}

TEST_CASE("the certificate-transparency test vectors") {
  // The eight leaves and roots of RFC 6962's reference implementation's tests.
  std::vector<std::string> d = {"",
                                std::string("\x00", 1),
                                "\x10",
                                "\x20\x21",
                                "\x30\x31",
                                "\x40\x41\x42\x43",
                                "\x50\x51\x52\x53\x54\x55\x56\x57",
                                "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  CHECK(ToHex(EmptyTreeHash()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  MerkleFrontier f;
  std::vector<std::string> roots;
  for (const auto& leaf : d) {
    f.Append(LeafHash(leaf));
    roots.push_back(ToHex(f.Root()));
  }
  CHECK(roots[0] == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  CHECK(roots[7] == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST_CASE("frontier roots, proofs and verification agree with the RFC for every size") {
  auto d = Leaves(70);
  Direct src(d);
  MerkleFrontier f;
  std::map<std::pair<uint32_t, uint64_t>, Hash> completed;
  for (size_t n = 1; n <= d.size(); ++n) {
    f.Append(LeafHash(d[n - 1]), [&](uint32_t h, uint64_t i, const Hash& x) {
      completed[{h, i}] = x;
    });
    REQUIRE(f.Root() == Mth(d, 0, n));
    auto back = MerkleFrontier::Decode(f.Encode());
    REQUIRE(back.ok());
    CHECK(back->Root() == f.Root());
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(src, i, n);
      REQUIRE(proof.ok());
      CHECK(VerifyInclusion(i, n, LeafHash(d[i]), *proof, f.Root()).ok());
      CHECK_FALSE(VerifyInclusion(i, n, LeafHash("other"), *proof, f.Root()).ok());
      if (n > 1)
        CHECK_FALSE(VerifyInclusion((i + 1) % n, n, LeafHash(d[i]), *proof, f.Root()).ok());
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = ConsistencyProof(src, m, n);
      REQUIRE(proof.ok());
      Hash old_root = Mth(d, 0, m);
      CHECK(VerifyConsistency(m, n, *proof, old_root, f.Root()).ok());
      if (m > 0 && m < n) {
        CHECK_FALSE(VerifyConsistency(m, n, *proof, LeafHash("x"), f.Root()).ok());
        CHECK_FALSE(VerifyConsistency(m, n, *proof, old_root, LeafHash("x")).ok());
        auto bad = *proof;
        bad.back()[0] ^= 1;
        CHECK_FALSE(VerifyConsistency(m, n, bad, old_root, f.Root()).ok());
      }
    }
  }
  // Every completed subtree the frontier reported is the RFC's.
  for (const auto& [key, h] : completed) {
    uint64_t lo = key.second << key.first;
    CHECK(h == Mth(d, lo, lo + (uint64_t{1} << key.first)));
  }
}

TEST_CASE("a rewritten history fails the consistency proof") {
  auto d = Leaves(37);
  Hash old_root = Mth(d, 0, 20);
  auto rewritten = d;
  rewritten[11] = "record 11, altered";
  Direct src(rewritten);
  auto proof = ConsistencyProof(src, 20, 37);
  REQUIRE(proof.ok());
  CHECK_FALSE(VerifyConsistency(20, 37, *proof, old_root, Mth(rewritten, 0, 37)).ok());
}

TEST_CASE("proof sizes grow with log n") {
  auto d = Leaves(1000);
  Direct src(d);
  auto inc = InclusionProof(src, 517, 1000);
  REQUIRE(inc.ok());
  CHECK(inc->size() <= 10);
  auto con = ConsistencyProof(src, 300, 1000);
  REQUIRE(con.ok());
  CHECK(con->size() <= 20);
}

}  // namespace
}  // namespace closeloop::events
