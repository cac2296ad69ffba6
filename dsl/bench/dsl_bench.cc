// dsl_bench: compile speed of the DSL toolchain in lines per second, over a large generated
// workflow set (every statement kind, expressions of realistic size, chains between
// workflows). Prints one line per measurement for bench/ to collect:
//   dsl_compile_lines_per_sec <value>
// Usage: dsl_bench [workflows=400] [repeat=5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dsl/compile.h"

namespace {

using closeloop::dsl::SourceFile;

// One workflow of ~80 lines; `next` is the workflow it chains to (the last chains nowhere).
std::string Workflow(int i, int count) {
  std::string n = std::to_string(i);
  std::string s = "workflow wf" + n + " version " + std::to_string(1 + i % 7) +
                  " loop prevention\n  title \"Generated workflow " + n + "\" zh \"工作流" + n +
                  "\"\n"
                  "uses table routing" +
                  n +
                  " keys (category, district)\n"
                  "uses reference enterprises fields (id string, district string, active bool, "
                  "key_enterprise bool)\n"
                  "fact sensor: string\nfact attempts: int\nfact note: string = \"none\"\n"
                  "fact level: one of (\"low\", \"mid\", \"high\") = \"low\"\n"
                  "verb order_rectification\n";
  if (i + 1 < count) s += "uses workflow wf" + std::to_string(i + 1) + "\n";
  s += "start on SensorAlarm when event.state == \"alarm\" and event.level in [\"alarm\", "
       "\"critical\"] and event.value > event.threshold * 1.1\n"
       "  set category = \"hazardous_chemicals\", severity = \"major\", sensor = event.sensor_id\n"
       "  dedup by subject, event.sensor_id within 30 minutes\n  enter dispatched\n"
       "start on HazardReport when event.category != \"\" and (event.severity == \"major\" or "
       "event.channel in [\"hotline_12345\", \"grid_inspector\"])\n"
       "  set category = event.category, severity = event.severity, note = event.description\n"
       "  enter dispatched\n"
       "route by routing" +
       n +
       " (category = ticket.category, district = jurisdiction) fallback \"safety_office\"\n"
       "state dispatched title \"Dispatched\" zh \"已派单\"\n  limit 2 hours\n"
       "  on sign_for by assignee -> verifying\n  on return by assignee -> dispatched\n"
       "  on transfer by supervisor -> dispatched\n"
       "  on event SensorAlarm when event.state == \"normal\" and event.sensor_id == sensor -> "
       "closed, resolution \"cleared\"\n"
       "state verifying\n  limit 1 working day\n"
       "  on resolve by assignee when event.fields[\"resolution\"] == \"false_alarm\" -> closed, "
       "resolution \"false_alarm\"\n"
       "  on order_rectification by assignee -> rectifying, set level = \"high\"\n"
       "state rectifying\n  limit 5 working days when severity == \"general\"\n"
       "  limit 30 working days when severity == \"major\"\n  limit 10 working days\n"
       "  on progress by assignee, assist set note = event.note, attempts = attempts + 1\n"
       "  on request_extension by assignee\n  on approve_extension by supervisor\n"
       "  on deny_extension by supervisor\n  on submit_evidence by assignee -> reviewing\n"
       "  after 60 days when attempts == 0 and level != \"low\" -> reviewing\n"
       "state reviewing\n  limit 3 working days\n  on review_pass by supervisor -> closed\n"
       "  on review_fail by supervisor -> rectifying, reopen, count attempts\n"
       "state closed terminal\n"
       "extensions at most 2, each at most 10 working days\n"
       "escalate\n  step remind at 80% of limit: remind assignee\n"
       "  step overdue at limit: mark overdue, notify head\n"
       "  step parent at limit + 2 working days: escalate parent\n"
       "  step pingpong when returns >= 3 or (reopens >= 2 and recurrences(90 days) > 1): "
       "arbitration\n";
  if (i + 1 < count) {
    s += "  step oversight in rectifying at limit + 5 working days: chain wf" +
         std::to_string(i + 1) +
         " (category = ticket.category, subject = subject, note = \"overdue " + n + "\")\n";
  }
  s += "schedule monthly every month on day 1 at 09:00 for each enterprises where member.active "
       "and member.key_enterprise\n"
       "  set subject = member.id, jurisdiction = member.district, category = \"self_inspection\"\n"
       "  enter rectifying\n";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int workflows = argc > 1 ? std::atoi(argv[1]) : 400;
  int repeat = argc > 2 ? std::atoi(argv[2]) : 5;
  if (workflows < 1 || repeat < 1) {
    std::fprintf(stderr, "usage: dsl_bench [workflows>=1] [repeat>=1]\n");
    return 2;
  }
  // One file per workflow, compiled as one set (chains are checked across files).
  std::vector<SourceFile> files;
  size_t lines = 0, bytes = 0;
  for (int i = 0; i < workflows; ++i) {
    files.push_back({"wf" + std::to_string(i) + ".wf", Workflow(i, workflows)});
    lines +=
        static_cast<size_t>(std::count(files.back().text.begin(), files.back().text.end(), '\n'));
    bytes += files.back().text.size();
  }
  std::vector<double> seconds;
  for (int r = 0; r < repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    closeloop::dsl::CompileResult result = closeloop::dsl::Compile(files);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!result.ok()) {
      std::fprintf(stderr, "generated set does not compile:\n%s",
                   closeloop::dsl::FormatDiagnostics(files, result.diagnostics).c_str());
      return 1;
    }
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  std::printf("dsl_compile_workflows %d\n", workflows);
  std::printf("dsl_compile_lines %zu\n", lines);
  std::printf("dsl_compile_bytes %zu\n", bytes);
  std::printf("dsl_compile_seconds_median %.6f\n", median);
  std::printf("dsl_compile_lines_per_sec %.0f\n", static_cast<double>(lines) / median);
  return 0;
}
