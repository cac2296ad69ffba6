#include "connectors/rocksdb/log_verify.h"

#include "events/chain.h"

namespace closeloop::rocks {

Result<std::vector<PartitionReport>> VerifyLog(const EmbeddedLog& log) {
  constexpr size_t kChunk = 4096;
  std::vector<PartitionReport> out;
  for (uint32_t p = 0; p < log.partition_count(); ++p) {
    events::ChainVerifier chain(log.name(), p);
    uint64_t next = 0;
    for (;;) {
      // Read from the next expected offset; a gap shows up as a record at a later offset.
      CL_ASSIGN_OR_RETURN(auto records, log.Read(p, next, kChunk));
      if (records.empty()) break;
      for (const auto& r : records) {
        CL_RETURN_IF_ERROR(chain.Next(r.offset, r.bytes));
        next = r.offset + 1;
      }
    }
    CL_ASSIGN_OR_RETURN(events::PartitionHead head, log.StoredHead(p));
    CL_RETURN_IF_ERROR(chain.Finish(head));
    out.push_back({p, chain.count(), chain.last_hash()});
  }
  return out;
}

}  // namespace closeloop::rocks
