// The `closeloop` command's verbs. Each Add*Command registers one subcommand (with its
// --help) on the root app; failures exit non-zero through CLI::RuntimeError.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace closeloop::app {

void AddServeCommand(CLI::App& root);
void AddPublishCommand(CLI::App& root);
void AddLogCommand(CLI::App& root);
void AddEngineCommands(CLI::App& root);  // process, replay, digest, clock
void AddQueryCommands(CLI::App& root);   // tickets, history, chain
void AddDslCommands(CLI::App& root);     // check, explain
void AddKafkaCommands(CLI::App& root);   // kafka-mock, kafka-process, kafka-digest
void AddDemoCommand(CLI::App& root);     // demo: the demo city's stream as a file
void AddWitnessCommands(CLI::App& root);  // witness key, witness run
void AddAuditCommands(CLI::App& root);   // evidence verify, audit key, audit checkpoint

// Shared option: the data directory (default ./data).
void AddDataOption(CLI::App& cmd, std::string* dir);

// Prints "closeloop: <message>" to stderr and exits with `code`.
[[noreturn]] void Fail(const std::string& message, int code = 1);

}  // namespace closeloop::app
