// Evidence bundles of kilobytes: built from a real embedded log the way the API builds them,
// verified by the product (events/evidence.h) and by an independent implementation
// (independent_verify.mjs); every single-byte change detected; a
// checkpoint by another key refused; a rewritten log caught by the consistency proof.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "connectors/rocksdb/checkpoints.h"
#include "connectors/rocksdb/embedded_log.h"
#include "events/evidence.h"
#include "events/merkle.h"
#include "events/record.h"
#include "events/testing/record_builder.h"
#include "events/testing/temp_dir.h"
#include "events/tlog_proof.h"
#include "tests/support/child_process.h"

namespace closeloop {
namespace {

namespace fs = std::filesystem;

struct TempDir : events::testing::TempDir {
  TempDir() : events::testing::TempDir("cl-audit") {}
};

std::string Report(int n, const std::string& chain) {
  return events::testing::IngressRecord(
      R"({"source": "hotline-12345","subject": "ENT-)" + std::to_string(n % 50) +
      R"(","occurred_at": 1767225600000,"correlation_id": ")" + chain +
      R"(","body_type": "HazardReport","body": {"category": "gas","description": "report )" +
      std::to_string(n) + R"("}})");
}

// A log of two partitions with `total` records in partition 1; every `every`-th belongs to
// chain CHAIN-1 (ten of them), the others to other chains.
struct Log {
  TempDir dir;
  std::unique_ptr<rocks::RocksDb> db;
  std::unique_ptr<rocks::EmbeddedLog> log;
  std::unique_ptr<rocks::Checkpointer> checkpoints;
  std::vector<uint64_t> chain_offsets;

  explicit Log(int total, int every) {
    auto opened = rocks::RocksDb::Open(dir.path / "db", {.sync = false});
    REQUIRE(opened.ok());
    db = std::move(*opened);
    auto created = rocks::EmbeddedLog::Open(db.get(), 2);
    REQUIRE(created.ok());
    log = std::move(*created);
    auto cp = rocks::Checkpointer::Open(log.get(), db.get(), dir.path.string(), true);
    REQUIRE(cp.ok());
    checkpoints = std::move(*cp);
    std::vector<std::string> batch;
    for (int i = 0; i < total; ++i) {
      bool in_chain = i % every == 3 && chain_offsets.size() < 10;
      if (in_chain) chain_offsets.push_back(i);
      batch.push_back(Report(i, in_chain ? "CHAIN-1" : "OTHER-" + std::to_string(i)));
      if (batch.size() == 500 || i + 1 == total) {
        REQUIRE(log->Append({{1, std::move(batch)}}).ok());
        batch.clear();
      }
    }
    REQUIRE(checkpoints->Publish(1767225600000).ok());
  }

  // What the API's BuildEvidence does, for one partition.
  std::string Bundle() {
    auto cp = checkpoints->Latest(1);
    REQUIRE(cp.ok());
    events::Evidence e{log->name(), "CHAIN-1", checkpoints->verifier().ToString(), {}};
    events::EvidencePartition ep{1, cp->note, {}};
    for (uint64_t off : chain_offsets) {
      auto rec = log->Read(1, off, 1);
      REQUIRE(rec.ok());
      auto proof = log->Inclusion(1, off, cp->checkpoint.size);
      REQUIRE(proof.ok());
      ep.records.push_back({off, (*rec)[0].bytes, *proof});
    }
    e.partitions.push_back(std::move(ep));
    return events::EncodeEvidence(e);
  }

  // What GET /v1/audit/proof answers for the record at `off` of partition 1.
  std::string TlogProof(uint64_t off) {
    auto cp = checkpoints->Latest(1);
    REQUIRE(cp.ok());
    auto rec = log->Read(1, off, 1);
    REQUIRE(rec.ok());
    auto proof = log->Inclusion(1, off, cp->checkpoint.size);
    REQUIRE(proof.ok());
    return events::EncodeTlogProof({(*rec)[0].bytes, off, *proof, cp->note});
  }
};

