#include "dsl/verb_fields.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <set>

namespace closeloop::dsl {
namespace {

constexpr size_t kMaxText = 4000;       // bytes of one text value
constexpr size_t kMaxAttachments = 20;  // files in one command

std::optional<double> ParseNumber(const std::string& s) {
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::string Num(double d) { return fmt::format("{}", d); }

std::optional<std::string> ValueProblem(const VerbField& f, const std::vector<std::string>& vs) {
  if (f.kind != FieldKind::kAttachments && vs.size() > 1) return "one value only";
  const std::string& v = vs.front();
  switch (f.kind) {
    case FieldKind::kText:
    case FieldKind::kDepartment:
      if (v.size() > kMaxText) return "at most " + std::to_string(kMaxText) + " bytes";
      return std::nullopt;
    case FieldKind::kYesNo:
      if (v != "yes" && v != "no") return "yes or no, not '" + v.substr(0, 40) + "'";
      return std::nullopt;
    case FieldKind::kChoice: {
      std::string listed;
      for (const auto& c : f.choices) {
        if (c.value == v) return std::nullopt;
        listed += (listed.empty() ? "" : ", ") + c.value;
      }
      return "one of " + listed + ", not '" + v.substr(0, 40) + "'";
    }
    case FieldKind::kNumber:
    case FieldKind::kWorkingDays: {
      auto d = ParseNumber(v);
      bool whole = d && std::floor(*d) == *d;
      if (!d || (f.kind == FieldKind::kWorkingDays && !whole)) {
        return f.kind == FieldKind::kWorkingDays ? "a whole number of working days" : "a number";
      }
      std::string unit = f.kind == FieldKind::kWorkingDays ? " working days" : "";
      if (f.bounded_below && *d < f.min) return "at least " + Num(f.min) + unit;
      if (f.bounded_above && *d > f.max) return "at most " + Num(f.max) + unit;
      return std::nullopt;
    }
    case FieldKind::kAttachments: {
      if (vs.size() > kMaxAttachments)
        return "at most " + std::to_string(kMaxAttachments) + " files";
      std::set<std::string_view> seen;
      for (const auto& u : vs) {
        if (!IsAttachmentRef(u)) {
          return "an uploaded file's reference (sha256: and 64 lowercase hex digits), not '" +
                 u.substr(0, 80) + "'";
        }
        if (!seen.insert(u).second) return "the file " + u + " is listed twice";
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

bool IsAttachmentRef(std::string_view v) {
  constexpr std::string_view kPrefix = "sha256:";
  if (v.size() != kPrefix.size() + 64 || !v.starts_with(kPrefix)) return false;
  for (char ch : v.substr(kPrefix.size())) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

bool IsCustomField(std::string_view name) {
  return name != "reason" && name != "note" && name != "days" && name != "to_department" &&
         name != "evidence";
}

std::optional<FieldProblem> CheckCommandFields(const VerbDecl& verb, const CommandValues& given) {
  for (const VerbField& f : verb.fields) {
    auto it = given.find(f.name);
    if (it == given.end() || it->second.empty()) {
      if (f.required) return FieldProblem{f.name, f.name + ": required by " + verb.name};
      continue;
    }
    if (auto p = ValueProblem(f, it->second)) return FieldProblem{f.name, f.name + ": " + *p};
  }
  for (const auto& [name, values] : given) {
    if (values.empty() || verb.FindField(name) != nullptr) continue;
    return FieldProblem{name, name + ": " + verb.name + " takes no such field"};
  }
  return std::nullopt;
}

}  // namespace closeloop::dsl
