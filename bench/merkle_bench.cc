// merkle_bench: what the partitions' Merkle trees cost and what their proofs weigh.
//
//   merkle_bench [--records N] [--batch N] [--dir DIR] [--big N]
//
// 1. Tree maintenance vs append throughput, same run: N realistic records appended to the
//    embedded log in batches (sync off, as the engine commits), then the tree's own work on
//    the same records and batches timed alone (leaf hashes, frontier, node and frontier
//    Puts, and writing those keys to a RocksDB of the same options). Reported as the share
//    of append time the tree takes.
// 2. Proof sizes on a synthetic tree of --big leaves (in memory; the RFC's tree does not
//    depend on what the leaves hold): the inclusion proof of a record near the end, and the
//    consistency proof between two tree sizes 10^6 records apart.
// 3. Proof latency from the embedded log (O(log n) reads).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "connectors/rocksdb/embedded_log.h"
#include "events/merkle.h"
#include "events/testing/record_builder.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using closeloop::events::Hash;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "merkle_bench: %s\n", why.c_str());
  std::exit(1);
}

std::string Record(size_t i) {
  return closeloop::events::testing::IngressRecord(
      R"({"source": "hotline-12345","subject": "ENT-3201)" + std::to_string(10000 + i % 500) +
      R"(","jurisdiction": "xuanwu.meiyuan.g0)" + std::to_string(i % 9 + 1) +
      R"(","occurred_at": 1767225600000,"body_type": "HazardReport","body": {"channel": )"
      R"("hotline_12345","category": "gas","description": "餐饮店液化气钢瓶靠近灶台，软管老化疑似漏气",)"
      R"("severity": "general","address": "南京市玄武区梅园新村街道","external_ref": "GD2026)" +
      std::to_string(i) + R"("}})");
}

// Every level of a synthetic tree, kept whole: subtree (h, i) is levels[h][i].
class Levels final : public closeloop::events::SubtreeSource {
 public:
  explicit Levels(uint64_t n) {
    levels_.emplace_back();
    levels_[0].reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      levels_[0].push_back(closeloop::events::LeafHash(
          std::string_view(reinterpret_cast<const char*>(&i), sizeof i)));
    }
    while (levels_.back().size() > 1) {
      const auto& below = levels_.back();
      std::vector<Hash> up;
      for (size_t i = 0; i + 1 < below.size(); i += 2) {
        up.push_back(closeloop::events::NodeHash(below[i], below[i + 1]));
      }
      levels_.push_back(std::move(up));
    }
  }
  closeloop::Result<Hash> Subtree(uint32_t height, uint64_t index) const override {
    if (height >= levels_.size() || index >= levels_[height].size())
      return closeloop::InvalidArgument("no such subtree");
    return levels_[height][index];
  }

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace

