// closeloop: the command that wires the connectors to the engine.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "app/commands.h"

namespace closeloop::app {

void AddDataOption(CLI::App& cmd, std::string* dir) {
  cmd.add_option("--data", *dir, "data directory (the embedded log and state)")
      ->capture_default_str();
}

void Fail(const std::string& message, int code) {
  std::fprintf(stderr, "closeloop: %s\n", message.c_str());
  throw CLI::RuntimeError(code);
}

}  // namespace closeloop::app

int main(int argc, char** argv) {
  CLI::App root{
      "closeloop: an event-sourced workflow engine with ticket chains for the agencies that "
      "keep a city safe"};
  root.require_subcommand(1);
  root.set_version_flag("--version", "closeloop 0.1.0");
  closeloop::app::AddServeCommand(root);
  closeloop::app::AddPublishCommand(root);
  closeloop::app::AddImportCommand(root);
  closeloop::app::AddLogCommand(root);
  closeloop::app::AddEngineCommands(root);
  closeloop::app::AddQueryCommands(root);
  closeloop::app::AddDslCommands(root);
  closeloop::app::AddKafkaCommands(root);
  closeloop::app::AddDemoCommand(root);
  closeloop::app::AddAuditCommands(root);
  closeloop::app::AddWitnessCommands(root);
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return root.exit(e);
  }
  return 0;
}
