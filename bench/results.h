// A bench's figures as JSON, so bench/report.py can put every bench of one run into one table
// and one results file. Each figure names its reference when it has one.
#pragma once

#include <string>
#include <vector>

namespace closeloop::bench {

struct Figure {
  std::string key;    // stable name report.py looks up, e.g. "mix_e2e_inputs_per_s"
  std::string label;  // what a person reads
  std::string unit;   // "inputs/s", "ms", "s", "MB", "B"
  double value = 0;
  bool higher_is_better = true;
  std::string ref_label;  // "" when the figure has no reference of its own
  double ref_value = 0;
};

// Writes {"bench": name, "figures": [...], "notes": [...]} to `path` ("" writes nothing).
// Dies if the file cannot be written.
void WriteResults(const std::string& path, const std::string& bench,
                  const std::vector<Figure>& figures, const std::vector<std::string>& notes);

}  // namespace closeloop::bench
