// Signed checkpoints in the transparency-log ecosystem's own formats (C2SP):
// - signed-note (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, and
//   signature lines "— <key name> <base64(4-byte key hash || Ed25519 signature)>"; the key
//   hash is the first 4 bytes of SHA-256(<key name> || "\n" || 0x01 || public key);
//   verifier keys are "<name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>", signing
//   keys "PRIVATE+KEY+<name>+<key hash>+<base64(0x01 || seed)>" (as Go's golang.org/x/mod/
//   sumdb/note writes them).
// - tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text is the origin line, the tree
//   size in decimal, the base64 root hash, then optional extension lines. closeloop adds one,
//   "closeloop-signed-at <unix milliseconds>"; tools for the format ignore it.
// - tlog-cosignature (c2sp.org/tlog-cosignature, cosignature/v1): a witness's signature line
//   on a checkpoint, key hash over "<name>\n" || 0x04 || key, signature = 8-byte big-endian
//   POSIX time || Ed25519 over "cosignature/v1\ntime <t>\n" || the checkpoint's note text.
// Ed25519 through OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "events/hash.h"

namespace closeloop::events {

// RFC 4648 base64 with padding. Decoding is strict: anything that would not re-encode to
// the same text (bad characters, missing padding, non-zero spare bits) is refused.
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

using Ed25519Public = std::array<uint8_t, 32>;

// The key's signature type, the byte before the key in key texts and hashes.
inline constexpr uint8_t kNoteEd25519 = 0x01;    // signed-note signatures (a log's key)
inline constexpr uint8_t kCosignatureV1 = 0x04;  // tlog-cosignature/v1 (a witness's key)

struct NoteVerifier {
  std::string name;
  uint32_t key_hash = 0;
  Ed25519Public key{};
  uint8_t type = kNoteEd25519;
  std::string ToString() const;  // the verifier key text
};

struct NoteSigner {
  std::string name;
  uint32_t key_hash = 0;
  std::array<uint8_t, 32> seed{};
  Ed25519Public key{};
  uint8_t type = kNoteEd25519;
  std::string ToString() const;  // the signing key text (secret)
  NoteVerifier Verifier() const { return {name, key_hash, key, type}; }
};

// A key name: non-empty, no whitespace, no '+'.
Status CheckKeyName(std::string_view name);
uint32_t NoteKeyHash(std::string_view name, const Ed25519Public& key, uint8_t type = kNoteEd25519);
Result<NoteSigner> GenerateNoteSigner(std::string name, uint8_t type = kNoteEd25519);
Result<NoteSigner> ParseNoteSigner(std::string_view text);
Result<NoteVerifier> ParseNoteVerifier(std::string_view text);

// `text` + "\n" + the signature line. `text` must be a valid note text.
Result<std::string> SignNote(const NoteSigner& signer, std::string_view text);
// The note's text when a signature line by `verifier` (same name and key hash) verifies.
// Lines by other keys are skipped; a line by this key that does not verify is an error.
Result<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier);

// `note` (a signed note) with `cosigner`'s cosignature/v1 line, made at `time_s` (POSIX
// seconds), appended. The cosigner's key must be of type kCosignatureV1.
Result<std::string> CosignNote(const NoteSigner& cosigner, std::string_view note, uint64_t time_s);
// The time of `verifier`'s cosignature on `note` when it verifies; NotFound when the note
// has no line by that key; Corruption when the line is there and does not verify.
Result<uint64_t> OpenCosignature(std::string_view note, const NoteVerifier& verifier);
// The note's signature lines ("— name base64", without the newline), in order.
Result<std::vector<std::string>> NoteSignatureLines(std::string_view note);

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  int64_t signed_at_ms = 0;  // the closeloop-signed-at extension; 0 when absent
  std::string Text() const;  // the note text
};
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// The origin line of a partition's checkpoints: "<log name>/partition/<p>".
std::string CheckpointOrigin(std::string_view log_name, uint32_t partition);

}  // namespace closeloop::events
