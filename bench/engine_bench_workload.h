// engine_bench's inputs: the Nanjing reference city (workflows/reference) and a realistic
// mix of what a city's agencies and staff publish, generated from a fixed seed so every run
// writes the same log byte for byte.
//
// The mix, in simulated time from Monday 2026-03-02 09:00 (Asia/Shanghai), a ClockTick to
// every partition each `tick_minutes`:
//  - hotline / grid reports (HazardReport) about the reference enterprises, in their hazard
//    classes and districts, each with a plan for what staff do next: the full disposal
//    (sign_for, order_rectification, progress, submit_evidence, review_pass; some reviews
//    fail and the evidence comes again), false alarms (resolve), returns between
//    departments (some ping-pong three times into arbitration), and tickets left alone in
//    dispatched or in rectifying, which the ladder reminds, marks overdue, escalates and
//    finally chains to the discipline inspectors;
//  - sensor alarm storms (SensorAlarm, 2..30 alarms of one sensor within minutes: one ticket,
//    the rest deduplicated), some followed by the sensor reading normal (closes the order).
// Staff commands name tickets by the id the engine will give them: the engine derives a
// ticket's id from the opening record's id, its partition and its clock (engine/step.cc
// NewTicketId), and
// the inputs carry fixed ids, so the id is known before processing. If that derivation
// changes, commands come back as unknown_ticket and engine_bench reports it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "bench/engine_bench_support.h"

namespace closeloop::bench {

struct Sensor {
  std::string id, risk_source, measure, unit;
  double alarm = 0, critical = 0;
  size_t enterprise = 0;
};

struct Enterprise {
  std::string id, district, jurisdiction, name_zh;
  std::vector<std::string> classes;  // hazard classes, each with a routing row
};

struct Route {
  std::string lead;
  std::vector<std::string> assist;
};

struct City {
  std::string source_dir;
  std::vector<Enterprise> enterprises;
  std::vector<Sensor> sensors;
  std::vector<std::string> grids;                                // jurisdiction codes of the grids
  std::map<std::pair<std::string, std::string>, Route> routing;  // (category, district)

  // The hazard_routing row for (category, district); the district-only row otherwise.
  Route RouteFor(const std::string& category, const std::string& district) const;
};

// Reads the reference files under `source_dir`/workflows/reference. Dies on bad data.
City LoadCity(const std::string& source_dir);

// Fixed ids for inputs: DeriveId(at, "engine-bench", n) for the n-th input.
class Ids {
 public:
  std::string Next(int64_t at_ms);

 private:
  uint32_t next_ = 0;
};

// A ClockTick at `now_ms` to every partition.
void PublishClock(Publisher& pub, Ids& ids, int64_t now_ms);

// Everything a city publishes before its first event: a clock tick at `start_ms`, the
// reference data (all of workflows/reference, in docs/reference-data.md's order), the
// oversight routing table, and the hazard_disposal and oversight_case workflows.
void PublishSetup(const City& city, Publisher& pub, Ids& ids, int64_t start_ms);

struct MixOptions {
  uint64_t inputs = 200'000;  // log records to publish (a clock tick counts once per partition)
  int days = 28;              // simulated span the inputs are spread over
  int tick_minutes = 5;
  uint64_t seed = 20260302;
  int64_t start_ms = 0;
};

struct MixCounts {
  uint64_t ticks = 0, reports = 0, alarms = 0, storms = 0, normals = 0, commands = 0;
  std::map<std::string, uint64_t> verbs;
  uint64_t tickets = 0;  // tickets the mix expects the engine to open from events
};

MixCounts PublishMix(const City& city, const MixOptions& options, Publisher& pub, Ids& ids);

// `count` hotline reports about distinct sites ("SITE-<first+i>", in the reference grids,
// hazard classes in turn, all general) at `at_ms`: each opens one ticket in dispatched.
// With `one_subject`, all are about "SITE-0" instead (still one ticket each).
void PublishOpenTickets(const City& city, Publisher& pub, Ids& ids, uint64_t first, uint64_t count,
                        int64_t at_ms, bool one_subject = false);

// Milliseconds since the epoch of a local time in Asia/Shanghai (UTC+8).
int64_t Shanghai(int y, int m, int d, int hh = 0, int mm = 0);

}  // namespace closeloop::bench
