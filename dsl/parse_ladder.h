// The escalation ladder, extension policy and schedule statements (see parser.cc for the
// whole grammar). Internal to dsl/; each reports one diagnostic and returns false on error.
#pragma once

#include "dsl/ast.h"
#include "dsl/cursor.h"

namespace closeloop::dsl {

bool ParseExtensions(Cursor* c, ast::Workflow* wf);
// clock NAME DURATION in STATE, ... [paused in STATE, ...]
bool ParseClock(Cursor* c, ast::Workflow* wf);
bool ParseStep(Cursor* c, ast::Workflow* wf);
bool ParseSchedule(Cursor* c, ast::Workflow* wf);

}  // namespace closeloop::dsl
