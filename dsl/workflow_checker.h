// WorkflowChecker: checks one workflow's syntax tree and lowers it. Its parts live in
// checker.cc (declarations, starts, routing), check_states.cc (states and transitions) and
// check_ladder.cc (extensions, escalation, schedules) and check_verbs.cc (verb declarations).
// Internal to dsl/.
//
// Thread-safety: not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/check_context.h"
#include "dsl/check_expr.h"
#include "dsl/program.h"

namespace closeloop::dsl {

// What the checker knows of every workflow in the compile set.
struct WorkflowEntry {
  const ast::Workflow* tree = nullptr;
  uint32_t file = 0;
  FactTable facts;  // built-in + declared (for checking chain mappings into it)
};
using WorkflowIndex = std::map<std::string, WorkflowEntry>;

// Offsets the analysis needs to point its warnings at.
struct WorkflowSpots {
  std::map<std::string, uint32_t> chain_offsets;  // child workflow -> first chain action
};

class WorkflowChecker {
 public:
  // All pointers must outlive the checker.
  WorkflowChecker(const ast::Workflow* tree, const WorkflowIndex* index, DiagSink* diags,
                  SchemaCache* schema);

  // Checks everything; fills `out` (complete only when no error was reported) and `spots`.
  void Run(Workflow* out, WorkflowSpots* spots);

 private:
  // checker.cc
  void Declarations(Workflow* out);
  void Facts(Workflow* out);
  void Starts(Workflow* out);
  void Route(Workflow* out);
  bool EventType(const ast::Name& name, bool for_start);
  bool StateName(const ast::Name& name);
  bool RoleName(const ast::Name& name);
  void UnusedWarnings();
  // check_states.cc
  void States(Workflow* out);
  void Limits(const ast::State& in, State* out);
  void Transition(const ast::State& state, const ast::Transition& in, State* out);
  bool Effect(const ast::Effect& in, const Scope& scope, dsl::Effect* out);
  // check_ladder.cc
  void Extensions(Workflow* out);
  void Clocks(Workflow* out);  // after States and Starts: it reads both
  void Steps(Workflow* out, WorkflowSpots* spots);
  void Schedules(Workflow* out);
  // check_verbs.cc: verb declarations and their fields; what a verb's transitions read of
  // the command (event.reason, event.fields["k"], ...) against what the verb declares.
  void Verbs(Workflow* out);
  void Services(Workflow* out);  // `service` statements: Open311's services
  void VerbReads(const std::string& verb, const ast::Transition& in);

  const ast::Workflow* tree_;
  const WorkflowIndex* index_;
  CheckContext ctx_;
  ExprChecker exprs_;
  std::map<std::string, const ast::Table*> tables_;
  std::map<std::string, const ast::Reference*> references_;
  std::map<std::string, const ast::State*> states_;
  std::vector<std::string> verbs_, roles_;  // declared, in order
  std::set<std::string> verb_set_, role_set_, external_workflows_;
  std::set<std::string> declared_verbs_;  // custom and built-in verbs with a declaration
};

}  // namespace closeloop::dsl
