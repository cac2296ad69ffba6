// What auditors ask: the replay digest, whether every hash chain is intact, the signed
// checkpoints (C2SP tlog-checkpoint) and their public key, consistency proofs between tree
// sizes, and a chain's evidence bundle (events/evidence.h): its records, each with an
// inclusion proof against its partition's signed checkpoint. Kilobytes, checked offline by
// `closeloop evidence verify`.
#include <limits>
#include <map>
#include <set>

#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "connectors/rocksdb/access_chain.h"
#include "connectors/rocksdb/checkpoints.h"
#include "engine/queries.h"
#include "events/evidence.h"
#include "events/hash.h"
#include "events/log.h"
#include "events/merkle.h"
#include "events/record.h"
#include "events/tlog_proof.h"

namespace closeloop::http {
namespace {

std::string HashB64(const events::Hash& h) {
  return events::Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

json CheckpointJson(const rocks::StoredCheckpoint& cp) {
  // The access log's checkpoints have no partition (their origin says "<log>/access").
  json partition =
      cp.partition == rocks::Checkpointer::kAccessLog ? json(nullptr) : json(cp.partition);
  return {{"partition", partition},
          {"origin", cp.checkpoint.origin},
          {"tree_size", cp.checkpoint.size},
          {"root_hash", HashB64(cp.checkpoint.root)},
          {"signed_at", cp.checkpoint.signed_at_ms},
          {"note", cp.note}};
}

}  // namespace

void Api::Impl::RegisterAudit(httplib::Server& s) {
  const uint32_t auditors = Roles({Role::kAuditor, Role::kAdmin});

  Route(s, "GET", "/v1/audit/digest", auditors, [this](Call& c) {
    auto digest = engine::StateDigest(*b.state);
    if (!digest.ok()) return c.Fail(digest.status());
    json positions = json::array();
    for (uint32_t p = 0; p < partitions; ++p) {
      positions.push_back({{"partition", p},
                           {"processed", b.processed(p)},
                           {"end_offset", b.log->Head(p).end_offset}});
    }
    c.Json(200, {{"digest", *digest}, {"engine_now", b.engine_now()}, {"positions", positions}});
  });

  Route(s, "GET", "/v1/audit/verify", auditors, [this](Call& c) {
    if (!b.verify_log) return c.Error(501, "not_supported", "this log cannot be verified here");
    auto problem = b.verify_log();
    if (!problem.ok()) return c.Fail(problem.status());
    json heads = json::array();
    for (uint32_t p = 0; p < partitions; ++p) {
      auto h = b.log->Head(p);
      heads.push_back({{"partition", p},
                       {"end_offset", h.end_offset},
                       {"last_hash", events::ToHex(h.last_hash)}});
    }
    // The access log: its entries against its tree and every root the checkpoints signed.
    std::map<uint64_t, events::Hash> signed_roots;
    if (b.checkpoints) {
      auto roots = b.checkpoints->AccessRoots();
      if (!roots.ok()) return c.Fail(roots.status());
      signed_roots = std::move(*roots);
    }
    auto access_problem = rocks::VerifyAccessChain(*b.db, signed_roots);
    if (!access_problem.ok()) return c.Fail(access_problem.status());
    auto access_head = rocks::AccessTreeHead(*b.db);
    if (!access_head.ok()) return c.Fail(access_head.status());
    json access = {{"intact", access_problem->empty()},
                   {"problem", *access_problem},
                   {"entries", access_head->size},
                   {"signed_checkpoints", signed_roots.size()}};
    c.Json(200, {{"intact", problem->empty() && access_problem->empty()},
                 {"problem", problem->empty() ? *access_problem : *problem},
                 {"heads", heads},
                 {"access_log", access}});
  });

  Route(s, "GET", "/.well-known/closeloop-checkpoint-key", kPublic, [this](Call& c) {
    if (!b.checkpoints) return c.Error(501, "not_supported", "this log signs no checkpoints");
    c.res.set_content(b.checkpoints->verifier().ToString() + "\n", "text/plain; charset=utf-8");
  });

  // Witnesses follow the checkpoints and their consistency (inspectors run them too).
  const uint32_t witnesses = Roles({Role::kAuditor, Role::kInspector, Role::kAdmin});
  Route(s, "GET", "/v1/audit/checkpoints", witnesses, [this](Call& c) {
    if (!b.checkpoints) return c.Error(501, "not_supported", "this log signs no checkpoints");
    auto limit = ParseInt(c.Param("limit"), 1, 1, 1000);
    if (!limit) return c.Error(400, "bad_parameter", "limit: a whole number 1..1000", "limit");
    uint32_t first = 0, last = partitions;
    if (!c.Param("partition").empty()) {
      auto p = ParseInt(c.Param("partition"), 0, 0, int64_t{partitions} - 1);
      if (!p) return c.Error(400, "bad_parameter", "partition: no such partition", "partition");
      first = static_cast<uint32_t>(*p);
      last = first + 1;
    }
    json list = json::array();
    for (uint32_t p = first; p < last; ++p) {
      auto cps = b.checkpoints->List(p, static_cast<size_t>(*limit));
      if (!cps.ok()) return c.Fail(cps.status());
      for (const auto& cp : *cps) list.push_back(CheckpointJson(cp));
    }
    json access = nullptr;
    auto newest = b.checkpoints->Latest(rocks::Checkpointer::kAccessLog);
    if (newest.ok()) access = CheckpointJson(*newest);
    if (!newest.ok() && newest.status().code() != Code::kNotFound) return c.Fail(newest.status());
    c.Json(200, {{"key", b.checkpoints->verifier().ToString()},
                 {"checkpoints", list},
                 {"access_log", access}});
  });

  Route(s, "POST", "/v1/audit/checkpoints", auditors, [this](Call& c) {
    if (!b.checkpoints) return c.Error(501, "not_supported", "this log signs no checkpoints");
    auto published = b.checkpoints->Publish(b.wall_now());
    if (!published.ok()) return c.Fail(published.status());
    json list = json::array();
    for (const auto& cp : *published) {
      if (cp.partition != rocks::Checkpointer::kAccessLog) list.push_back(CheckpointJson(cp));
    }
    c.detail = std::to_string(published->size());
    c.Json(200, {{"key", b.checkpoints->verifier().ToString()}, {"checkpoints", list}});
  });

  // A witness (closeloop witness) hands back a checkpoint it cosigned. Inspectors may: the
  // discipline commission is the witness this domain names.
  Route(s, "POST", "/v1/audit/cosignatures", witnesses, [this](Call& c) {
    if (!b.checkpoints) return c.Error(501, "not_supported", "this log signs no checkpoints");
    auto body = c.BodyObject();
    if (!body) return;
    for (const char* field : {"checkpoint", "witness_key"}) {
      if (!body->contains(field) || !(*body)[field].is_string()) {
        return c.Error(400, "invalid", std::string(field) + ": required, a string", field);
      }
    }
    auto witness = events::ParseNoteVerifier((*body)["witness_key"].get<std::string>());
    if (!witness.ok()) {
      return c.Error(422, "invalid", "witness_key: " + witness.status().message(), "witness_key");
    }
    auto stored = b.checkpoints->AddCosignature((*body)["checkpoint"].get<std::string>(), *witness);
    if (!stored.ok() && stored.status().code() == Code::kInvalidArgument) {
      const std::string& m = stored.status().message();
      std::string field = m.rfind("witness_key", 0) == 0 ? "witness_key" : "checkpoint";
      return c.Error(422, "invalid", m, field);
    }
    if (!stored.ok()) return c.Fail(stored.status());
    c.detail = witness->name + " p" + std::to_string(stored->partition) + "@" +
               std::to_string(stored->checkpoint.size);
    c.Json(200, CheckpointJson(*stored));
  });

  Route(s, "GET", "/v1/audit/consistency", witnesses, [this](Call& c) {
    if (!b.tree) return c.Error(501, "not_supported", "this log has no Merkle trees");
    auto p = ParseInt(c.Param("partition"), -1, 0, int64_t{partitions} - 1);
    if (!p || *p < 0)
      return c.Error(400, "bad_parameter", "partition: required, a partition", "partition");
    uint32_t part = static_cast<uint32_t>(*p);
    auto now = b.tree->Tree(part);
    auto from = ParseInt(c.Param("from"), -1, 0, static_cast<int64_t>(now.size));
    if (!from || *from < 0)
      return c.Error(400, "bad_parameter", "from: required, a tree size up to the current one",
                     "from");
    auto to = ParseInt(c.Param("to"), static_cast<int64_t>(now.size), *from,
                       static_cast<int64_t>(now.size));
    if (!to)
      return c.Error(400, "bad_parameter", "to: a tree size from `from` up to the current one",
                     "to");
    auto proof = b.tree->Consistency(part, *from, *to);
    if (!proof.ok()) return c.Fail(proof.status());
    auto old_root = b.tree->RootAt(part, *from);
    auto new_root = b.tree->RootAt(part, *to);
    if (!old_root.ok()) return c.Fail(old_root.status());
    if (!new_root.ok()) return c.Fail(new_root.status());
    json hashes = json::array();
    for (const auto& h : *proof) hashes.push_back(HashB64(h));
    c.Json(200, {{"partition", part},
                 {"from", *from},
                 {"to", *to},
                 {"from_root", HashB64(*old_root)},
                 {"to_root", HashB64(*new_root)},
                 {"proof", hashes}});
  });

  // One record's proof of inclusion in the C2SP tlog-proof form (events/tlog_proof.h), for
  // tools written for transparency logs: the record (as the log stores it) in the `extra`
  // line, its position as `index`, the inclusion proof, and the newest signed checkpoint of
  // its partition that covers it (signed now when none does yet), with its cosignatures.
  // `record=ID`, or `partition=P&offset=N`.
  Route(s, "GET", "/v1/audit/proof", auditors, [this](Call& c) {
    if (!b.tree || !b.checkpoints || !b.locate_record) {
      return c.Error(501, "not_supported",
                     "proofs need the log's Merkle trees and checkpoints (embedded log)");
    }
    uint32_t p = 0;
    uint64_t offset = 0;
    const std::string id = c.Param("record");
    if (!id.empty()) {
      if (!c.Param("partition").empty() || !c.Param("offset").empty()) {
        return c.Error(400, "bad_parameter", "record: give either record or partition and offset",
                       "record");
      }
      auto pos = b.locate_record(id);
      if (!pos.ok()) return c.Fail(pos.status());
      if (!*pos) return c.Error(404, "not_found", "no record " + id + " on the log", "record");
      p = (*pos)->first;
      offset = (*pos)->second;
    } else {
      auto pp = ParseInt(c.Param("partition"), -1, 0, int64_t{partitions} - 1);
      if (!pp || *pp < 0) {
        return c.Error(400, "bad_parameter", "partition: no such partition (or give record)",
                       "partition");
      }
      auto off = ParseInt(c.Param("offset"), -1, 0, std::numeric_limits<int64_t>::max());
      if (!off || *off < 0) {
        return c.Error(400, "bad_parameter", "offset: a position in the partition", "offset");
      }
      p = static_cast<uint32_t>(*pp);
      offset = static_cast<uint64_t>(*off);
      if (offset >= b.log->Head(p).end_offset) {
        return c.Error(
            404, "not_found",
            "partition " + std::to_string(p) + " has no record at " + std::to_string(offset),
            "offset");
      }
    }
    auto read = b.log->Read(p, offset, 1);
    if (!read.ok()) return c.Fail(read.status());
    if (read->empty() || (*read)[0].offset != offset) {
      return c.Fail(
          Internal("partition " + std::to_string(p) + ": no record at " + std::to_string(offset)));
    }
    auto cp = b.checkpoints->Latest(p);
    if (!cp.ok() || cp->checkpoint.size <= offset) {
      if (auto published = b.checkpoints->Publish(b.wall_now()); !published.ok()) {
        return c.Fail(published.status());
      }
      cp = b.checkpoints->Latest(p);
    }
    if (!cp.ok()) return c.Fail(cp.status());
    if (cp->checkpoint.size <= offset) return c.Fail(Internal("no checkpoint covers the record"));
    auto proof = b.tree->Inclusion(p, offset, cp->checkpoint.size);
    if (!proof.ok()) return c.Fail(proof.status());
    events::TlogProof out{(*read)[0].bytes, offset, std::move(*proof), cp->note};
    c.detail = std::to_string(p) + "@" + std::to_string(offset);
    c.res.status = 200;
    c.res.set_header("Content-Disposition", "attachment; filename=\"p" + std::to_string(p) + "-" +
                                                std::to_string(offset) + ".tlog-proof\"");
    c.res.set_content(events::EncodeTlogProof(out), "text/plain; charset=utf-8");
  });

  Route(s, "GET", R"(/v1/chains/([0-9A-Za-z_.:\-]+)/evidence)",
        Roles({Role::kAuditor, Role::kInspector, Role::kAdmin}), [this](Call& c) {
          std::string id = c.req.matches[1];
          Access access;
          auto t = VisibleTicket(c.who(), id, &access);
          if (!t.ok()) return c.Fail(t.status());
          if (!*t) return c.Error(404, "not_found", "no ticket " + id);
          if (!b.tree || !b.checkpoints || !b.locate_record) {
            return c.Error(501, "not_supported",
                           "evidence needs the log's Merkle trees and checkpoints (embedded log)");
          }
          auto bundle = BuildEvidence((*t)->chain_id);
          if (!bundle.ok()) return c.Fail(bundle.status());
          c.detail = id;
          c.res.status = 200;
          c.res.set_header("Content-Disposition",
                           "attachment; filename=\"evidence-" + (*t)->chain_id + ".json\"");
          c.res.set_content(events::EncodeEvidence(*bundle), "application/json; charset=utf-8");
        });
}

Result<events::Evidence> Api::Impl::BuildEvidence(const std::string& chain_id) {
  CL_ASSIGN_OR_RETURN(auto chain, engine::ChainOf(*b.state, partitions, chain_id));
  // Where each record of the chain's histories is: by the record index, else (records
  // written before the index existed) by reading the partitions for them.
  std::map<uint32_t, std::set<uint64_t>> where;
  std::set<std::string> missing;
  for (const auto& m : chain) {
    CL_ASSIGN_OR_RETURN(auto history, engine::TicketHistory(*b.state, *b.log, m.id));
    for (const auto& bytes : history) {
      CL_ASSIGN_OR_RETURN(const events::fb::Record* rec, events::VerifyRecord(bytes));
      if (rec->id() == nullptr) continue;
      CL_ASSIGN_OR_RETURN(auto pos, b.locate_record(rec->id()->string_view()));
      if (pos) {
        where[pos->first].insert(pos->second);
      } else {
        missing.insert(rec->id()->str());
      }
    }
  }
  for (uint32_t p = 0; p < partitions && !missing.empty(); ++p) {
    const uint64_t end = b.log->Head(p).end_offset;
    for (uint64_t from = 0; from < end && !missing.empty();) {
      CL_ASSIGN_OR_RETURN(auto batch, b.log->Read(p, from, 4096));
      if (batch.empty()) break;
      for (const auto& stored : batch) {
        from = stored.offset + 1;
        auto rec = events::VerifyRecord(stored.bytes);
        if (rec.ok() && (*rec)->id() && missing.erase((*rec)->id()->str()) > 0) {
          where[p].insert(stored.offset);
        }
      }
    }
  }
  if (!missing.empty()) return Internal("record " + *missing.begin() + " is not on the log");
  // A checkpoint per partition that covers its records; signed now if the newest does not.
  bool fresh = false;
  events::Evidence e{b.log->name(), chain_id, b.checkpoints->verifier().ToString(), {}};
  for (const auto& [p, offsets] : where) {
    auto cp = b.checkpoints->Latest(p);
    if (!fresh && (!cp.ok() || cp->checkpoint.size <= *offsets.rbegin())) {
      CL_RETURN_IF_ERROR(b.checkpoints->Publish(b.wall_now()).status());
      fresh = true;
      cp = b.checkpoints->Latest(p);
    }
    if (!cp.ok()) return cp.status();
    if (cp->checkpoint.size <= *offsets.rbegin()) return Internal("no checkpoint covers the chain");
    events::EvidencePartition ep{p, cp->note, {}};
    for (uint64_t offset : offsets) {
      CL_ASSIGN_OR_RETURN(auto recs, b.log->Read(p, offset, 1));
      if (recs.empty() || recs[0].offset != offset) {
        return Internal("partition " + std::to_string(p) + " has no record at " +
                        std::to_string(offset));
      }
      CL_ASSIGN_OR_RETURN(auto proof, b.tree->Inclusion(p, offset, cp->checkpoint.size));
      ep.records.push_back({offset, std::move(recs[0].bytes), std::move(proof)});
    }
    e.partitions.push_back(std::move(ep));
  }
  return e;
}

}  // namespace closeloop::http
