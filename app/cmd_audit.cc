// closeloop evidence verify FILE [--key KEY] | audit key | audit checkpoint
//
// `evidence verify` checks a chain's evidence bundle, or one record's tlog-proof, offline
// (events/evidence.h) and says what it proves; `audit key` prints the log's checkpoint verifier
// key; `audit checkpoint` signs every partition's tree head now (the server signs on its own
// schedule; this is for a data directory no server has open).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include "app/commands.h"
#include "app/wall_clock.h"
#include "connectors/rocksdb/checkpoints.h"
#include "events/evidence.h"
#include "events/tlog_proof.h"

namespace closeloop::app {

std::string ReadFileOrFail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path, 2);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

events::NoteVerifier VerifierKeyArgument(const std::string& arg, const std::string& option) {
  std::string text = arg;
  std::error_code ec;
  if (arg.find('+') == std::string::npos && std::filesystem::is_regular_file(arg, ec)) {
    text = ReadFileOrFail(arg);
  }
  auto key = events::ParseNoteVerifier(text);
  if (!key.ok()) Fail(option + ": " + key.status().message(), 2);
  return *key;
}

namespace {

struct VerifyOptions {
  std::string file, key;
  std::vector<std::string> witnesses;
  int quorum = -1;  // -1: every --witness given
};

void RunEvidenceVerify(const VerifyOptions& o) {
  std::string bundle = ReadFileOrFail(o.file);
  std::optional<events::NoteVerifier> trusted;
  if (!o.key.empty()) trusted = VerifierKeyArgument(o.key, "--key");
  auto started = std::chrono::steady_clock::now();
  events::WitnessPolicy policy;
  for (const auto& w : o.witnesses) {
    events::NoteVerifier v = VerifierKeyArgument(w, "--witness");
    if (v.type != events::kCosignatureV1)
      Fail("--witness: " + v.name + " is not a witness's key", 2);
    policy.witnesses.push_back(std::move(v));
  }
  policy.quorum = o.quorum < 0 ? policy.witnesses.size() : static_cast<size_t>(o.quorum);
  if (policy.quorum > policy.witnesses.size())
    Fail("--quorum: more than the --witness keys given", 2);
  // A single record's c2sp.org/tlog-proof (GET /v1/audit/proof), or a chain's bundle.
  const bool tlog = bundle.starts_with(std::string(events::kTlogProofHeader) + "\n");
  if (tlog && !trusted) {
    Fail("--key: a tlog-proof names no key of its own; give the log's verifier key", 2);
  }
  auto report = tlog ? events::VerifyTlogProofRecord(bundle, *trusted, policy)
                     : events::VerifyEvidence(bundle, trusted ? &*trusted : nullptr, policy);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  if (!report.ok()) {
    std::cout << "NOT PROVEN: " << o.file << ": " << report.status().message() << "\n";
    throw CLI::RuntimeError(1);
  }
  std::cout << report->Describe();
  std::cout << "checked " << bundle.size() << " bytes in " << us / 1000.0 << " ms\n";
}

struct DataOptions {
  std::string data = "./data";
};

void RunKey(const DataOptions& o) {
  auto key = rocks::Checkpointer::ReadVerifier(o.data);
  if (!key.ok()) Fail(key.status().ToString());
  std::cout << key->ToString() << "\n";
}

void RunCheckpoint(const DataOptions& o) {
  auto db = rocks::RocksDb::Open(o.data, {.sync = true, .create_if_missing = false});
  if (!db.ok()) Fail(db.status().ToString());
  auto log = rocks::EmbeddedLog::Open(db->get(), 0);
  if (!log.ok()) Fail(log.status().ToString());
  auto cp = rocks::Checkpointer::Open(log->get(), db->get(), o.data, true);
  if (!cp.ok()) Fail(cp.status().ToString());
  auto published = (*cp)->Publish(WallClockMillis());
  if (!published.ok()) Fail(published.status().ToString());
  for (uint32_t p = 0; p < (*log)->partition_count(); ++p) {
    auto latest = (*cp)->Latest(p);
    if (!latest.ok()) continue;
    std::cout << latest->note << "\n";
  }
  std::cout << published->size() << " new checkpoint(s)\n";
}

}  // namespace

void AddAuditCommands(CLI::App& root) {
  CLI::App* evidence = root.add_subcommand("evidence", "Check evidence bundles");
  evidence->require_subcommand(1);
  auto vo = std::make_shared<VerifyOptions>();
  CLI::App* verify = evidence->add_subcommand(
      "verify",
      "Check a chain's evidence bundle offline: every record's inclusion proof against its "
      "partition's signed checkpoint, and the checkpoints' signatures. Says what is proven; "
      "exit 1 with the first failure");
  verify
      ->add_option("FILE", vo->file,
                   "the bundle (GET /v1/chains/{id}/evidence), or one record's "
                   "c2sp.org/tlog-proof (GET /v1/audit/proof; needs --key)")
      ->required();
  verify->add_option("--key", vo->key,
                     "the log's verifier key (NAME+HASH+KEY, or a file holding it); without "
                     "it, the key the bundle names is used and the output says so");
  verify->add_option("--witness", vo->witnesses,
                     "a witness's verifier key (or a file) whose cosignature of each checkpoint "
                     "counts; repeat for several");
  verify->add_option("--quorum", vo->quorum,
                     "how many of the --witness keys must have cosigned each checkpoint "
                     "(default: all of them)");
  verify->callback([vo] { RunEvidenceVerify(*vo); });

  CLI::App* audit = root.add_subcommand("audit", "The log's signing key and checkpoints");
  audit->require_subcommand(1);
  auto ko = std::make_shared<DataOptions>();
  CLI::App* key = audit->add_subcommand(
      "key", "Print the verifier key of the log's checkpoints (C2SP signed-note format)");
  AddDataOption(*key, &ko->data);
  key->callback([ko] { RunKey(*ko); });
  auto co = std::make_shared<DataOptions>();
  CLI::App* checkpoint = audit->add_subcommand(
      "checkpoint",
      "Sign every partition's tree head now and print the newest checkpoints (not while a "
      "server has the data directory open: it signs on its own, see POST "
      "/v1/audit/checkpoints)");
  AddDataOption(*checkpoint, &co->data);
  checkpoint->callback([co] { RunCheckpoint(*co); });
}

}  // namespace closeloop::app
