// closeloop check | explain
#include <iostream>

#include "app/commands.h"
#include "dsl/compile.h"

namespace closeloop::app {

void AddDslCommands(CLI::App& root) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* check = root.add_subcommand(
      "check",
      "Compile workflow files; print diagnostics (exit 0 clean, 1 on any error, 2 unreadable)");
  check->add_option("files", *files, "workflow sources (.wf)")->required();
  check->callback([files] {
    std::string out;
    int code = dsl::RunCheck(*files, &out);
    (code == 0 ? std::cout : std::cerr) << out;
    if (code != 0) throw CLI::RuntimeError(code);
  });

  auto efiles = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("text");
  CLI::App* explain =
      root.add_subcommand("explain", "Print the compiled state machines (text, dot or mermaid)");
  explain->add_option("files", *efiles, "workflow sources (.wf)")->required();
  explain->add_option("--format", *format, "text | dot | mermaid")->capture_default_str();
  explain->callback([efiles, format] {
    auto f = dsl::ParseExplainFormat(*format);
    if (!f.ok()) Fail("--format: " + f.status().message(), 2);
    std::string out;
    int code = dsl::RunExplain(*efiles, *f, &out);
    (code == 0 ? std::cout : std::cerr) << out;
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace closeloop::app
