// The crash test's records: files of valid JSON lines whose every record says, in its id,
// which file it belongs to and where in that file it sits, so a log can be checked record
// by record against what was published.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace closeloop::crash {

// The id of record `seq` of file `file`: a valid record id (time part fixed) whose tail
// carries both numbers. Distinct for distinct (file, seq).
std::string CorpusId(uint32_t file, uint32_t seq);

// Inverse of CorpusId; false for an id that no corpus record carries.
bool ParseCorpusId(std::string_view id, uint32_t* file, uint32_t* seq);

// The subject (partition key) of record `seq` of file `file`: spread over ~200 enterprises
// so that every file lands in every partition.
std::string CorpusSubject(uint32_t file, uint32_t seq);

// One publishable JSON record, ~350 bytes once stored: a SensorAlarm or a HazardReport with
// Chinese text, its file and seq also in attrs (for a human reading `log dump`).
std::string CorpusJson(uint32_t file, uint32_t seq);

// Writes records [begin, end) of `file` to `path`, one per line.
Status WriteCorpusFile(const std::string& path, uint32_t file, uint32_t begin, uint32_t end);

}  // namespace closeloop::crash
