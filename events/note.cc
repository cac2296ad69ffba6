#include "events/note.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <cstdint>
#include <memory>

namespace closeloop::events {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // "— " (U+2014, space)
constexpr std::string_view kSignedAt = "closeloop-signed-at ";

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string Hex8(uint32_t v) {
  static constexpr char d[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[i] = d[v & 15];
  return out;
}

Result<uint32_t> ParseHex8(std::string_view s) {
  if (s.size() != 8) return InvalidArgument("key hash must be 8 hex digits");
  uint32_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return InvalidArgument("key hash must be lowercase hex");
    v = v * 16 + static_cast<uint32_t>(d);
  }
  return v;
}

// Splits at `sep`; with `max_parts`, the last part keeps the rest (base64 holds '+').
std::vector<std::string_view> Split(std::string_view s, char sep, size_t max_parts = SIZE_MAX) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = out.size() + 1 >= max_parts ? std::string_view::npos : s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// type || 32 bytes, base64; the type is a note signature (0x01) or a cosignature (0x04).
Result<std::array<uint8_t, 32>> ParseKeyBytes(std::string_view b64, const char* what,
                                              uint8_t* type) {
  auto raw = Base64Decode(b64);
  if (!raw.ok()) return InvalidArgument(std::string(what) + ": " + raw.status().message());
  uint8_t t = raw->empty() ? 0 : static_cast<uint8_t>((*raw)[0]);
  if (raw->size() != 33 || (t != kNoteEd25519 && t != kCosignatureV1)) {
    return InvalidArgument(std::string(what) +
                           ": not an Ed25519 key (0x01 or 0x04 for a cosigner, and 32 bytes)");
  }
  *type = t;
  std::array<uint8_t, 32> out;
  std::copy(raw->begin() + 1, raw->end(), out.begin());
  return out;
}

std::string KeyBytes(const std::array<uint8_t, 32>& k, uint8_t type) {
  std::string raw(1, static_cast<char>(type));
  raw.append(reinterpret_cast<const char*>(k.data()), k.size());
  return Base64Encode(raw);
}

Result<NoteSigner> SignerFromSeed(std::string name, const std::array<uint8_t, 32>& seed,
                                  uint8_t type) {
  CL_RETURN_IF_ERROR(CheckKeyName(name));
  Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!pkey) return Internal("OpenSSL: cannot load an Ed25519 key");
  NoteSigner s;
  size_t len = s.key.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), s.key.data(), &len) != 1 || len != 32) {
    return Internal("OpenSSL: cannot derive the Ed25519 public key");
  }
  s.name = std::move(name);
  s.seed = seed;
  s.type = type;
  s.key_hash = NoteKeyHash(s.name, s.key, type);
  return s;
}

// A note text: non-empty, ends in a newline, no control characters but newlines, valid
// UTF-8 (checked loosely: no bytes OpenSSL would care about; the signature covers bytes).
Status CheckNoteText(std::string_view text) {
  if (text.empty() || text.back() != '\n')
    return InvalidArgument("note text must end in a newline");
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      return InvalidArgument("note text has a control character");
    }
  }
  return Status::Ok();
}

Result<uint64_t> ParseDecimal(std::string_view s, const char* what) {
  uint64_t v = 0;
  if (s.empty() || (s.size() > 1 && s[0] == '0')) {
    return InvalidArgument(std::string(what) + " is not a decimal number: '" + std::string(s) +
                           "'");
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return InvalidArgument(std::string(what) + " is not a decimal number: '" + std::string(s) +
                           "'");
  }
  return v;
}

}  // namespace

std::string Base64Encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgument("base64 length is not a multiple of 4");
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return InvalidArgument("base64 has a character outside its alphabet");
  // EVP_DecodeBlock counts padding as zero bytes; and it skips surrounding blanks, accepts
  // '=' in the middle and spare bits: the re-encoding refuses all of those.
  size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) >= pad ? static_cast<size_t>(n) - pad : 0);
  if (Base64Encode(out) != text) return InvalidArgument("base64 is not in canonical form");
  return out;
}

