// The evidence bundle (format "closeloop-evidence/2") and its offline verifier: a chain's
// records as stored, each with its RFC 6962 inclusion proof against its partition's signed
// checkpoint (a C2SP tlog-checkpoint note), and the checkpoint. Kilobytes, not partitions.
//
// The bundle is one compact JSON object with exactly these members:
//   {"format":"closeloop-evidence/2","log":L,"chain_id":C,"key":<verifier key>,
//    "partitions":[{"partition":P,"checkpoint":<signed note>,
//                   "records":[{"offset":O,"record":<base64 stored bytes>,
//                               "proof":[<base64 hash>,...]},...]},...]}
// Every member is checked (unknown or missing members are refused), so any change to a
// byte of it is either malformed or breaks a proof or signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/hash.h"
#include "events/note.h"

namespace closeloop::events {

inline constexpr std::string_view kEvidenceFormat = "closeloop-evidence/2";

struct EvidenceRecord {
  uint64_t offset = 0;
  std::string bytes;  // the record as stored
  std::vector<Hash> proof;
};

struct EvidencePartition {
  uint32_t partition = 0;
  std::string checkpoint;               // the signed note
  std::vector<EvidenceRecord> records;  // ascending offsets
};

struct Evidence {
  std::string log, chain_id, key;
  std::vector<EvidencePartition> partitions;  // ascending partitions
};

std::string EncodeEvidence(const Evidence& evidence);

// What a verified bundle proves.
struct ProvenRecord {
  uint32_t partition = 0;
  uint64_t offset = 0;
  std::string id, body_type, correlation_id, hash_hex;
  int64_t occurred_at = 0;
};
struct Cosigned {
  std::string witness;  // the witness's key name
  uint64_t time_s = 0;  // when it cosigned (POSIX seconds)
};
struct ProvenPartition {
  uint32_t partition = 0;
  Checkpoint checkpoint;
  std::vector<uint64_t> offsets;
  std::vector<Cosigned> cosigned;  // by the trusted witnesses
};
struct EvidenceReport {
  std::string log, chain_id, key;
  bool key_from_bundle = false;  // no trusted key was given: the bundle's own was used
  bool tlog_proof = false;       // one record's c2sp.org/tlog-proof, not a chain's bundle
  std::vector<ProvenPartition> partitions;
  std::vector<ProvenRecord> records;
  std::string Describe() const;  // the sentences `evidence verify` prints
};

// Checks everything offline: the format; every checkpoint's signature by the key (the
// trusted one when given: the bundle must name exactly it); each origin names the log and
// partition; each record is a valid Record, sits at a distinct ascending offset below the
// checkpoint's size, and its inclusion proof leads to the checkpoint's root; the chain id
// is the correlation id of at least one record. The first failure is the error.
Result<EvidenceReport> VerifyEvidence(std::string_view bundle, const NoteVerifier* trusted);

// The same, and each checkpoint must carry valid cosignatures (C2SP cosignature/v1) by at
// least `quorum` distinct keys among `witnesses`; cosignatures by other keys are ignored, a
// trusted witness's line that does not verify is a failure.
struct WitnessPolicy {
  std::vector<NoteVerifier> witnesses;  // of type kCosignatureV1
  size_t quorum = 0;
};
Result<EvidenceReport> VerifyEvidence(std::string_view bundle, const NoteVerifier* trusted,
                                      const WitnessPolicy& policy);

// One record's proof in the C2SP tlog-proof form (events/tlog_proof.h) as GET
// /v1/audit/proof gives it: the record in its `extra` line must be a valid Record, the
// checkpoint signed by `trusted` (a proof names no key of its own: the key is required),
// its origin a partition of the log the key is named after, the inclusion proof must lead
// from the record to the checkpoint's root, and the witnesses' quorum must hold.
Result<EvidenceReport> VerifyTlogProofRecord(std::string_view text, const NoteVerifier& trusted,
                                             const WitnessPolicy& policy);

}  // namespace closeloop::events
