// DiagSink: how the compiler's stages report diagnostics for one file. Internal to dsl/.
//
// Thread-safety: not thread-safe; one per Compile() call.
#pragma once

#include <string>
#include <vector>

#include "dsl/diagnostic.h"

namespace closeloop::dsl {

class DiagSink {
 public:
  // `out` must outlive the sink.
  explicit DiagSink(std::vector<Diagnostic>* out) : out_(out) {}

  void set_file(uint32_t file) { file_ = file; }
  uint32_t file() const { return file_; }

  void Error(uint32_t offset, const char* code, std::string message) {
    Add(DiagSeverity::kError, offset, code, std::move(message));
  }
  void Warning(uint32_t offset, const char* code, std::string message) {
    Add(DiagSeverity::kWarning, offset, code, std::move(message));
  }
  // Errors reported so far, in any file (stored or not).
  size_t errors() const { return errors_; }
  // Diagnostics not stored because kMaxStored were already kept (a flood of one mistake).
  size_t dropped() const { return dropped_; }

  // Bounds memory on hostile input; Compile() shows at most kMaxDiagnostics anyway.
  static constexpr size_t kMaxStored = 1000;

 private:
  void Add(DiagSeverity severity, uint32_t offset, const char* code, std::string message) {
    if (severity == DiagSeverity::kError) ++errors_;
    if (out_->size() >= kMaxStored) {
      ++dropped_;
      return;
    }
    out_->push_back(Diagnostic{severity, code, std::move(message), file_, offset});
  }

  std::vector<Diagnostic>* out_;
  uint32_t file_ = 0;
  size_t errors_ = 0;
  size_t dropped_ = 0;
};

}  // namespace closeloop::dsl
