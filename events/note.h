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

struct NoteVerifier {
  std::string name;
  uint32_t key_hash = 0;
  Ed25519Public key{};
  std::string ToString() const;  // the verifier key text
};

struct NoteSigner {
  std::string name;
  uint32_t key_hash = 0;
  std::array<uint8_t, 32> seed{};
  Ed25519Public key{};
  std::string ToString() const;  // the signing key text (secret)
  NoteVerifier Verifier() const { return {name, key_hash, key}; }
};

// A key name: non-empty, no whitespace, no '+'.
Status CheckKeyName(std::string_view name);
uint32_t NoteKeyHash(std::string_view name, const Ed25519Public& key);
Result<NoteSigner> GenerateNoteSigner(std::string name);
Result<NoteSigner> ParseNoteSigner(std::string_view text);
Result<NoteVerifier> ParseNoteVerifier(std::string_view text);

// `text` + "\n" + the signature line. `text` must be a valid note text.
Result<std::string> SignNote(const NoteSigner& signer, std::string_view text);
// The note's text when a signature line by `verifier` (same name and key hash) verifies.
// Lines by other keys are skipped; a line by this key that does not verify is an error.
Result<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier);

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
