// engine_bench's phases and what they share: the options, the table each phase adds rows to
// (printed at the end), and the figures written as JSON. Internal to engine_bench.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/engine_bench_latency.h"
#include "bench/engine_bench_support.h"
#include "bench/engine_bench_workload.h"
#include "bench/results.h"
#include "engine/store.h"

namespace closeloop::bench::eb {

namespace fs = std::filesystem;

struct Options {
  uint64_t inputs = 200'000;
  int days = 28;
  uint32_t partitions = 4;
  uint64_t timers = 100'000;
  std::vector<uint64_t> open_tickets = {100'000, 300'000};
  fs::path dir = fs::temp_directory_path();
  std::string db_bench = "/usr/bin/db_bench";
  bool run_db_bench = true;
  uint64_t seed = 20260302;
  std::string skip;
  uint64_t subject_probe = 5000;
  uint64_t memory_child = 0;  // internal: run only the memory phase for this many tickets
  std::string streams;        // read mix.jsonl and timers.jsonl from here instead of generating
  std::string write_streams;  // only write the generated streams here, then exit
  double latency_rate = 500;  // offered records/s in the latency phase
  double latency_seconds = 40;
  bool latency_tail = false;  // offer the mix's last events onto its state, not a fresh one
  std::string json;           // figures for bench/report.py
};

struct Row {
  std::string figure, ours, reference;
  double ratio = 0;
};
extern std::vector<Row> table;
extern std::vector<std::string> notes;
extern std::vector<Figure> figures;

inline std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

inline const int64_t kStart = Shanghai(2026, 3, 2, 9);  // a Monday, 09:00

inline double Ratio(double ours, double ref) { return ref > 0 ? ours / ref : 0; }

// Keys under prefix(p) in every partition.
uint64_t CountKeys(const engine::StateReader& state, uint32_t partitions,
                   std::string (*prefix)(uint32_t));
std::string TicketPrefix(uint32_t p);

// engine_bench_phases.cc
void RunSubjectProbe(const Options& o, const City& city, const fs::path& root);
int RunMemoryChild(const Options& o, const City& city, const fs::path& root);
void RunMemory(const Options& o, const fs::path& root, const char* self);
void RunLatency(const Options& o, const fs::path& streams, const fs::path& root);
// Events the latency phase offers: latency_rate x latency_seconds.
uint64_t LatencyEvents(const Options& o);
// Prints `run` and adds its figures.
void ReportLatency(const Options& o, const LatencyRun& run);

}  // namespace closeloop::bench::eb
