#include "events/evidence.h"

#include <nlohmann/json.hpp>
#include <set>

#include "base/time_text.h"
#include "events/merkle.h"
#include "events/record.h"
#include "events/tlog_proof.h"

namespace closeloop::events {
namespace {

using nlohmann::json;

std::string HashB64(const Hash& h) {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

// The object's members are exactly `names`.
Status ExactMembers(const json& j, std::initializer_list<std::string_view> names,
                    const std::string& where) {
  if (!j.is_object()) return Corruption(where + ": not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (auto n : names) known = known || it.key() == n;
    if (!known) return Corruption(where + ": unexpected member \"" + it.key() + "\"");
  }
  for (auto n : names) {
    if (!j.contains(std::string(n))) {
      return Corruption(where + ": missing member \"" + std::string(n) + "\"");
    }
  }
  return Status::Ok();
}

Result<std::string> String(const json& j, const char* name, const std::string& where) {
  const json& v = j.at(name);
  if (!v.is_string()) return Corruption(where + "." + name + ": not a string");
  return v.get<std::string>();
}

Result<uint64_t> Unsigned(const json& j, const char* name, const std::string& where) {
  const json& v = j.at(name);
  if (!v.is_number_unsigned()) return Corruption(where + "." + name + ": not a whole number");
  return v.get<uint64_t>();
}

Result<Evidence> Decode(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Corruption("the bundle is not valid JSON");
  CL_RETURN_IF_ERROR(ExactMembers(j, {"format", "log", "chain_id", "key", "partitions"}, "bundle"));
  CL_ASSIGN_OR_RETURN(std::string format, String(j, "format", "bundle"));
  if (format != kEvidenceFormat) {
    return Corruption("bundle.format: \"" + format + "\" is not " + std::string(kEvidenceFormat));
  }
  Evidence e;
  CL_ASSIGN_OR_RETURN(e.log, String(j, "log", "bundle"));
  CL_ASSIGN_OR_RETURN(e.chain_id, String(j, "chain_id", "bundle"));
  CL_ASSIGN_OR_RETURN(e.key, String(j, "key", "bundle"));
  const json& parts = j.at("partitions");
  if (!parts.is_array() || parts.empty())
    return Corruption("bundle.partitions: an empty or non-array");
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string where = "partitions[" + std::to_string(i) + "]";
    CL_RETURN_IF_ERROR(ExactMembers(parts[i], {"partition", "checkpoint", "records"}, where));
    EvidencePartition ep;
    CL_ASSIGN_OR_RETURN(uint64_t p, Unsigned(parts[i], "partition", where));
    if (p > UINT32_MAX) return Corruption(where + ".partition: out of range");
    ep.partition = static_cast<uint32_t>(p);
    CL_ASSIGN_OR_RETURN(ep.checkpoint, String(parts[i], "checkpoint", where));
    const json& recs = parts[i].at("records");
    if (!recs.is_array() || recs.empty())
      return Corruption(where + ".records: empty or not an array");
    for (size_t k = 0; k < recs.size(); ++k) {
      std::string rw = where + ".records[" + std::to_string(k) + "]";
      CL_RETURN_IF_ERROR(ExactMembers(recs[k], {"offset", "record", "proof"}, rw));
      EvidenceRecord r;
      CL_ASSIGN_OR_RETURN(r.offset, Unsigned(recs[k], "offset", rw));
      CL_ASSIGN_OR_RETURN(std::string b64, String(recs[k], "record", rw));
      auto bytes = Base64Decode(b64);
      if (!bytes.ok()) return Corruption(rw + ".record: " + bytes.status().message());
      r.bytes = std::move(*bytes);
      const json& proof = recs[k].at("proof");
      if (!proof.is_array()) return Corruption(rw + ".proof: not an array");
      for (size_t h = 0; h < proof.size(); ++h) {
        std::string hw = rw + ".proof[" + std::to_string(h) + "]";
        if (!proof[h].is_string()) return Corruption(hw + ": not a string");
        auto raw = Base64Decode(proof[h].get<std::string>());
        if (!raw.ok() || raw->size() != 32) return Corruption(hw + ": not a base64 SHA-256 hash");
        Hash hash;
        std::copy(raw->begin(), raw->end(), hash.begin());
        r.proof.push_back(hash);
      }
      ep.records.push_back(std::move(r));
    }
    e.partitions.push_back(std::move(ep));
  }
  return e;
}

}  // namespace

std::string EncodeEvidence(const Evidence& e) {
  json parts = json::array();
  for (const auto& p : e.partitions) {
    json recs = json::array();
    for (const auto& r : p.records) {
      json proof = json::array();
      for (const auto& h : r.proof) proof.push_back(HashB64(h));
      recs.push_back({{"offset", r.offset}, {"record", Base64Encode(r.bytes)}, {"proof", proof}});
    }
    parts.push_back({{"partition", p.partition}, {"checkpoint", p.checkpoint}, {"records", recs}});
  }
  json j = {{"format", kEvidenceFormat},
            {"log", e.log},
            {"chain_id", e.chain_id},
            {"key", e.key},
            {"partitions", parts}};
  return j.dump();
}

Result<EvidenceReport> VerifyEvidence(std::string_view bundle, const NoteVerifier* trusted) {
  return VerifyEvidence(bundle, trusted, WitnessPolicy{});
}

Result<EvidenceReport> VerifyEvidence(std::string_view bundle, const NoteVerifier* trusted,
                                      const WitnessPolicy& policy) {
  if (policy.quorum > policy.witnesses.size()) {
    return InvalidArgument("a quorum of " + std::to_string(policy.quorum) +
                           " needs as many witnesses");
  }
  CL_ASSIGN_OR_RETURN(Evidence e, Decode(bundle));
  EvidenceReport out;
  out.log = e.log;
  out.chain_id = e.chain_id;
  out.key = e.key;
  NoteVerifier key;
  if (trusted != nullptr) {
    if (e.key != trusted->ToString()) {
      return Corruption("bundle.key: the bundle names the key " + e.key + ", not the trusted key " +
                        trusted->ToString());
    }
    key = *trusted;
  } else {
    auto own = ParseNoteVerifier(e.key);
    if (!own.ok()) return Corruption("bundle.key: " + own.status().message());
    key = *own;
    out.key_from_bundle = true;
  }
  if (key.name != e.log) {
    return Corruption("bundle.key: the key is named " + key.name + ", not after the log " + e.log);
  }
  bool chain_seen = false;
  int64_t last_partition = -1;
  for (size_t i = 0; i < e.partitions.size(); ++i) {
    const auto& ep = e.partitions[i];
    std::string where = "partitions[" + std::to_string(i) + "]";
    if (static_cast<int64_t>(ep.partition) <= last_partition) {
      return Corruption(where + ": partitions must be listed once each, in ascending order");
    }
    last_partition = ep.partition;
    auto text = OpenNote(ep.checkpoint, key);
    if (!text.ok()) return Corruption(where + ".checkpoint: " + text.status().message());
    auto cp = ParseCheckpoint(*text);
    if (!cp.ok()) return Corruption(where + ".checkpoint: " + cp.status().message());
    if (cp->origin != CheckpointOrigin(e.log, ep.partition)) {
      return Corruption(where + ".checkpoint: origin \"" + cp->origin + "\" is not partition " +
                        std::to_string(ep.partition) + " of log " + e.log);
    }
    ProvenPartition pp{ep.partition, *cp, {}, {}};
    for (const NoteVerifier& w : policy.witnesses) {
      auto t = OpenCosignature(ep.checkpoint, w);
      if (t.ok()) {
        pp.cosigned.push_back({w.name, *t});
      } else if (t.status().code() != Code::kNotFound) {
        return Corruption(where + ".checkpoint: " + t.status().message());
      }
    }
    if (pp.cosigned.size() < policy.quorum) {
      return Corruption(where + ".checkpoint: cosigned by " + std::to_string(pp.cosigned.size()) +
                        " of the trusted witnesses, fewer than the quorum of " +
                        std::to_string(policy.quorum));
    }
    int64_t last_offset = -1;
    for (size_t k = 0; k < ep.records.size(); ++k) {
      const auto& r = ep.records[k];
      std::string rw = where + ".records[" + std::to_string(k) + "]";
      if (static_cast<int64_t>(r.offset) <= last_offset) {
        return Corruption(rw + ": offsets must ascend (each record once, in log order)");
      }
      last_offset = static_cast<int64_t>(r.offset);
      auto rec = VerifyRecord(r.bytes);
      if (!rec.ok()) return Corruption(rw + ".record: " + rec.status().message());
      Status inc = VerifyInclusion(r.offset, cp->size, LeafHash(r.bytes), r.proof, cp->root);
      if (!inc.ok()) {
        return Corruption(rw + ": record at offset " + std::to_string(r.offset) +
                          " is not proven in the checkpoint of " + std::to_string(cp->size) +
                          " records: " + inc.message());
      }
      const fb::Record* fr = *rec;
      ProvenRecord pr;
      pr.partition = ep.partition;
      pr.offset = r.offset;
      pr.id = fr->id() ? fr->id()->str() : "";
      pr.body_type = std::string(BodyName(fr->body_type()));
      pr.correlation_id = fr->correlation_id() ? fr->correlation_id()->str() : "";
      pr.occurred_at = fr->occurred_at();
      pr.hash_hex = ToHex(RecordHash(r.bytes));
      chain_seen = chain_seen || pr.correlation_id == e.chain_id;
      out.records.push_back(std::move(pr));
      pp.offsets.push_back(r.offset);
    }
    out.partitions.push_back(std::move(pp));
  }
  if (!chain_seen) {
    return Corruption("bundle.chain_id: no record belongs to chain " + e.chain_id);
  }
  return out;
}

Result<EvidenceReport> VerifyTlogProofRecord(std::string_view text, const NoteVerifier& trusted,
                                             const WitnessPolicy& policy) {
  if (policy.quorum > policy.witnesses.size()) {
    return InvalidArgument("a quorum of " + std::to_string(policy.quorum) +
                           " needs as many witnesses");
  }
  auto proof = ParseTlogProof(text);
  if (!proof.ok()) return Corruption(proof.status().message());
  if (proof->extra.empty()) {
    return Corruption("extra: no record (closeloop's proofs carry the record in the extra line)");
  }
  auto rec = VerifyRecord(proof->extra);
  if (!rec.ok()) return Corruption("extra: not a record: " + rec.status().message());
  auto checked = CheckTlogProof(*proof, proof->extra, trusted, "");
  if (!checked.ok()) return checked.status();
  const Checkpoint& cp = checked->checkpoint;
  // The origin is "<log>/partition/<p>", the log being the one the key is named after.
  const std::string prefix = trusted.name + "/partition/";
  uint32_t partition = 0;
  const std::string digits = cp.origin.starts_with(prefix) ? cp.origin.substr(prefix.size()) : "";
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos ||
      CheckpointOrigin(trusted.name, partition = static_cast<uint32_t>(std::stoul(digits))) !=
          cp.origin) {
    return Corruption("checkpoint: origin \"" + cp.origin + "\" is not a partition of log " +
                      trusted.name);
  }
  EvidenceReport out;
  out.log = trusted.name;
  out.key = trusted.ToString();
  out.tlog_proof = true;
  ProvenPartition pp{partition, cp, {proof->index}, {}};
  for (const NoteVerifier& w : policy.witnesses) {
    auto t = OpenCosignature(proof->checkpoint, w);
    if (t.ok()) {
      pp.cosigned.push_back({w.name, *t});
    } else if (t.status().code() != Code::kNotFound) {
      return Corruption("checkpoint: " + t.status().message());
    }
  }
  if (pp.cosigned.size() < policy.quorum) {
    return Corruption("checkpoint: cosigned by " + std::to_string(pp.cosigned.size()) +
                      " of the trusted witnesses, fewer than the quorum of " +
                      std::to_string(policy.quorum));
  }
  const fb::Record* fr = *rec;
  ProvenRecord pr;
  pr.partition = partition;
  pr.offset = proof->index;
  pr.id = fr->id() ? fr->id()->str() : "";
  pr.body_type = std::string(BodyName(fr->body_type()));
  pr.correlation_id = fr->correlation_id() ? fr->correlation_id()->str() : "";
  pr.occurred_at = fr->occurred_at();
  pr.hash_hex = ToHex(RecordHash(proof->extra));
  out.chain_id = pr.correlation_id;
  out.records.push_back(std::move(pr));
  out.partitions.push_back(std::move(pp));
  return out;
}

