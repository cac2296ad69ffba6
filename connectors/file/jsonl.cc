#include "connectors/file/jsonl.h"

namespace closeloop::file {

JsonlResult ReadJsonl(std::istream& in, uint32_t partitions, int64_t now_ms) {
  JsonlResult out;
  IngressPreparer preparer(partitions);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++out.lines;
    PreparedRecord rec;
    if (preparer.Prepare(line, number, now_ms, &rec, &out.errors) && out.errors.empty()) {
      out.records.push_back(std::move(rec));
    }
  }
  if (!out.errors.empty()) out.records.clear();  // nothing of a bad file is kept
  return out;
}

std::string FormatError(const std::string& file, const IngressError& e) {
  std::string out = file + ":" + std::to_string(e.line) + ":";
  if (e.column > 0) out += std::to_string(e.column) + ":";
  out += " ";
  if (!e.field.empty()) out += e.field + ": ";
  return out + e.message;
}

}  // namespace closeloop::file