std::string NoteVerifier::ToString() const {
  return name + "+" + Hex8(key_hash) + "+" + KeyBytes(key, type);
}

std::string NoteSigner::ToString() const {
  return "PRIVATE+KEY+" + name + "+" + Hex8(key_hash) + "+" + KeyBytes(seed, type);
}

Status CheckKeyName(std::string_view name) {
  if (name.empty()) return InvalidArgument("a key name cannot be empty");
  for (unsigned char c : name) {
    if (c <= 0x20 || c == '+' || c == 0x7f) {
      return InvalidArgument("a key name cannot hold spaces, control characters or '+'");
    }
  }
  return Status::Ok();
}

uint32_t NoteKeyHash(std::string_view name, const Ed25519Public& key, uint8_t type) {
  Sha256 h;
  h.Update(name);
  const uint8_t sep[2] = {'\n', type};
  h.Update(sep, 2);
  h.Update(key.data(), key.size());
  Hash d = h.Finish();
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | uint32_t{d[3]};
}

Result<NoteSigner> GenerateNoteSigner(std::string name, uint8_t type) {
  std::array<uint8_t, 32> seed;
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
    return Internal("OpenSSL: no randomness for a signing key");
  }
  return SignerFromSeed(std::move(name), seed, type);
}

Result<NoteSigner> ParseNoteSigner(std::string_view text) {
  auto parts = Split(text, '+', 5);
  if (parts.size() != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY") {
    return InvalidArgument("a signing key reads PRIVATE+KEY+<name>+<hash>+<key>");
  }
  CL_ASSIGN_OR_RETURN(uint32_t hash, ParseHex8(parts[3]));
  uint8_t type = 0;
  CL_ASSIGN_OR_RETURN(auto seed, ParseKeyBytes(parts[4], "signing key", &type));
  CL_ASSIGN_OR_RETURN(NoteSigner s, SignerFromSeed(std::string(parts[2]), seed, type));
  if (s.key_hash != hash) return InvalidArgument("signing key: the key hash does not match");
  return s;
}

Result<NoteVerifier> ParseNoteVerifier(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto parts = Split(text, '+', 3);
  if (parts.size() != 3) return InvalidArgument("a verifier key reads <name>+<hash>+<key>");
  CL_RETURN_IF_ERROR(CheckKeyName(parts[0]));
  CL_ASSIGN_OR_RETURN(uint32_t hash, ParseHex8(parts[1]));
  uint8_t type = 0;
  CL_ASSIGN_OR_RETURN(auto key, ParseKeyBytes(parts[2], "verifier key", &type));
  NoteVerifier v{std::string(parts[0]), hash, key, type};
  if (NoteKeyHash(v.name, v.key, type) != hash) {
    return InvalidArgument("verifier key: the key hash does not match the name and key");
  }
  return v;
}

namespace {

Result<std::array<uint8_t, 64>> Ed25519Sign(const NoteSigner& signer, std::string_view msg) {
  Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, signer.seed.data(),
                                         signer.seed.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx) return Internal("OpenSSL: cannot set up Ed25519");
  std::array<uint8_t, 64> sig;
  size_t len = sig.size();
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const uint8_t*>(msg.data()),
                     msg.size()) != 1 ||
      len != 64) {
    return Internal("OpenSSL: Ed25519 signing failed");
  }
  return sig;
}

Result<bool> Ed25519Verify(const NoteVerifier& v, const uint8_t* sig, std::string_view msg) {
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, v.key.data(), v.key.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx) return Internal("OpenSSL: cannot set up Ed25519");
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), sig, 64, reinterpret_cast<const uint8_t*>(msg.data()),
                          msg.size()) == 1;
}

