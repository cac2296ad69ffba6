// What the crash test asserts about a log after it killed publishers at random moments:
// every file's records are there as whole batches or not at all, as many times as the runs
// were seen adding them, and every acknowledged file is there.
#pragma once

#include <string>
#include <vector>

#include "events/log.h"

namespace closeloop::crash {

// What the harness knows about one corpus file (index = file number).
struct FileHistory {
  uint32_t records = 0;       // records in the file
  int publishes = 0;          // runs started on it
  bool acknowledged = false;  // a run printed its "appended" line
  int committed = 0;          // runs after which the log had grown by the whole file
};

struct CheckReport {
  std::vector<std::string> problems;  // empty when the log is as the history allows
  std::vector<int> copies;            // per file: whole copies found (-1 when partial)
  uint64_t records = 0;               // records read
};

// Reads every partition of `log` (records made by CorpusJson) and reports, each once:
// a record that is not from the corpus; a file's batch cut short or out of order in a
// partition (one publish = one contiguous run per partition, in file order); a file with
// a different number of whole copies in different partitions (a partial batch); a file
// acknowledged but absent; a file present more often than it was published or than the
// runs were seen adding it (a duplicate, or a batch that appeared or vanished later).
// Errors only when the log cannot be read.
Result<CheckReport> CheckLog(const events::Log& log, const std::vector<FileHistory>& files);

}  // namespace closeloop::crash
