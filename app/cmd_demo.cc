// closeloop demo --scale small|city --seed N --out FILE.jsonl [--workflows DIR] [--city NAME]
// The demo city's stream as a file, for tests and benchmarks (workflows/demo/stream.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.h"
#include "app/demo_runner.h"
#include "app/node.h"
#include "workflows/builtin_city.h"
#include "workflows/demo/stream.h"

namespace closeloop::app {
namespace {

struct DemoCommandOptions {
  std::string scale = "small";
  uint64_t seed = 1;
  std::string out;
  std::string workflows;
  std::string city;
  uint32_t partitions = 4;
  int days = 0;
  size_t enterprises = 0;
  std::string start;
};

void RunDemo(const DemoCommandOptions& o) {
  auto scale = demo::ParseScale(o.scale);
  if (!scale.ok()) Fail("--scale: " + scale.status().message(), 2);
  demo::StreamOptions so;
  so.scale = *scale;
  so.seed = o.seed;
  so.partitions = o.partitions;
  // Without --workflows, the city built into the binary, written to a scratch directory
  // for the generator (which reads a city from files) and removed afterwards.
  struct Scratch {
    std::filesystem::path dir;
    ~Scratch() {
      std::error_code ec;
      if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
  } scratch;
  so.workflows_dir = o.workflows;
  if (so.workflows_dir.empty()) {
    scratch.dir =
        std::filesystem::temp_directory_path() / ("closeloop-city-" + std::to_string(::getpid()));
    auto dir = city::WriteBuiltinCity(scratch.dir.string());
    if (!dir.ok()) Fail(dir.status().ToString());
    so.workflows_dir = *dir;
  }
  auto reference = city::ReferenceDir(so.workflows_dir, o.city);
  if (!reference.ok()) Fail("--city: " + reference.status().message(), 2);
  so.reference_dir = *reference;
  so.days = o.days;
  so.enterprises = o.enterprises;
  if (!o.start.empty()) {
    auto t = ParseTime(o.start);
    if (!t.ok()) Fail("--start: " + t.status().message(), 2);
    so.start_ms = *t;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (o.out != "-") {
    file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!file) Fail("cannot write " + o.out);
    out = &file;
  }
  const auto began = std::chrono::steady_clock::now();
  auto counts = demo::GenerateStream(so, [&](std::string_view line) {
    out->write(line.data(), static_cast<std::streamsize>(line.size()));
    out->put('\n');
  });
  out->flush();
  if (!counts.ok()) Fail(counts.status().ToString());
  if (!*out) Fail("writing " + o.out + " failed");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::fprintf(stderr,
               "closeloop demo: %llu records (%llu setup, %llu clock ticks, %llu staff commands; "
               "%llu tickets expected from events) for %zu enterprises, %s to %s, in %.1f s "
               "(%.0f records/s)\n",
               static_cast<unsigned long long>(counts->records),
               static_cast<unsigned long long>(counts->setup),
               static_cast<unsigned long long>(counts->ticks),
               static_cast<unsigned long long>(counts->commands),
               static_cast<unsigned long long>(counts->tickets), counts->enterprises,
               FormatTime(counts->start_ms).c_str(), FormatTime(counts->end_ms).c_str(), seconds,
               static_cast<double>(counts->records) / std::max(seconds, 1e-3));
  for (const auto& [type, n] : counts->by_type) {
    std::fprintf(stderr, "  %-22s %llu\n", type.c_str(), static_cast<unsigned long long>(n));
  }
}

}  // namespace

void AddDemoCommand(CLI::App& root) {
  auto opts = std::make_shared<DemoCommandOptions>();
  CLI::App* cmd = root.add_subcommand(
      "demo",
      "Write the demo city's stream (reference data, workflows, agencies, staff) as JSONL "
      "for `closeloop publish`");
  cmd->add_option("--scale", opts->scale,
                  "small: the reference enterprises (Nanjing 336), 14 days; city: the city's "
                  "register (Nanjing 24,000, Taicang 6,173), a year")
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "the stream is a pure function of scale and seed")
      ->capture_default_str();
  cmd->add_option("--out", opts->out, "output file, - for stdout")->required();
  cmd->add_option(
      "--workflows", opts->workflows,
      "workflows directory (*.wf and reference/); default: the cities built into the binary");
  cmd->add_option("--city", opts->city,
                  "nanjing (default: DIR/reference) or taicang (DIR/cities/taicang)");
  cmd->add_option("--partitions", opts->partitions,
                  "partitions of the log it will be published into (ticket ids depend on it)")
      ->capture_default_str();
  cmd->add_option("--days", opts->days, "simulated days (default: the scale's)");
  cmd->add_option("--enterprises", opts->enterprises, "enterprises (default: the scale's)");
  cmd->add_option("--start", opts->start, "simulated start (ISO 8601; default: the scale's)");
  cmd->callback([opts] { RunDemo(*opts); });
}

}  // namespace closeloop::app