std::string SignatureLine(const NoteSigner& signer, std::string_view signature) {
  std::string blob;
  for (int i = 3; i >= 0; --i)
    blob.push_back(static_cast<char>((signer.key_hash >> (8 * i)) & 0xff));
  blob.append(signature);
  return std::string(kSigPrefix) + signer.name + " " + Base64Encode(blob) + "\n";
}

struct NoteSignature {
  std::string_view line;  // without "— " and the newline
  std::string_view name;
  uint32_t key_hash = 0;
  std::string blob;  // after the key hash
};

struct SplitNoteResult {
  std::string_view text;  // up to and with the newline before the blank line
  std::vector<NoteSignature> signatures;
};

// A signed note's text and signature lines, each well-formed (its key's or not).
Result<SplitNoteResult> SplitNote(std::string_view note) {
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos)
    return Corruption("note: no blank line before the signatures");
  SplitNoteResult out{note.substr(0, split + 1), {}};
  std::string_view sigs = note.substr(split + 2);
  CL_RETURN_IF_ERROR(CheckNoteText(out.text).Annotate("note"));
  if (sigs.empty() || sigs.back() != '\n')
    return Corruption("note: signatures must end in a newline");
  sigs.remove_suffix(1);
  for (std::string_view line : Split(sigs, '\n')) {
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return Corruption("note: a signature line must start with '— '");
    }
    NoteSignature sig{line, {}, 0, {}};
    line.remove_prefix(kSigPrefix.size());
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return Corruption("note: a signature line has no signature");
    sig.name = line.substr(0, sp);
    auto blob = Base64Decode(line.substr(sp + 1));
    if (!blob.ok() || blob->size() < 5) return Corruption("note: a signature is not valid base64");
    for (int i = 0; i < 4; ++i) sig.key_hash = sig.key_hash << 8 | static_cast<uint8_t>((*blob)[i]);
    sig.blob = blob->substr(4);
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

std::string CosignedMessage(uint64_t time_s, std::string_view text) {
  return "cosignature/v1\ntime " + std::to_string(time_s) + "\n" + std::string(text);
}

}  // namespace

Result<std::string> SignNote(const NoteSigner& signer, std::string_view text) {
  CL_RETURN_IF_ERROR(CheckNoteText(text));
  if (signer.type != kNoteEd25519) return InvalidArgument("a cosigner's key signs no notes");
  CL_ASSIGN_OR_RETURN(auto sig, Ed25519Sign(signer, text));
  return std::string(text) + "\n" +
         SignatureLine(signer, std::string_view(reinterpret_cast<const char*>(sig.data()), 64));
}

Result<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier) {
  if (verifier.type != kNoteEd25519) {
    return InvalidArgument("note: " + verifier.name + " is a cosigner's key, not a log's");
  }
  CL_ASSIGN_OR_RETURN(SplitNoteResult split, SplitNote(note));
  bool verified = false;
  for (const NoteSignature& sig : split.signatures) {
    if (sig.name != verifier.name || sig.key_hash != verifier.key_hash) continue;  // another key's
    if (sig.blob.size() != 64) return Corruption("note: the Ed25519 signature is not 64 bytes");
    CL_ASSIGN_OR_RETURN(
        bool ok,
        Ed25519Verify(verifier, reinterpret_cast<const uint8_t*>(sig.blob.data()), split.text));
    if (!ok) {
      return Corruption("note: the signature by " + verifier.name +
                        " does not verify (the text or the signature was altered)");
    }
    verified = true;
  }
  if (!verified) {
    return Corruption("note: not signed by the key " + verifier.name + "+" +
                      Hex8(verifier.key_hash) + " (signed by another key, or unsigned)");
  }
  return std::string(split.text);
}

