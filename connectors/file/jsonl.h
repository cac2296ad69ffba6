// JSON Lines files of records: the `publish` verb's input and `log dump`'s output.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "connectors/file/ingress.h"

namespace closeloop::file {

struct JsonlResult {
  std::vector<PreparedRecord> records;  // only meaningful when errors is empty
  std::vector<IngressError> errors;     // every bad line, in line order
  size_t lines = 0;                     // non-blank lines read
};

// Reads every line of `in`, preparing each non-blank line as one record. Blank lines are
// skipped. A line over JsonCodec::kMaxJsonBytes is an error for that line only.
JsonlResult ReadJsonl(std::istream& in, uint32_t partitions, int64_t now_ms);

// "FILE:LINE:COL: field: message" (the parts that are known).
std::string FormatError(const std::string& file, const IngressError& e);

}  // namespace closeloop::file
