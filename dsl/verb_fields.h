// What a command of a declared verb must carry: one check, shared by the engine (which
// rejects the command with a CommandRejected naming the field) and the HTTP API (which
// answers 422 naming it before anything is recorded), so the two never disagree.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/program.h"

namespace closeloop::dsl {

// A command's values by field name: reason, note, days (decimal), to_department, evidence
// (one entry per file reference), and every entry of its `fields` by key. Empty values are left
// out.
using CommandValues = std::map<std::string, std::vector<std::string>>;

struct FieldProblem {
  std::string field;    // the declared field's name (or the undeclared one given)
  std::string message;  // "decision: one of none, criticism, ..."
};

// Whether `v` is an uploaded file's reference as an `attachments` field carries it:
// "sha256:" and the 64 lowercase hex digits of the file's SHA-256. Only the shape: whether
// such a file was uploaded is the API's check (the engine cannot look outside the log).
bool IsAttachmentRef(std::string_view v);

// Whether a field of that name travels as an entry of the command's `fields` (not one of
// the command's own slots: reason, note, days, to_department, evidence).
bool IsCustomField(std::string_view name);

// The first way `given` breaks `verb`'s declaration, in declared field order (undeclared
// fields last, by name); nullopt when it keeps to it. Department ids are not looked up here
// (the engine checks them against its reference data).
std::optional<FieldProblem> CheckCommandFields(const VerbDecl& verb, const CommandValues& given);

}  // namespace closeloop::dsl
