#include "connectors/file/jsonl.h"

#include <climits>
#include <optional>

#include "events/record.h"

namespace closeloop::file {
namespace {

// Reads one line (without its '\n') into *line, keeping at most `max` bytes of it; *length
// is the line's whole length, so a longer line is seen and skipped without being held in
// memory. False at the end of the input.
bool ReadBoundedLine(std::istream& in, size_t max, std::string* line, size_t* length) {
  line->clear();
  *length = 0;
  std::streambuf* buf = in.rdbuf();
  if (buf == nullptr || !in.good()) return false;
  for (;;) {
    int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return *length > 0;
    }
    if (c == '\n') return true;
    if (*length < max) line->push_back(static_cast<char>(c));
    ++*length;
  }
}

// The time of a ClockTick record; nothing for any other record.
std::optional<int64_t> TickOf(const std::string& bytes) {
  auto rec = events::VerifyRecord(bytes);
  if (!rec.ok() || (*rec)->body_type() != events::fb::Body::ClockTick) return std::nullopt;
  return (*rec)->body_as_ClockTick()->now();
}

}  // namespace

JsonlResult ReadJsonl(std::istream& in, uint32_t partitions, int64_t now_ms) {
  JsonlResult out;
  IngressPreparer preparer(partitions);
  // One byte over the limit is kept, so the codec still refuses the line by its size.
  const size_t keep = events::JsonCodec::kMaxJsonBytes + 2;
  std::string line;
  size_t length = 0;
  int number = 0;
  int64_t last_tick = INT64_MIN;
  int last_tick_line = 0;
  while (ReadBoundedLine(in, keep, &line, &length)) {
    ++number;
    if (length > keep) {
      ++out.lines;
      out.errors.push_back({number, 1, "",
                            "the line is " + std::to_string(length) +
                                " bytes; the limit for a record is " +
                                std::to_string(events::JsonCodec::kMaxJsonBytes)});
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++out.lines;
    PreparedRecord rec;
    if (!preparer.Prepare(line, number, now_ms, &rec, &out.errors)) continue;
    rec.line = number;
    // A file's clock ticks only go forwards: the engine would refuse a backward one, and a
    // file that relies on it (an import whose lines are out of order) is wrong as a whole.
    if (auto tick = TickOf(rec.bytes)) {
      if (*tick < last_tick) {
        out.errors.push_back({number, 1, "body.now",
                              "the clock goes backwards: " + std::to_string(*tick) +
                                  " ms is before the tick on line " +
                                  std::to_string(last_tick_line) + " (" +
                                  std::to_string(last_tick) + " ms)"});
        continue;
      }
      last_tick = *tick;
      last_tick_line = number;
    }
    if (out.errors.empty()) out.records.push_back(std::move(rec));
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
