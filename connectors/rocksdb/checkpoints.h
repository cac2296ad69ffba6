// Signed checkpoints of the embedded log: each partition's tree head (events/merkle.h)
// signed as a C2SP tlog-checkpoint note (events/note.h) with the node's Ed25519 key.
//
// The key: DATA/checkpoint-key (mode 0600), a signed-note signing key named after the log,
// created at first start. Checkpoints are kept in "meta" under "ckp/<partition BE><size BE>"
// = the signed note. Signing reads the wall clock and happens here, at the boundary (on a
// schedule, on demand, at an evidence export), never inside engine processing; a checkpoint
// commits to records already on the log and changes nothing the engine reads, so replay
// stays deterministic.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/rocksdb/embedded_log.h"
#include "events/note.h"

namespace closeloop::rocks {

struct StoredCheckpoint {
  uint32_t partition = 0;
  events::Checkpoint checkpoint;
  std::string note;  // the signed note, as published
};

class Checkpointer {
 public:
  // Loads DATA/checkpoint-key; creates it (mode 0600) when absent and `create` is set.
  static Result<std::unique_ptr<Checkpointer>> Open(EmbeddedLog* log, RocksDb* db,
                                                    const std::string& data_dir, bool create);
  // The key file's path in a data directory.
  static std::string KeyPath(const std::string& data_dir);
  // The verifier key of the data directory's signing key, without opening the log.
  static Result<events::NoteVerifier> ReadVerifier(const std::string& data_dir);

  const events::NoteVerifier& verifier() const { return verifier_; }

  // Signs every partition's current tree head that has grown since its last checkpoint,
  // stamped `now_ms`; returns the new checkpoints.
  Result<std::vector<StoredCheckpoint>> Publish(int64_t now_ms);
  // The newest checkpoint of a partition; NotFound when it has none.
  Result<StoredCheckpoint> Latest(uint32_t partition) const;
  // Up to `limit` checkpoints of a partition, newest first.
  Result<std::vector<StoredCheckpoint>> List(uint32_t partition, size_t limit) const;
  // The checkpoint of a partition at exactly `size` records; NotFound when none was signed.
  Result<StoredCheckpoint> At(uint32_t partition, uint64_t size) const;

  // Keeps a witness's cosignature (C2SP cosignature/v1) of one of this log's checkpoints:
  // `cosigned` is the checkpoint note with the witness's line; it must be a checkpoint this
  // log signed (same text) and the witness's line must verify under `witness`. The line is
  // appended to the stored note, so every later read (lists, evidence bundles) carries it;
  // a second cosignature by the same key is kept as the first (returns the stored one).
  Result<StoredCheckpoint> AddCosignature(std::string_view cosigned,
                                          const events::NoteVerifier& witness);

 private:
  Checkpointer(EmbeddedLog* log, RocksDb* db, events::NoteSigner signer)
      : log_(log), db_(db), signer_(std::move(signer)), verifier_(signer_.Verifier()) {}
  Result<StoredCheckpoint> Decode(uint32_t partition, std::string_view note) const;

  EmbeddedLog* const log_;
  RocksDb* const db_;
  const events::NoteSigner signer_;
  const events::NoteVerifier verifier_;
  std::mutex mu_;  // one Publish at a time
};

}  // namespace closeloop::rocks