int main(int argc, char** argv) {
  size_t records = 200'000, batch = 1000;
  uint64_t big = 2'300'000;
  fs::path dir = fs::temp_directory_path();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--records")
      records = std::stoul(argv[i + 1]);
    else if (a == "--batch")
      batch = std::stoul(argv[i + 1]);
    else if (a == "--dir")
      dir = argv[i + 1];
    else if (a == "--big")
      big = std::stoull(argv[i + 1]);
    else
      Die("unknown option " + a);
  }
  const fs::path run = dir / ("merkle-bench-" + std::to_string(::getpid()));
  fs::remove_all(run);
  fs::create_directories(run);

  std::vector<std::string> recs;
  recs.reserve(records);
  for (size_t i = 0; i < records; ++i) recs.push_back(Record(i));

  // 1a. Appends with trees, as shipped.
  double append_s = 0;
  std::vector<std::string> stored;  // the records as stored (prev_hash filled in)
  {
    auto db = closeloop::rocks::RocksDb::Open((run / "log").string(), {.sync = false});
    if (!db.ok()) Die(db.status().ToString());
    auto log = closeloop::rocks::EmbeddedLog::Open(db->get(), 1);
    if (!log.ok()) Die(log.status().ToString());
    std::vector<std::vector<closeloop::events::PartitionAppend>> batches;
    for (size_t at = 0; at < recs.size(); at += batch) {
      std::vector<std::string> chunk(recs.begin() + at,
                                     recs.begin() + std::min(recs.size(), at + batch));
      batches.push_back({{0, std::move(chunk)}});
    }
    auto t = Clock::now();
    for (auto& b : batches) {
      if (auto r = (*log)->Append(std::move(b)); !r.ok()) Die(r.status().ToString());
    }
    append_s = Seconds(t);
    for (uint64_t from = 0; from < records;) {
      auto got = (*log)->Read(0, from, 4096);
      if (!got.ok() || got->empty()) Die("read back");
      for (auto& r : *got) stored.push_back(std::move(r.bytes));
      from = stored.size();
    }
    // 3. Proof latency from the log.
    auto head = (*log)->Tree(0);
    auto pt = Clock::now();
    int proofs = 0;
    for (uint64_t i = 7; i < head.size; i += head.size / 200 + 1, ++proofs) {
      auto p = (*log)->Inclusion(0, i, head.size);
      if (!p.ok()) Die(p.status().ToString());
      if (!closeloop::events::VerifyInclusion(i, head.size, closeloop::events::LeafHash(stored[i]),
                                              *p, head.root)
               .ok())
        Die("a proof from the log does not verify");
    }
    std::printf("inclusion proof from the log (%zu records): %.1f us each (%d proofs)\n", records,
                Seconds(pt) * 1e6 / proofs, proofs);
    auto ct = Clock::now();
    auto c = (*log)->Consistency(0, head.size / 3 + 5, head.size);
    if (!c.ok()) Die(c.status().ToString());
    std::printf("consistency proof from the log: %.1f us, %zu hashes\n", Seconds(ct) * 1e6,
                c->size());
  }

  // 1b. The tree's work alone, same records and batches.
  double tree_s = 0;
  {
    auto db = closeloop::rocks::RocksDb::Open((run / "tree").string(), {.sync = false});
    if (!db.ok()) Die(db.status().ToString());
    auto* meta = (*db)->family("meta");
    closeloop::events::MerkleFrontier tree;
    auto t = Clock::now();
    for (size_t at = 0; at < stored.size(); at += batch) {
      rocksdb::WriteBatch wb;
      auto keep = [&](uint32_t h, uint64_t i, const Hash& x) {
        if (h >= closeloop::rocks::EmbeddedLog::kStoredHeight)
          wb.Put(meta, closeloop::rocks::EmbeddedLog::NodeKey(0, h, i),
                 rocksdb::Slice(reinterpret_cast<const char*>(x.data()), x.size()));
      };
      for (size_t k = at; k < std::min(stored.size(), at + batch); ++k) {
        tree.Append(closeloop::events::LeafHash(stored[k]), keep);
      }
      wb.Put(meta, closeloop::rocks::EmbeddedLog::FrontierKey(0), tree.Encode());
      if (auto s = (*db)->Write(&wb, false); !s.ok()) Die(s.ToString());
    }
    tree_s = Seconds(t);
  }
  std::printf(
      "appends with trees: %.0f records/s (%zu records, batches of %zu, sync off)\n"
      "tree maintenance alone: %.3f s of %.3f s = %.1f%% of append time\n",
      records / append_s, records, batch, tree_s, append_s, 100.0 * tree_s / append_s);

  // 2. Proof sizes on a synthetic tree.
  {
    auto t = Clock::now();
    Levels levels(big);
    std::printf("synthetic tree of %llu leaves built in %.1f s\n", (unsigned long long)big,
                Seconds(t));
    const uint64_t older = big - 1'000'000, newer = big;
    auto c = closeloop::events::ConsistencyProof(levels, older, newer);
    auto r1 = closeloop::events::RangeHash(levels, 0, older);
    auto r2 = closeloop::events::RangeHash(levels, 0, newer);
    if (!c.ok() || !r1.ok() || !r2.ok()) Die("synthetic proofs");
    if (!closeloop::events::VerifyConsistency(older, newer, *c, *r1, *r2).ok())
      Die("synthetic consistency proof does not verify");
    size_t worst = 0;
    for (uint64_t o = 1'000'000; o + 1'000'000 <= big; o += 977) {
      auto p = closeloop::events::ConsistencyProof(levels, o - 1'000'000 + 1, o + 1);
      if (p.ok()) worst = std::max(worst, p->size());
    }
    std::printf(
        "consistency proof %llu -> %llu: %zu hashes = %zu bytes raw, %zu as base64 JSON; worst "
        "over sizes 10^6 apart sampled: %zu hashes = %zu bytes\n",
        (unsigned long long)older, (unsigned long long)newer, c->size(), c->size() * 32,
        c->size() * 47, worst, worst * 32);
    auto inc = closeloop::events::InclusionProof(levels, big - 12345, big);
    if (!inc.ok()) Die("synthetic inclusion");
    std::printf("inclusion proof in %llu: %zu hashes = %zu bytes as base64 JSON\n",
                (unsigned long long)big, inc->size(), inc->size() * 47);
  }
  fs::remove_all(run);
  return 0;
}
