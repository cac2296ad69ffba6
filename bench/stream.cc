#include "bench/stream.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench/engine_bench_support.h"

namespace closeloop::bench {

uint64_t ForEachStreamLine(const std::string& path, const std::function<bool(StreamLine&)>& fn) {
  std::ifstream in(path);
  if (!in) Die("cannot read stream " + path);
  uint64_t n = 0;
  int64_t clock = 0;
  StreamLine line;
  while (std::getline(in, line.json)) {
    if (line.json.empty()) continue;
    ++n;
    nlohmann::json j = nlohmann::json::parse(line.json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("body_type"))
      Die(path + ":" + std::to_string(n) + ": not a record with a body_type");
    line.type = j["body_type"].get<std::string>();
    if (line.type == "ClockTick") clock = j["body"].value("now", int64_t{0});
    line.at_ms = j.contains("occurred_at") ? j["occurred_at"].get<int64_t>() : clock;
    line.setup = line.type != "ClockTick" && line.type != "HazardReport" &&
                 line.type != "SensorAlarm" && line.type != "StaffCommand";
    if (!fn(line)) break;
  }
  return n;
}

uint64_t CountStreamLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read stream " + path);
  uint64_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
  return n;
}

MixCounts WriteStreams(const City& city, const MixOptions& mix, uint32_t partitions,
                       uint64_t timers, int64_t timers_tick_ms, const std::string& dir) {
  std::filesystem::create_directories(dir);
  MixCounts counts;
  {
    std::ofstream out(dir + "/mix.jsonl");
    Publisher pub(partitions, 1000);
    pub.Tee(&out);
    Ids ids;
    PublishSetup(city, pub, ids, mix.start_ms);
    counts = PublishMix(city, mix, pub, ids);
    out.flush();
    if (!out) Die("cannot write " + dir + "/mix.jsonl");
  }
  std::ofstream out(dir + "/timers.jsonl");
  Publisher pub(partitions, 1000);
  pub.Tee(&out);
  Ids ids;
  PublishSetup(city, pub, ids, mix.start_ms);
  PublishOpenTickets(city, pub, ids, 0, timers, mix.start_ms);
  PublishClock(pub, ids, timers_tick_ms);
  out.flush();
  if (!out) Die("cannot write " + dir + "/timers.jsonl");
  return counts;
}

}  // namespace closeloop::bench
