// A record's proof of inclusion in the C2SP transparency-log proof format
// (c2sp.org/tlog-proof@v1), so that tools written for transparency logs can check it:
//
//   c2sp.org/tlog-proof@v1
//   [extra <base64>]
//   index <the record's position in its partition>
//   <base64 SHA-256>      one line per hash of the RFC 6962 inclusion proof, leaf side first
//   ...
//   <empty line>
//   <the checkpoint, verbatim: a signed note, with any witnesses' cosignatures>
//
// The entry itself is not in the proof: whoever checks it holds the record (the bytes the
// log stores) and hashes it as a leaf, SHA-256(0x00 || record).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/hash.h"
#include "events/note.h"

namespace closeloop::events {

inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

struct TlogProof {
  std::string extra;  // the opaque extra data, decoded (not authenticated); "" when absent
  uint64_t index = 0;
  std::vector<Hash> proof;
  std::string checkpoint;  // the signed note, verbatim
};

std::string EncodeTlogProof(const TlogProof& proof);
// Strict: the header, `extra` and `index` lines as the format has them (no leading zeros),
// canonical base64 of exactly 32 bytes per hash, the empty line, a checkpoint after it.
// The error names the line ("line 4: ...").
Result<TlogProof> ParseTlogProof(std::string_view text);

// What a proof proves once checked: the record is leaf `index` of the tree of
// `checkpoint.size` records whose root `verifier` signed for `checkpoint.origin`.
struct TlogProofCheck {
  Checkpoint checkpoint;
  uint64_t index = 0;
};
// Opens the checkpoint with `verifier` (a signature by it must verify), requires the origin
// to be `origin` when it is not empty, and the proof to lead from the record's leaf hash
// at `index` to the checkpoint's root. Corruption, saying which, when any does not hold.
Result<TlogProofCheck> CheckTlogProof(const TlogProof& proof, std::string_view record,
                                      const NoteVerifier& verifier, std::string_view origin);

}  // namespace closeloop::events
