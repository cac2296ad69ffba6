// Analysis: the warnings about a workflow that checked cleanly (unreachable states, states
// with no way out, shadowed transitions, escalation steps that cannot fire, ...), and the
// error for chain cycles across the compile set. Internal to dsl/.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>

#include "dsl/ast.h"
#include "dsl/diag_sink.h"
#include "dsl/program.h"
#include "dsl/workflow_checker.h"

namespace closeloop::dsl {

// W001, W002, W008, W009, W011, W014, W016 for one workflow. REQUIRES: diags->file() is the
// workflow's file.
void Analyse(const ast::Workflow& tree, const Workflow& wf, DiagSink* diags);

// E073 once per cycle of `chain` actions (A chains B chains ... A), reported at the chain
// action of the cycle's alphabetically first workflow.
void CheckChainCycles(const Program& program, const WorkflowIndex& index,
                      const std::map<std::string, WorkflowSpots>& spots, DiagSink* diags);

}  // namespace closeloop::dsl
