// `closeloop log verify`: walks every partition's hash chain from genesis to head, and
// rebuilds its Merkle tree, comparing every stored node and the stored tree head.
#pragma once

#include <vector>

#include "connectors/rocksdb/embedded_log.h"

namespace closeloop::rocks {

struct PartitionReport {
  uint32_t partition = 0;
  uint64_t records = 0;
  events::Hash head{};
};

// OK with one report per partition when every record verifies, sits at the next offset,
// carries its predecessor's hash, and the last one matches the stored head. Otherwise a
// Corruption status naming the first partition and offset where the chain breaks.
Result<std::vector<PartitionReport>> VerifyLog(const EmbeddedLog& log);

}  // namespace closeloop::rocks
