// The state the checker shares between its parts while it checks one workflow: the names
// the workflow declares, the record schema, what has been used (for the W-warnings), and
// where diagnostics go. Internal to dsl/.
//
// Thread-safety: not thread-safe; one per Compile() call.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diag_sink.h"
#include "dsl/program.h"
#include "events/schema.h"

namespace closeloop::dsl {

// Record schema lookups, cached for one compile (reflection lookups are not free).
class SchemaCache {
 public:
  // nullptr when `body` is not a record body type. The pointer lives as long as the cache.
  const std::vector<events::FieldInfo>* Fields(const std::string& body);
  // Values of an enum by its full or short name; the pointer lives as long as the cache.
  const std::vector<std::string>* EnumValues(const std::string& enum_name);

 private:
  std::map<std::string, std::vector<events::FieldInfo>> fields_;
  std::set<std::string> unknown_;
  std::map<std::string, std::vector<std::string>> enums_;
};

// A fact as the checker sees it.
struct FactInfo {
  FactType type = FactType::kString;
  std::vector<std::string> enum_values;  // kEnum
  bool builtin = false;
  bool writable = true;  // built-in counters and ids are the engine's
};
using FactTable = std::map<std::string, FactInfo>;

// The built-in facts of every workflow (states fill `state`'s enum values).
FactTable BuiltinFacts(const std::vector<std::string>& state_names);

// What an expression may see where it is written.
struct Scope {
  const std::string* event_type = nullptr;  // nullptr: no `event` here
  const char* where = "here";               // for messages: "in a route key"
  bool ticket = true;                       // ticket facts visible
  const ast::Reference* member = nullptr;   // schedules: `member.*`
};

struct CheckContext {
  DiagSink* diags = nullptr;
  SchemaCache* schema = nullptr;
  FactTable facts;
  std::set<std::string> calendars;  // known calendar names (prc + `uses calendar`)
  std::string default_calendar;
  // Usage, for the "unused" warnings.
  std::set<std::string> used_facts, used_calendars, used_tables, used_references, used_verbs,
      used_roles, used_workflows;
};

ValueType ValueTypeOf(FactType t);
std::string_view FactTypeName(FactType t);

}  // namespace closeloop::dsl