fs::path Write(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

testing::ChildRun Run(const std::vector<std::string>& argv) {
  auto r = testing::RunChild(argv, "", std::nullopt);
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("a ten-record bundle verifies, says what it proves, and is kilobytes") {
  Log l(5000, 97);
  std::string bundle = l.Bundle();
  auto key = l.checkpoints->verifier();
  auto started = std::chrono::steady_clock::now();
  auto report = events::VerifyEvidence(bundle, &key);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  MESSAGE("bundle of 10 records on a partition of 5000: " << bundle.size() << " bytes, verified in "
                                                          << us << " us");
  CHECK(bundle.size() < 16 * 1024);
  CHECK(report->records.size() == 10);
  std::string text = report->Describe();
  CHECK(text.find("these 10 records of chain CHAIN-1, in this order, are in log " +
                  l.log->name()) != std::string::npos);
  CHECK(text.find("partition 1 at positions 3, 100, 197") != std::string::npos);
  CHECK(text.find("under the checkpoint of 5000 records signed at") != std::string::npos);
  CHECK_FALSE(report->key_from_bundle);
}

TEST_CASE("every single-byte change to the bundle is detected") {
  Log l(100, 7);
  std::string bundle = l.Bundle();
  auto key = l.checkpoints->verifier();
  REQUIRE(events::VerifyEvidence(bundle, &key).ok());
  // Every byte (record bytes, proofs, checkpoint note, signature, members), each changed
  // to every other value that differs from it in one bit, and to a few others.
  size_t tried = 0;
  for (size_t i = 0; i < bundle.size(); ++i) {
    const char original = bundle[i];
    std::vector<char> values;
    for (int bit = 0; bit < 8; ++bit) values.push_back(static_cast<char>(original ^ (1 << bit)));
    for (char c : {'0', 'A', '"', ' ', '\n'}) {
      if (c != original) values.push_back(c);
    }
    for (char v : values) {
      bundle[i] = v;
      ++tried;
      auto r = events::VerifyEvidence(bundle, &key);
      if (r.ok()) FAIL_CHECK("undetected: byte " << i << " '" << original << "' -> '" << v << "'");
    }
    bundle[i] = original;
  }
  MESSAGE(tried << " altered bundles of " << bundle.size() << " bytes, all refused");
}

TEST_CASE("a checkpoint signed by another key is refused, whatever key the bundle names") {
  Log l(200, 5);
  std::string bundle = l.Bundle();
  // Another node's key, under the same name: the note is signed by a key the auditor does
  // not trust.
  auto other = events::GenerateNoteSigner(l.log->name());
  REQUIRE(other.ok());
  auto trusted = l.checkpoints->verifier();
  auto forged_note =
      events::SignNote(*other, *events::OpenNote(l.checkpoints->Latest(1)->note, trusted));
  REQUIRE(forged_note.ok());
  auto cp = l.checkpoints->Latest(1);
  auto report_trusted = events::VerifyEvidence(bundle, &trusted);
  REQUIRE(report_trusted.ok());
  std::string swapped = bundle;
  auto replace = [](std::string& s, const std::string& from, const std::string& to) {
    size_t pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    s.replace(pos, from.size(), to);
  };
  auto escaped = [](std::string note) {
    std::string out;
    for (char c : note) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
  };
  replace(swapped, escaped(cp->note), escaped(*forged_note));
  auto refused = events::VerifyEvidence(swapped, &trusted);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("another key") != std::string::npos);
  // Naming the other key in the bundle does not help against a trusted key...
  replace(swapped, trusted.ToString(), other->Verifier().ToString());
  auto named = events::VerifyEvidence(swapped, &trusted);
  REQUIRE_FALSE(named.ok());
  CHECK(named.status().message().find("not the trusted key") != std::string::npos);
  // ...and without one the verifier says whose key it took.
  auto untrusted = events::VerifyEvidence(swapped, nullptr);
  REQUIRE(untrusted.ok());
  CHECK(untrusted->key_from_bundle);
  CHECK(untrusted->Describe().find("taken from the bundle itself") != std::string::npos);
}

TEST_CASE("an independent implementation verifies the bundle, and refuses it altered") {
  Log l(1000, 37);
  std::string bundle = l.Bundle();
  std::string vkey = l.checkpoints->verifier().ToString();
  fs::path good = Write(l.dir.path / "evidence.json", bundle);
  std::string bad_text = bundle;
  size_t rec = bad_text.find("\"record\":\"") + 20;
  bad_text[rec] = bad_text[rec] == 'A' ? 'B' : 'A';
  fs::path bad = Write(l.dir.path / "tampered.json", bad_text);

  auto key = l.checkpoints->verifier();
  REQUIRE(events::VerifyEvidence(bundle, &key).ok());
  CHECK_FALSE(events::VerifyEvidence(bad_text, &key).ok());

  if (std::string(NODE_BIN).empty() ||
      std::string(NODE_BIN).find("NOTFOUND") != std::string::npos) {
    FAIL("node is needed for the independent check");
  }
  const std::string script =
      std::string(CLOSELOOP_SOURCE_DIR) + "/tests/audit/independent_verify.mjs";
  auto indep = Run({NODE_BIN, script, "bundle", good.string(), vkey});
  CHECK_MESSAGE(indep.exit_code == 0, indep.out);
  CHECK(indep.out == "ok 10 records\n");
  auto indep_bad = Run({NODE_BIN, script, "bundle", bad.string(), vkey});
  CHECK(indep_bad.exit_code == 1);
  auto other = events::GenerateNoteSigner(l.log->name());
  auto indep_other = Run({NODE_BIN, script, "bundle", good.string(), other->Verifier().ToString()});
  CHECK(indep_other.exit_code == 1);
}

TEST_CASE("one record's c2sp.org/tlog-proof: proven, every byte guarded, checked independently") {
  Log l(1000, 37);
  const std::string text = l.TlogProof(3 + 37 * 4);
  auto key = l.checkpoints->verifier();
  auto report = events::VerifyTlogProofRecord(text, key, {});
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  const std::string said = report->Describe();
  CHECK(said.find("ok: this record (c2sp.org/tlog-proof) is in log " + l.log->name()) !=
        std::string::npos);
  CHECK(said.find("partition 1 at positions 151, under the checkpoint of 1000 records") !=
        std::string::npos);
  CHECK(report->chain_id == "CHAIN-1");
  MESSAGE("a record's tlog-proof on a partition of 1000: " << text.size() << " bytes");
  CHECK(text.size() < 2048);

  // The format's own rules, line by line.
  auto parsed = events::ParseTlogProof(text);
  REQUIRE(parsed.ok());
  CHECK(parsed->index == 151);
  CHECK(parsed->proof.size() == 10);  // ceil(log2(1000))
  CHECK(events::EncodeTlogProof(*parsed) == text);
  CHECK(events::ParseTlogProof("c2sp.org/tlog-proof@v1\nindex 07\n\nx\n").status().message() ==
        "line 2: index: a decimal number without leading zeros");
  CHECK(events::ParseTlogProof("c2sp.org/tlog-proof@v2\n")
            .status()
            .message()
            .starts_with("line 1: not"));
  CHECK(events::ParseTlogProof("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx\n").status().message() ==
        "line 3: a proof hash is 32 bytes");

  // Every byte, changed to every value one bit away and a few others: refused.
  std::string altered = text;
  size_t tried = 0;
  for (size_t i = 0; i < altered.size(); ++i) {
    const char original = altered[i];
    std::vector<char> values;
    for (int bit = 0; bit < 8; ++bit) values.push_back(static_cast<char>(original ^ (1 << bit)));
    for (char c : {'0', 'A', ' ', '\n'}) {
      if (c != original) values.push_back(c);
    }
    for (char v : values) {
      altered[i] = v;
      ++tried;
      if (events::VerifyTlogProofRecord(altered, key, {}).ok()) {
        FAIL_CHECK("undetected: byte " << i << " '" << original << "' -> '" << v << "'");
      }
    }
    altered[i] = original;
  }
  MESSAGE(tried << " altered proofs of " << text.size() << " bytes, all refused");

  // Another key, under the log's own name, is not the log's.
  auto other = events::GenerateNoteSigner(l.log->name());
  REQUIRE(other.ok());
  auto refused = events::VerifyTlogProofRecord(text, other->Verifier(), {});
  REQUIRE_FALSE(refused.ok());

  // The independent implementation reads the same file the same way.
  const std::string script =
      std::string(CLOSELOOP_SOURCE_DIR) + "/tests/audit/independent_verify.mjs";
  fs::path good = Write(l.dir.path / "record.tlog-proof", text);
  auto indep = Run({NODE_BIN, script, "tlog-proof", good.string(), key.ToString()});
  CHECK_MESSAGE(indep.exit_code == 0, indep.out);
  CHECK(indep.out == "ok record at index 151 of 1000\n");
  std::string bad_text = text;
  bad_text[bad_text.find("index ") - 5] ^= 1;  // a byte of the record, in the extra line
  fs::path bad = Write(l.dir.path / "tampered.tlog-proof", bad_text);
  CHECK(Run({NODE_BIN, script, "tlog-proof", bad.string(), key.ToString()}).exit_code == 1);
  CHECK(Run({NODE_BIN, script, "tlog-proof", good.string(), other->Verifier().ToString()})
            .exit_code == 1);
}

// Two signed checkpoints and the proof between them, as the independent script reads them.
std::string ConsistencyDoc(const std::string& old_note, const std::string& new_note,
                           const std::vector<events::Hash>& proof) {
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) o += c == '\n' ? std::string("\\n") : std::string(1, c);
    return o;
  };
  std::string doc =
      "{\"old\":\"" + esc(old_note) + "\",\"new\":\"" + esc(new_note) + "\",\"proof\":[";
  for (size_t i = 0; i < proof.size(); ++i) {
    doc +=
        (i ? ",\"" : "\"") +
        events::Base64Encode(std::string_view(reinterpret_cast<const char*>(proof[i].data()), 32)) +
        "\"";
  }
  return doc + "]}";
}

