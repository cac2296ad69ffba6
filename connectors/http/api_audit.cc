// What auditors ask: the replay digest, whether every hash chain is intact, and a chain's
// evidence bundle for a discipline referral: its tickets, every record of their histories
// and, per partition, the run of stored records that links each of them to the partition's
// head, so anyone can check offline that nothing was altered, removed or reordered.
#include <set>

#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "engine/queries.h"
#include "events/hash.h"
#include "events/log.h"
#include "events/partition.h"
#include "events/record.h"

namespace closeloop::http {
namespace {

std::string Base64(std::string_view in) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                 static_cast<uint8_t>(in[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8;
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

constexpr uint64_t kMaxProofRecords = 200000;  // per partition

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
    c.Json(200, {{"intact", problem->empty()}, {"problem", *problem}, {"heads", heads}});
  });

  Route(s, "GET", R"(/v1/chains/([0-9A-Za-z_.:\-]+)/evidence)",
        Roles({Role::kAuditor, Role::kInspector, Role::kAdmin}), [this](Call& c) {
          std::string id = c.req.matches[1];
          Access access;
          auto t = VisibleTicket(c.who(), id, &access);
          if (!t.ok()) return c.Fail(t.status());
          if (!*t) return c.Error(404, "not_found", "no ticket " + id);
          auto chain = engine::ChainOf(*b.state, partitions, id);
          if (!chain.ok()) return c.Fail(chain.status());
          json tickets = json::array(), records = json::array();
          // Per partition: the ids of the evidence records it holds. (The state's copies of
          // engine records carry the prev_hash placeholder; the log's carry the chain, so
          // hashes come from the log.)
          std::map<uint32_t, std::set<std::string>> wanted;
          std::map<std::string, std::vector<size_t>> index_of;  // id -> places in `records`
          // (a record about two tickets, e.g. TicketChained, is in both histories)
          for (const auto& m : *chain) {
            tickets.push_back(TicketJson(m));
            auto history = engine::TicketHistory(*b.state, partitions, m.id);
            if (!history.ok()) return c.Fail(history.status());
            uint32_t p = events::PartitionForKey(m.subject, partitions);
            for (const auto& bytes : *history) {
              json r = RecordJson(bytes);
              r["partition"] = p;
              std::string rid = r.value("id", "");
              wanted[p].insert(rid);
              index_of[rid].push_back(records.size());
              records.push_back(std::move(r));
            }
          }
          // The proof: per partition, from its first evidence record to the head, every
          // stored record. Most evidence is in the ticket's own partition; records a chain
          // sent elsewhere are looked for in the other partitions.
          json proofs = json::array();
          std::set<std::string> missing;
          for (auto& [p, ids] : wanted) missing.insert(ids.begin(), ids.end());
          auto prove = [&](uint32_t p) -> Status {
            auto head = b.log->Head(p);
            std::vector<std::string> segment;
            uint64_t first = UINT64_MAX, from = 0;
            size_t found = 0;
            bool truncated = false;
            while (from < head.end_offset && !truncated) {
              CL_ASSIGN_OR_RETURN(auto batch, b.log->Read(p, from, 4096));
              if (batch.empty()) break;
              for (auto& stored : batch) {
                from = stored.offset + 1;
                if (stored.offset >= head.end_offset) break;
                auto rec = events::VerifyRecord(stored.bytes);
                std::string rid = rec.ok() && (*rec)->id() ? (*rec)->id()->str() : "";
                bool evidence = missing.erase(rid) > 0;
                if (first == UINT64_MAX && !evidence) continue;
                if (first == UINT64_MAX) first = stored.offset;
                if (evidence) {
                  ++found;
                  std::string hash =
                      events::ToHex(events::Sha256Of(std::string_view(stored.bytes)));
                  for (size_t at : index_of[rid]) {
                    json& r = records[at];
                    r["partition"] = p;
                    r["offset"] = stored.offset;
                    r["hash"] = hash;
                  }
                }
                if (segment.size() >= kMaxProofRecords) {
                  truncated = true;
                  break;
                }
                segment.push_back(Base64(stored.bytes));
              }
            }
            if (found == 0) return Status::Ok();
            proofs.push_back({{"partition", p},
                              {"from_offset", first},
                              {"head_offset", head.end_offset},
                              {"head_hash", events::ToHex(head.last_hash)},
                              {"evidence_found", found},
                              {"truncated", truncated},
                              {"records", segment}});
            return Status::Ok();
          };
          for (auto& [p, ids] : wanted) {
            Status s = prove(p);
            if (!s.ok()) return c.Fail(s);
          }
          for (uint32_t p = 0; p < partitions && !missing.empty(); ++p) {
            if (wanted.count(p)) continue;
            Status s = prove(p);
            if (!s.ok()) return c.Fail(s);
          }
          c.detail = id;
          c.res.set_header("Content-Disposition",
                           "attachment; filename=\"evidence-" + (*t)->chain_id + ".json\"");
          c.Json(200, {{"format", "closeloop-evidence/1"},
                       {"chain_id", (*t)->chain_id},
                       {"log", b.log->name()},
                       {"exported_at", b.wall_now()},
                       {"exported_by", c.who().name},
                       {"how_to_verify",
                        "Per proof: decode each record (base64, FlatBuffers Record); for each "
                        "consecutive pair, SHA-256(previous bytes) in hex equals the next "
                        "record's prev_hash; SHA-256 of the last equals head_hash (unless "
                        "truncated); every evidence record (by id, with its hash and offset) "
                        "appears in the run. "
                        "`closeloop evidence verify FILE` does all of this."},
                       {"tickets", tickets},
                       {"records", records},
                       {"unproven", json(std::vector<std::string>(missing.begin(), missing.end()))},
                       {"proofs", proofs}});
        });
}

}  // namespace closeloop::http
