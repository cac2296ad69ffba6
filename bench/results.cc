#include "bench/results.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "bench/engine_bench_support.h"

namespace closeloop::bench {

void WriteResults(const std::string& path, const std::string& bench,
                  const std::vector<Figure>& figures, const std::vector<std::string>& notes) {
  if (path.empty()) return;
  nlohmann::ordered_json out;
  out["bench"] = bench;
  out["figures"] = nlohmann::ordered_json::array();
  for (const Figure& f : figures) {
    nlohmann::ordered_json j = {{"key", f.key},
                                {"label", f.label},
                                {"unit", f.unit},
                                {"value", f.value},
                                {"higher_is_better", f.higher_is_better}};
    if (!f.ref_label.empty()) {
      j["reference"] = f.ref_label;
      j["reference_value"] = f.ref_value;
      j["ratio"] = f.ref_value > 0 && f.value > 0
                       ? (f.higher_is_better ? f.value / f.ref_value : f.ref_value / f.value)
                       : 0.0;
    }
    out["figures"].push_back(j);
  }
  out["notes"] = notes;
  std::ofstream file(path);
  file << out.dump(2) << "\n";
  if (!file) Die("cannot write " + path);
}

}  // namespace closeloop::bench
