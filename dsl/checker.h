// Checker: syntax trees -> checked Program. Resolves every name (event types and fields
// against the record schema, states, verbs, roles, tables, calendars, workflows, facts),
// checks expression types, and lowers to program.h. Then analysis.h adds the warnings.
// Internal to dsl/.
//
// Thread-safety: a pure function of its inputs.
#pragma once

#include <vector>

#include "dsl/ast.h"
#include "dsl/diag_sink.h"
#include "dsl/program.h"

namespace closeloop::dsl {

// `files[i]` is the tree of source file i. Workflows with syntax errors are skipped (their
// names still resolve). Returns every checked workflow, sorted by name.
Program CheckFiles(const std::vector<ast::File>& files, DiagSink* diags);

}  // namespace closeloop::dsl
