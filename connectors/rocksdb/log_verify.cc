#include "connectors/rocksdb/log_verify.h"

#include "events/chain.h"

namespace closeloop::rocks {

Result<std::vector<PartitionReport>> VerifyLog(const EmbeddedLog& log) {
  constexpr size_t kChunk = 4096;
  std::vector<PartitionReport> out;
  for (uint32_t p = 0; p < log.partition_count(); ++p) {
    events::ChainVerifier chain(log.name(), p);
    // The Merkle tree, rebuilt from the records: every stored node must match.
    events::MerkleFrontier tree;
    Status tree_problem;
    auto check_node = [&](uint32_t height, uint64_t index, const events::Hash& h) {
      if (height < EmbeddedLog::kStoredHeight || !tree_problem.ok()) return;
      auto stored = log.StoredNode(p, height, index);
      if (!stored.ok()) {
        tree_problem = stored.status();
      } else if (*stored != h) {
        tree_problem = Corruption("partition " + std::to_string(p) + ": tree node at height " +
                                  std::to_string(height) + " index " + std::to_string(index) +
                                  " does not match the records (altered)");
      }
    };
    uint64_t next = 0;
    for (;;) {
      // Read from the next expected offset; a gap shows up as a record at a later offset.
      CL_ASSIGN_OR_RETURN(auto records, log.Read(p, next, kChunk));
      if (records.empty()) break;
      for (const auto& r : records) {
        CL_RETURN_IF_ERROR(chain.Next(r.offset, r.bytes));
        tree.Append(events::LeafHash(r.bytes), check_node);
        CL_RETURN_IF_ERROR(tree_problem);
        next = r.offset + 1;
      }
    }
    CL_ASSIGN_OR_RETURN(events::PartitionHead head, log.StoredHead(p));
    CL_RETURN_IF_ERROR(chain.Finish(head));
    CL_ASSIGN_OR_RETURN(events::MerkleFrontier stored, log.StoredFrontier(p));
    if (stored.size() != tree.size() || stored.Root() != tree.Root()) {
      return Corruption("partition " + std::to_string(p) +
                        ": the stored tree head does not match the records (altered)");
    }
    out.push_back({p, chain.count(), chain.last_hash()});
  }
  return out;
}

}  // namespace closeloop::rocks