TEST_CASE("consistency between checkpoints, and a rewritten log caught, checked independently") {
  Log l(700, 1000);
  auto old_cp = *l.checkpoints->Latest(1);
  std::vector<std::string> more;
  for (int i = 0; i < 333; ++i) more.push_back(Report(1000 + i, "LATER"));
  REQUIRE(l.log->Append({{1, more}}).ok());
  REQUIRE(l.checkpoints->Publish(1767225700000).ok());
  auto new_cp = *l.checkpoints->Latest(1);
  auto proof = l.log->Consistency(1, old_cp.checkpoint.size, new_cp.checkpoint.size);
  REQUIRE(proof.ok());
  CHECK(events::VerifyConsistency(old_cp.checkpoint.size, new_cp.checkpoint.size, *proof,
                                  old_cp.checkpoint.root, new_cp.checkpoint.root)
            .ok());
  std::string vkey = l.checkpoints->verifier().ToString();
  const std::string script =
      std::string(CLOSELOOP_SOURCE_DIR) + "/tests/audit/independent_verify.mjs";
  auto good =
      Write(l.dir.path / "consistency.json", ConsistencyDoc(old_cp.note, new_cp.note, *proof));
  auto indep = Run({NODE_BIN, script, "consistency", good.string(), vkey});
  CHECK_MESSAGE(indep.exit_code == 0, indep.out);

  // Someone with the database rewrites record 123 and rebuilds the tree from the rewritten
  // records (the frontier and every stored node). The proof from 700 to 1033 that this log
  // now gives, against the checkpoint the auditor kept, fails.
  {
    std::string forged = Report(123, "REWRITTEN");
    REQUIRE(events::SetPrevHash(forged, events::Hash{}).ok());
    auto* meta = l.db->family("meta");
    REQUIRE(l.db->db()
                ->Put({}, l.db->family("log"), rocks::EmbeddedLog::RecordKey(1, 123), forged)
                .ok());
    REQUIRE(l.db->db()->Delete({}, meta, rocks::EmbeddedLog::FrontierKey(1)).ok());
    for (uint32_t h = rocks::EmbeddedLog::kStoredHeight; h < 12; ++h)
      for (uint64_t i = 0; i <= (1033u >> h); ++i)
        REQUIRE(l.db->db()->Delete({}, meta, rocks::EmbeddedLog::NodeKey(1, h, i)).ok());
    l.log.reset();
    auto reopened = rocks::EmbeddedLog::Open(l.db.get(), 0);
    REQUIRE(reopened.ok());
    l.log = std::move(*reopened);
  }
  auto head2 = l.log->Tree(1);
  REQUIRE(head2.size == 1033);
  CHECK(head2.root != new_cp.checkpoint.root);
  auto forged_proof = l.log->Consistency(1, 700, 1033);
  REQUIRE(forged_proof.ok());
  auto refused =
      events::VerifyConsistency(700, 1033, *forged_proof, old_cp.checkpoint.root, head2.root);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.message().find("does not extend") != std::string::npos);
  // Even signed by the log's own key (an insider rewriting history), the proof fails.
  events::Checkpoint c2{old_cp.checkpoint.origin, head2.size, head2.root, 1767225800000};
  auto signer = events::ParseNoteSigner([&] {
    std::ifstream in(rocks::Checkpointer::KeyPath(l.dir.path.string()));
    std::string s;
    std::getline(in, s);
    return s;
  }());
  REQUIRE(signer.ok());
  auto forged_note = events::SignNote(*signer, c2.Text());
  auto bad = Write(l.dir.path / "rewritten.json",
                   ConsistencyDoc(old_cp.note, *forged_note, *forged_proof));
  auto caught = Run({NODE_BIN, script, "consistency", bad.string(), vkey});
  CHECK(caught.exit_code == 1);
  CHECK(caught.out == "FAIL not consistent\n");
}

}  // namespace
}  // namespace closeloop
