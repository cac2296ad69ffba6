// The living demo city inside `closeloop serve --demo`: seeds an empty data directory with
// a city's reference data (Nanjing's, or `--city taicang`'s), the shipped workflows and two
// weeks of history, then, while the server runs, has the city's agencies publish a seeded stream of
// events and simulated staff work the tickets the engine routed to them (reading the engine's
// state: its open tickets and the deployed workflow's transitions for each ticket's state), while
// some tickets are deliberately left to run overdue, up the ladder, to the discipline inspectors.
//
// The people the sign-in page lists (the city's demo.json personas, GET /v1/demo/credentials)
// are never pre-empted: a ticket whose current state offers one of them (staff, supervisor,
// inspector) a step gets no simulated command or answer until a person moves it or its
// ladder's timers do (demo::OffersStep says exactly which), and no simulated command ever
// carries a listed person's claims. The rest of the city keeps living.
//
// Time: the serve Scheduler appends ClockTicks at kDemoClockSpeed (a simulated minute a wall
// second: a working day of eight hours in eight minutes) every kDemoTickMs of wall time;
// `serve --demo --clock-speed N` runs it faster. The runner paces itself by the engine's clock
// (Node::EngineNow): what it publishes between two polls happened, in simulated time,
// between the two clocks it saw, so records never run ahead of the engine's time.
// Everything goes in through the ingress boundary (file::IngressPreparer), appended to the
// node's log by this process, the data directory's one writer.
//
// Typical use (app/cmd_serve.cc):
//   EngineRunner engine(node); engine.Start();
//   DemoRunner demo(node, {});
//   Status s = demo.Seed();            // before the Scheduler starts: it resumes from the
//   Scheduler scheduler(node, {.speed = kDemoClockSpeed, .tick_ms = kDemoTickMs});
//   scheduler.Start(); demo.Start();   // engine's clock, which Seed has set
//   ... demo.Personas() -> users and tokens ...
//   demo.Stop(); scheduler.Stop(); engine.Stop();
//
// Thread-safety: Seed, Start and Stop from one thread; Personas and stats from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/node.h"
#include "workflows/demo/agencies.h"

namespace closeloop::app {

inline constexpr double kDemoClockSpeed = 60;  // simulated ms per wall ms
inline constexpr int64_t kDemoTickMs = 1000;   // wall time between clock records

struct DemoOptions {
  uint64_t seed = 1;
  std::string workflows_dir;  // every *.wf is deployed; "" = the city built into the binary
                              // (workflows/builtin_city.h), written to `city_dir` by Seed
  std::string reference_dir;  // "" = the reference directory of `city` in workflows_dir
  std::string city;           // "" or "nanjing" = reference/, else cities/CITY (`--city`)
  std::string city_dir;       // where Seed writes the built-in city (DATA/demo-city)
  int backfill_days = 14;     // history before the live start: what `closeloop demo
                              // --scale small --days 14` writes with the same seed
  int64_t start_ms = 0;       // start of the history; 0 = Mon 2026-03-02 08:00 (Shanghai),
                              // so the live demo opens on Mon 2026-03-16 08:00
  std::chrono::milliseconds poll{100};
  // Where uploaded files are kept (DATA/attachments): Seed stores the demo's evidence photo
  // there, so the files its staff cite can be opened. "" = not stored.
  std::string attachments_dir;
};

// A person the console needs, one per role: `serve --demo` creates a user and a token for
// each (and writes DATA/demo-credentials.json). The city's demo.json lists them.
using DemoPersona = demo::Persona;

struct DemoStats {
  uint64_t seeded = 0;    // records Seed appended (0 when the log was not empty)
  uint64_t events = 0;    // agencies' events published live
  uint64_t commands = 0;  // staff commands published live
  uint64_t answers = 0;   // events published because a ticket waited for them
  uint64_t errors = 0;    // appends or reads that failed (logged)
  uint64_t held = 0;      // open tickets the last staff pass left to the listed people
};

class DemoRunner {
 public:
  // `node` must outlive the runner.
  DemoRunner(Node& node, DemoOptions options);
  ~DemoRunner();

  // When the log is empty: appends the reference data, the workflows and the history
  // (backfill_days of the small-scale stream), then waits (up to two minutes) until the
  // engine, which must be running, has processed the history's last clock. A log that is
  // not empty is left alone (a restarted demo resumes). Errors: no workflows or reference
  // data, a record the ingress boundary refuses, an append failure, the engine not
  // catching up.
  Status Seed();

  // The live simulation, on its own thread, until Stop().
  void Start();
  void Stop();

  std::vector<DemoPersona> Personas() const;
  DemoStats stats() const;

 private:
  void Run();
  Status Append(const std::vector<std::string>& jsons);
  Status StaffPass(int64_t now);

  Node& node_;
  DemoOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> seeded_{0}, events_{0}, commands_{0}, answers_{0}, errors_{0}, held_{0};
  struct State;
  std::unique_ptr<State> state_;  // the simulation's own state (runner thread only)
};

}  // namespace closeloop::app
