#include "connectors/kafka/tests/kafka_test_support.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "dsl/compile.h"
#include "engine/keys.h"
#include "events/hash.h"

namespace closeloop::kafka::testing {

std::vector<std::string> SetupRecords(const std::string& src) {
  std::vector<std::string> out;
  for (const char* f : {"calendars", "departments", "hazard_routing"}) {
    std::ifstream in(src + "/workflows/reference/" + f + ".jsonl");
    if (!in) throw std::runtime_error(std::string("missing reference file ") + f);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(line);
    }
  }
  std::vector<std::string> files = {src + "/engine/tests/workflows/hazard_disposal.wf",
                                    src + "/engine/tests/workflows/oversight_case.wf"};
  std::vector<dsl::SourceFile> sources;
  auto compiled = dsl::CompileFiles(files, &sources);
  if (!compiled.ok() || !compiled->ok()) throw std::runtime_error("test workflows do not compile");
  for (const auto& wf : compiled->program->workflows) {
    for (const auto& s : sources) {
      if (s.name != wf.file) continue;
      nlohmann::json j = {{"source", "closeloop-deploy"},
                          {"body_type", "WorkflowDeployed"},
                          {"body",
                           {{"name", wf.name},
                            {"version", wf.version},
                            {"source", s.text},
                            {"source_sha256", events::ToHex(events::Sha256Of(s.text))}}}};
      out.push_back(j.dump());
    }
  }
  return out;
}

std::string HazardReport(const std::string& run, int i) {
  return R"({"source": "hotline","subject": "KT-)" + run + "-" + std::to_string(i) +
         R"(","jurisdiction": "liuhe.getang.g02","body_type": "HazardReport",)"
         R"("occurred_at": 1772413200000,"body": {"category": "gas","severity": "general"}})";
}

uint64_t CountTickets(const engine::StateReader& state) {
  uint64_t n = 0;
  const std::string tag = engine::keys::Ticket(0, "").substr(4);  // "t" + separator
  Status s = state.Scan(std::string(1, '\0'), std::string(8, '\xff'),
                        [&](std::string_view k, std::string_view) {
                          if (k.size() > 4 + tag.size() && k.substr(4, tag.size()) == tag) ++n;
                          return true;
                        });
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return n;
}

}  // namespace closeloop::kafka::testing
