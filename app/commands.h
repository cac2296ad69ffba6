// The `closeloop` command's verbs. Each Add*Command registers one subcommand (with its
// --help) on the root app; failures exit non-zero through CLI::RuntimeError.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "events/note.h"

namespace closeloop::app {

void AddServeCommand(CLI::App& root);
void AddPublishCommand(CLI::App& root);
void AddImportCommand(CLI::App& root);  // a city's past at its own times (cmd_import.cc)
void AddLogCommand(CLI::App& root);
void AddEngineCommands(CLI::App& root);   // process, replay, digest, clock
void AddQueryCommands(CLI::App& root);    // tickets, history, chain
void AddDslCommands(CLI::App& root);      // check, explain
void AddKafkaCommands(CLI::App& root);    // kafka-mock, kafka-process, kafka-digest
void AddDemoCommand(CLI::App& root);      // demo: the demo city's stream as a file
void AddWitnessCommands(CLI::App& root);  // witness key, witness run
void AddAuditCommands(CLI::App& root);    // evidence verify, audit key, audit checkpoint

// Shared option: the data directory (default ./data).
void AddDataOption(CLI::App& cmd, std::string* dir);

// Prints "closeloop: <message>" to stderr and exits with `code`.
[[noreturn]] void Fail(const std::string& message, int code = 1);

// A file's whole content, or Fail(..., 2) naming it (cmd_audit.cc).
std::string ReadFileOrFail(const std::string& path);
// A C2SP verifier key given as its text or as a file holding it; Fail(..., 2) with `option`
// and the reason when it is neither (cmd_audit.cc).
events::NoteVerifier VerifierKeyArgument(const std::string& arg, const std::string& option);

}  // namespace closeloop::app
