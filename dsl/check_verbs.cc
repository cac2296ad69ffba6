// Verb declarations: the fields each verb takes, held to the StaffCommand's slots and to the
// workflow's own extension rule; and what a verb's transitions read of the command.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "dsl/workflow_checker.h"

namespace closeloop::dsl {
namespace {

std::string Clip(const std::string& s) { return s.size() > 40 ? s.substr(0, 40) + "..." : s; }

// The StaffCommand slots a field of that name fills, and the kind each must have.
struct Slot {
  std::string_view name;
  FieldKind kind;
};
constexpr Slot kSlots[] = {
    {"reason", FieldKind::kText},          {"note", FieldKind::kText},
    {"days", FieldKind::kWorkingDays},     {"to_department", FieldKind::kDepartment},
    {"evidence", FieldKind::kAttachments},
};
const Slot* SlotOf(std::string_view name) {
  for (const Slot& s : kSlots) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// Working days allowed per extension by the workflow's rule; 0 when it sets none in days.
double ExtensionBound(const ExtensionPolicy& x) {
  if (x.max_count == 0 || x.max_each.count <= 0) return 0;
  if (x.max_each.unit != DurationUnit::kWorkingDays && x.max_each.unit != DurationUnit::kDays) {
    return 0;
  }
  return static_cast<double>(x.max_each.count);
}

// Every `event.NAME` and `event.fields["K"]` an expression reads: (name or K, offset, is_key).
void CommandReads(const ast::Expr& e, std::vector<std::tuple<std::string, uint32_t, bool>>* out) {
  if (e.kind == ast::Expr::Kind::kPath && e.path.size() == 2 && e.path[0].text == "event") {
    out->emplace_back(e.path[1].text, e.path[1].offset, false);
  }
  if (e.kind == ast::Expr::Kind::kIndex && e.path.size() == 2 && e.path[0].text == "event" &&
      e.path[1].text == "fields") {
    out->emplace_back(e.key, e.offset, true);
  }
  for (const ast::Expr& a : e.args) CommandReads(a, out);
}

}  // namespace

void WorkflowChecker::Verbs(Workflow* out) {
  const double extension_days = ExtensionBound(out->extensions);
  for (const ast::Verb& v : tree_->verbs) {
    if (std::any_of(out->verb_decls.begin(), out->verb_decls.end(),
                    [&](const VerbDecl& d) { return d.name == v.name.text; })) {
      continue;  // E023 reported by Declarations
    }
    // A bare `verb NAME` only names a custom verb: it says nothing of what it takes, so it
    // takes anything (as before verbs declared their fields).
    if (v.fields.empty() && v.title_en.empty() && v.title_zh.empty()) continue;
    VerbDecl decl;
    decl.name = v.name.text;
    decl.builtin = std::any_of(std::begin(kBuiltinVerbs), std::end(kBuiltinVerbs),
                               [&](std::string_view b) { return b == decl.name; });
    decl.title_en = v.title_en;
    decl.title_zh = v.title_zh;
    for (const ast::VerbField& f : v.fields) {
      if (decl.FindField(f.name.text) != nullptr) {
        ctx_.diags->Error(
            f.name.offset, "E081",
            "field '" + Clip(f.name.text) + "' is declared twice for verb '" + decl.name + "'");
        continue;
      }
      const Slot* slot = SlotOf(f.name.text);
      if (slot != nullptr && slot->kind != f.kind) {
        ctx_.diags->Error(f.name.offset, "E081",
                          "field '" + f.name.text + "' is the command's own " + f.name.text +
                              " and must be of kind " + std::string(FieldKindName(slot->kind)));
        continue;
      }
      if (slot == nullptr &&
          (f.kind == FieldKind::kWorkingDays || f.kind == FieldKind::kAttachments)) {
        ctx_.diags->Error(f.name.offset, "E081",
                          "a field of kind " + std::string(FieldKindName(f.kind)) +
                              " must be named " +
                              (f.kind == FieldKind::kWorkingDays ? "days" : "evidence"));
        continue;
      }
      VerbField field;
      field.name = f.name.text;
      field.kind = f.kind;
      field.required = f.required;
      field.title_en = f.title_en;
      field.title_zh = f.title_zh;
      for (const ast::FieldChoice& ch : f.choices) {
        if (std::any_of(field.choices.begin(), field.choices.end(),
                        [&](const FieldChoice& c) { return c.value == ch.value; })) {
          ctx_.diags->Error(ch.offset, "E081", "choice '" + Clip(ch.value) + "' is listed twice");
          continue;
        }
        field.choices.push_back({ch.value, ch.title_en, ch.title_zh});
      }
      if (f.min) {
        field.bounded_below = true;
        field.min = *f.min;
      }
      if (f.max) {
        field.bounded_above = true;
        field.max = *f.max;
      }
      if (field.kind == FieldKind::kWorkingDays) {
        field.bounded_below = true;
        field.min = 1;
        // An extension's days are bounded by the workflow's own extensions rule.
        if (decl.name == "request_extension" && extension_days > 0) {
          if (f.max && *f.max > extension_days) {
            ctx_.diags->Error(f.name.offset, "E083",
                              "days up to " + std::to_string(static_cast<int64_t>(*f.max)) +
                                  " is more than the workflow's extensions rule allows (" +
                                  std::to_string(static_cast<int64_t>(extension_days)) + ")");
          }
          field.bounded_above = true;
          field.max = f.max ? std::min(*f.max, extension_days) : extension_days;
        }
      }
      decl.fields.push_back(std::move(field));
    }
    out->verb_decls.push_back(std::move(decl));
  }
}

void WorkflowChecker::Services(Workflow* out) {
  if (tree_->services.empty()) return;
  const bool takes_requests =
      std::any_of(tree_->starts.begin(), tree_->starts.end(),
                  [](const ast::Start& s) { return s.event.text == "ServiceRequest"; });
  for (const ast::Service& s : tree_->services) {
    if (!takes_requests) {
      ctx_.diags->Error(s.offset, "E091",
                        "service '" + Clip(s.code.text) +
                            "' is offered by a workflow with no 'start on ServiceRequest'");
      continue;
    }
    if (out->FindService(s.code.text) != nullptr) {
      ctx_.diags->Error(s.code.offset, "E091",
                        "service '" + Clip(s.code.text) + "' is declared twice");
      continue;
    }
    if (s.title_en.empty()) {
      ctx_.diags->Error(s.offset, "E091",
                        "service '" + Clip(s.code.text) + "' needs a name (title \"...\")");
      continue;
    }
    out->services.push_back({s.code.text, s.title_en, s.title_zh, s.description_en,
                             s.description_zh, s.group_en, s.group_zh});
  }
}

void WorkflowChecker::VerbReads(const std::string& verb, const ast::Transition& in) {
  const ast::Verb* decl = nullptr;
  for (const ast::Verb& v : tree_->verbs) {
    if (v.name.text == verb) decl = &v;
  }
  // Undeclared and bare-declared verbs take anything.
  if (decl == nullptr ||
      (decl->fields.empty() && decl->title_en.empty() && decl->title_zh.empty())) {
    return;
  }
  std::vector<std::tuple<std::string, uint32_t, bool>> reads;
  if (in.when) CommandReads(*in.when, &reads);
  for (const ast::Effect& e : in.effects) {
    if (e.kind == EffectKind::kSet) CommandReads(e.value, &reads);
  }
  for (const auto& [name, offset, is_key] : reads) {
    if (!is_key && SlotOf(name) == nullptr) continue;  // envelope fields, verb, ...
    const std::string& wanted = name;  // a lambda cannot capture a structured binding (clang)
    bool declared = std::any_of(decl->fields.begin(), decl->fields.end(),
                                [&](const ast::VerbField& f) { return f.name.text == wanted; });
    if (!declared) {
      ctx_.diags->Error(offset, "E082",
                        "verb '" + verb + "' does not declare field '" + Clip(name) +
                            "' (add 'field " + Clip(name) + ": ...' under 'verb " + verb + "')");
    }
  }
}

}  // namespace closeloop::dsl