std::string EvidenceReport::Describe() const {
  std::string out = tlog_proof
                        ? "ok: this record (c2sp.org/tlog-proof) is in log " + log + ":\n"
                        : "ok: these " + std::to_string(records.size()) + " records of chain " +
                              chain_id + ", in this order, are in log " + log + ":\n";
  for (const auto& p : partitions) {
    out += "  partition " + std::to_string(p.partition) + " at positions ";
    for (size_t i = 0; i < p.offsets.size(); ++i) {
      out += (i ? ", " : "") + std::to_string(p.offsets[i]);
    }
    out += ", under the checkpoint of " + std::to_string(p.checkpoint.size) + " records";
    if (p.checkpoint.signed_at_ms != 0)
      out += " signed at " + FormatTime(p.checkpoint.signed_at_ms);
    out += " (root " + ToHex(p.checkpoint.root) + ")\n";
    for (const auto& c : p.cosigned) {
      out += "    cosigned by witness " + c.witness + " at " +
             FormatTime(static_cast<int64_t>(c.time_s) * 1000) +
             ": it had seen this log grow only by appends up to this checkpoint\n";
    }
  }
  out += "signed by key " + key + "\n";
  if (key_from_bundle) {
    out +=
        "note: the key was taken from the bundle itself; compare it with the key the log "
        "publishes (GET /.well-known/closeloop-checkpoint-key, `closeloop audit key`) or pass "
        "--key\n";
  }
  out += "records:\n";
  for (const auto& r : records) {
    out += "  p" + std::to_string(r.partition) + "@" + std::to_string(r.offset) + "  " + r.id +
           "  " + r.body_type + "  occurred " + FormatTime(r.occurred_at) + "  sha256 " +
           r.hash_hex + "\n";
  }
  return out;
}

}  // namespace closeloop::events
