#include "tests/crash/log_check.h"

#include <map>

#include "events/partition.h"
#include "events/record.h"
#include "tests/crash/corpus.h"

namespace closeloop::crash {
namespace {

constexpr size_t kChunk = 4096;

// A file's records that belong to one partition, in file order: what one publish of the
// file appends there as one contiguous run.
using Layout = std::vector<std::vector<std::vector<uint32_t>>>;  // [file][partition] -> seqs

Layout ExpectedLayout(const std::vector<FileHistory>& files, uint32_t partitions) {
  Layout layout(files.size(), std::vector<std::vector<uint32_t>>(partitions));
  for (uint32_t f = 0; f < files.size(); ++f) {
    for (uint32_t seq = 0; seq < files[f].records; ++seq) {
      layout[f][events::PartitionForKey(CorpusSubject(f, seq), partitions)].push_back(seq);
    }
  }
  return layout;
}

std::string Where(uint32_t p, uint64_t offset) {
  return "partition " + std::to_string(p) + " offset " + std::to_string(offset);
}

// Walks one partition, counting whole runs per file into blocks[file].
class PartitionWalk {
 public:
  PartitionWalk(uint32_t p, const Layout& layout, std::vector<int>& blocks,
                std::vector<std::string>& problems)
      : p_(p), layout_(layout), blocks_(blocks), problems_(problems) {}

  void Next(uint64_t offset, const events::fb::Record& r) {
    uint32_t f = 0, seq = 0;
    bool ours = r.id() && ParseCorpusId(r.id()->string_view(), &f, &seq) && f < layout_.size() &&
                r.subject() && r.subject()->string_view() == CorpusSubject(f, seq);
    if (in_run_ && ours && f == file_ && seq == Want()[at_]) {
      Advance();
      return;
    }
    if (in_run_) {
      problems_.push_back(Where(p_, offset) + ": file " + std::to_string(file_) +
                          "'s batch stops after " + std::to_string(at_) + " of its " +
                          std::to_string(Want().size()) + " records here");
      in_run_ = false;
    }
    if (!ours) {
      problems_.push_back(Where(p_, offset) + ": record " +
                          (r.id() ? r.id()->str() : std::string("<no id>")) +
                          " is not a corpus record");
      return;
    }
    file_ = f;
    if (layout_[f][p_].empty() || seq != layout_[f][p_][0]) {
      problems_.push_back(Where(p_, offset) + ": file " + std::to_string(f) + " record " +
                          std::to_string(seq) + " is not the start of its batch here");
      return;
    }
    in_run_ = true;
    at_ = 0;
    Advance();
  }

  void Finish() {
    if (!in_run_) return;
    problems_.push_back("partition " + std::to_string(p_) + ": file " + std::to_string(file_) +
                        "'s batch stops after " + std::to_string(at_) + " of its " +
                        std::to_string(Want().size()) + " records at the end");
  }

 private:
  const std::vector<uint32_t>& Want() const { return layout_[file_][p_]; }
  void Advance() {
    if (++at_ < Want().size()) return;
    ++blocks_[file_];
    in_run_ = false;
  }

  const uint32_t p_;
  const Layout& layout_;
  std::vector<int>& blocks_;
  std::vector<std::string>& problems_;
  bool in_run_ = false;
  uint32_t file_ = 0;
  size_t at_ = 0;
};

}  // namespace

Result<CheckReport> CheckLog(const events::Log& log, const std::vector<FileHistory>& files) {
  const uint32_t partitions = log.partition_count();
  const Layout layout = ExpectedLayout(files, partitions);
  CheckReport report;
  // blocks[p][f]: whole runs of file f in partition p.
  std::vector<std::vector<int>> blocks(partitions, std::vector<int>(files.size(), 0));
  for (uint32_t p = 0; p < partitions; ++p) {
    PartitionWalk walk(p, layout, blocks[p], report.problems);
    for (uint64_t next = 0;;) {
      CL_ASSIGN_OR_RETURN(auto records, log.Read(p, next, kChunk));
      if (records.empty()) break;
      for (const auto& r : records) {
        CL_ASSIGN_OR_RETURN(const events::fb::Record* rec, events::VerifyRecord(r.bytes));
        walk.Next(r.offset, *rec);
        next = r.offset + 1;
        ++report.records;
      }
    }
    walk.Finish();
  }

  report.copies.assign(files.size(), 0);
  for (uint32_t f = 0; f < files.size(); ++f) {
    const FileHistory& h = files[f];
    const std::string name = "file " + std::to_string(f);
    // Copies per partition the file has records in; they must all agree.
    std::map<int, std::vector<uint32_t>> by_count;
    for (uint32_t p = 0; p < partitions; ++p) {
      if (!layout[f][p].empty()) by_count[blocks[p][f]].push_back(p);
    }
    if (by_count.size() > 1) {
      std::string detail;
      for (const auto& [count, ps] : by_count) {
        for (uint32_t p : ps) {
          detail += " p" + std::to_string(p) + "=" + std::to_string(count);
        }
      }
      report.problems.push_back(name + " is partial: whole copies per partition:" + detail);
      report.copies[f] = -1;
      continue;
    }
    const int copies = by_count.empty() ? 0 : by_count.begin()->first;
    report.copies[f] = copies;
    if (h.acknowledged && copies == 0) {
      report.problems.push_back(name + " was acknowledged but is not in the log");
    }
    if (copies > h.publishes) {
      report.problems.push_back(name + " is in the log " + std::to_string(copies) +
                                " times but was published " + std::to_string(h.publishes) +
                                " times");
    } else if (copies != h.committed) {
      report.problems.push_back(name + " is in the log " + std::to_string(copies) +
                                " times but runs were seen adding it " +
                                std::to_string(h.committed) + " times");
    }
  }
  return report;
}

}  // namespace closeloop::crash
