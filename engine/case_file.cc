#include "engine/case_file.h"

#include "engine/keys.h"
#include "events/record.h"

namespace closeloop::engine {

Result<std::vector<CaseEntry>> CaseFile(const StateReader& state, const events::Log& log,
                                        uint32_t partitions, std::string_view id,
                                        int64_t as_of_ms) {
  std::vector<CaseEntry> out;
  for (uint32_t p = 0; p < partitions && out.empty(); ++p) {
    std::string prefix = keys::CasePrefix(p, id);
    CL_RETURN_IF_ERROR(
        state.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view, std::string_view v) {
          if (v.size() < 8) return true;
          CaseEntry e;
          e.partition = p;
          e.offset = keys::ReadBE64(v.substr(0, 8));
          e.relation = std::string(v.substr(8));
          out.push_back(std::move(e));
          return true;
        }));
  }
  std::vector<CaseEntry> kept;
  for (auto& e : out) {
    CL_ASSIGN_OR_RETURN(auto batch, log.Read(e.partition, e.offset, 1));
    if (batch.empty() || batch.front().offset != e.offset) {
      return Corruption("case file of " + std::string(id) + ": the log has no record at " +
                        std::to_string(e.partition) + "/" + std::to_string(e.offset));
    }
    CL_ASSIGN_OR_RETURN(auto rec, events::VerifyRecord(batch.front().bytes));
    if (rec->recorded_at() > as_of_ms) continue;
    e.record = std::move(batch.front().bytes);
    kept.push_back(std::move(e));
  }
  return kept;
}

}  // namespace closeloop::engine