Result<std::string> CosignNote(const NoteSigner& cosigner, std::string_view note, uint64_t time_s) {
  if (cosigner.type != kCosignatureV1) {
    return InvalidArgument("cosign: " + cosigner.name + " is not a cosigner's key (type 0x04)");
  }
  if (time_s > uint64_t{INT64_MAX}) return InvalidArgument("cosign: time out of range");
  CL_ASSIGN_OR_RETURN(SplitNoteResult split, SplitNote(note));
  CL_ASSIGN_OR_RETURN(auto sig, Ed25519Sign(cosigner, CosignedMessage(time_s, split.text)));
  std::string signature;
  for (int i = 7; i >= 0; --i) signature.push_back(static_cast<char>((time_s >> (8 * i)) & 0xff));
  signature.append(reinterpret_cast<const char*>(sig.data()), 64);
  return std::string(note) + SignatureLine(cosigner, signature);
}

Result<uint64_t> OpenCosignature(std::string_view note, const NoteVerifier& verifier) {
  if (verifier.type != kCosignatureV1) {
    return InvalidArgument("cosignature: " + verifier.name + " is not a cosigner's key");
  }
  CL_ASSIGN_OR_RETURN(SplitNoteResult split, SplitNote(note));
  for (const NoteSignature& sig : split.signatures) {
    if (sig.name != verifier.name || sig.key_hash != verifier.key_hash) continue;
    if (sig.blob.size() != 72) return Corruption("cosignature: not 8 + 64 bytes");
    uint64_t time_s = 0;
    for (int i = 0; i < 8; ++i) time_s = time_s << 8 | static_cast<uint8_t>(sig.blob[i]);
    if (time_s > uint64_t{INT64_MAX}) return Corruption("cosignature: time out of range");
    CL_ASSIGN_OR_RETURN(
        bool ok, Ed25519Verify(verifier, reinterpret_cast<const uint8_t*>(sig.blob.data()) + 8,
                               CosignedMessage(time_s, split.text)));
    if (!ok) {
      return Corruption("cosignature by " + verifier.name +
                        " does not verify (the checkpoint or the cosignature was altered)");
    }
    return time_s;
  }
  return NotFound("no cosignature by " + verifier.name + "+" + Hex8(verifier.key_hash));
}

Result<std::vector<std::string>> NoteSignatureLines(std::string_view note) {
  CL_ASSIGN_OR_RETURN(SplitNoteResult split, SplitNote(note));
  std::vector<std::string> out;
  for (const NoteSignature& sig : split.signatures) out.emplace_back(sig.line);
  return out;
}

std::string Checkpoint::Text() const {
  std::string out = origin + "\n" + std::to_string(size) + "\n" +
                    Base64Encode(std::string_view(reinterpret_cast<const char*>(root.data()), 32)) +
                    "\n";
  if (signed_at_ms != 0) out += std::string(kSignedAt) + std::to_string(signed_at_ms) + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Corruption("checkpoint: must end in a newline");
  text.remove_suffix(1);
  auto lines = Split(text, '\n');
  if (lines.size() < 3) return Corruption("checkpoint: needs origin, size and root hash lines");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return Corruption("checkpoint: empty origin line");
  auto size = ParseDecimal(lines[1], "checkpoint tree size");
  if (!size.ok()) return Corruption(size.status().message());
  c.size = *size;
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != 32)
    return Corruption("checkpoint: the root hash is not 32 bytes of base64");
  std::copy(root->begin(), root->end(), c.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Corruption("checkpoint: empty extension line");
    if (lines[i].substr(0, kSignedAt.size()) == kSignedAt) {
      auto ms = ParseDecimal(lines[i].substr(kSignedAt.size()), "checkpoint signing time");
      if (!ms.ok()) return Corruption(ms.status().message());
      c.signed_at_ms = static_cast<int64_t>(*ms);
    }
  }
  return c;
}

std::string CheckpointOrigin(std::string_view log_name, uint32_t partition) {
  return std::string(log_name) + "/partition/" + std::to_string(partition);
}

}  // namespace closeloop::events
