#include "events/tlog_proof.h"

#include <charconv>

#include "events/merkle.h"

namespace closeloop::events {
namespace {

std::string Line(size_t n, std::string_view what) {
  return "line " + std::to_string(n) + ": " + std::string(what);
}

}  // namespace

std::string EncodeTlogProof(const TlogProof& p) {
  std::string out(kTlogProofHeader);
  out += '\n';
  if (!p.extra.empty()) out += "extra " + Base64Encode(p.extra) + "\n";
  out += "index " + std::to_string(p.index) + "\n";
  for (const Hash& h : p.proof) {
    out += Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
    out += '\n';
  }
  out += '\n';
  out += p.checkpoint;
  return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  TlogProof p;
  size_t pos = 0, n = 0;
  // The next line without its newline; a line must end with one.
  auto next = [&](std::string_view* line) -> Status {
    ++n;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      return InvalidArgument(Line(n, "the proof ends before the checkpoint"));
    *line = text.substr(pos, end - pos);
    pos = end + 1;
    return Status::Ok();
  };
  std::string_view line;
  CL_RETURN_IF_ERROR(next(&line));
  if (line != kTlogProofHeader) {
    return InvalidArgument(Line(n, "not \"" + std::string(kTlogProofHeader) + "\""));
  }
  CL_RETURN_IF_ERROR(next(&line));
  if (line.starts_with("extra ")) {
    auto extra = Base64Decode(line.substr(6));
    if (!extra.ok()) return InvalidArgument(Line(n, "extra: " + extra.status().message()));
    if (extra->empty()) return InvalidArgument(Line(n, "extra: empty (leave the line out)"));
    p.extra = std::move(*extra);
    CL_RETURN_IF_ERROR(next(&line));
  }
  if (!line.starts_with("index ")) return InvalidArgument(Line(n, "expected \"index N\""));
  std::string_view digits = line.substr(6);
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0') ||
      digits.find_first_not_of("0123456789") != std::string_view::npos ||
      std::from_chars(digits.data(), digits.data() + digits.size(), p.index).ec != std::errc()) {
    return InvalidArgument(Line(n, "index: a decimal number without leading zeros"));
  }
  for (;;) {
    CL_RETURN_IF_ERROR(next(&line));
    if (line.empty()) break;
    auto raw = Base64Decode(line);
    if (!raw.ok()) return InvalidArgument(Line(n, raw.status().message()));
    if (raw->size() != 32) return InvalidArgument(Line(n, "a proof hash is 32 bytes"));
    Hash h;
    std::copy(raw->begin(), raw->end(), h.begin());
    p.proof.push_back(h);
    if (p.proof.size() > 64) return InvalidArgument(Line(n, "more than 64 proof hashes"));
  }
  if (pos >= text.size()) return InvalidArgument(Line(n + 1, "no checkpoint after the empty line"));
  p.checkpoint = std::string(text.substr(pos));
  return p;
}

Result<TlogProofCheck> CheckTlogProof(const TlogProof& proof, std::string_view record,
                                      const NoteVerifier& verifier, std::string_view origin) {
  auto body = OpenNote(proof.checkpoint, verifier);
  if (!body.ok()) return Corruption("checkpoint: " + body.status().message());
  auto cp = ParseCheckpoint(*body);
  if (!cp.ok()) return Corruption("checkpoint: " + cp.status().message());
  if (!origin.empty() && cp->origin != origin) {
    return Corruption("checkpoint: origin is " + cp->origin + ", not " + std::string(origin));
  }
  if (proof.index >= cp->size) {
    return Corruption("index " + std::to_string(proof.index) + " is not in a tree of " +
                      std::to_string(cp->size) + " records");
  }
  Status in = VerifyInclusion(proof.index, cp->size, LeafHash(record), proof.proof, cp->root);
  if (!in.ok()) return Corruption("inclusion: " + in.message());
  return TlogProofCheck{*cp, proof.index};
}

}  // namespace closeloop::events
