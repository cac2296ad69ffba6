#include "dsl/parse_verb.h"

namespace closeloop::dsl {
namespace {

bool ParseTitles(Cursor* c, std::string* en, std::string* zh) {
  if (c->AcceptWord("title") && !c->ExpectString(en, "the title as a string")) return false;
  if (c->AcceptWord("zh") && !c->ExpectString(zh, "the Chinese title as a string")) return false;
  return true;
}

bool ParseNumber(Cursor* c, double* out, std::string_view what) {
  if (c->At(Tok::kInt) && !c->Peek().bad) {
    *out = static_cast<double>(c->Next().int_value);
    return true;
  }
  if (c->At(Tok::kNumber) && !c->Peek().bad) {
    *out = c->Next().number;
    return true;
  }
  return c->Fail(what);
}

bool ParseKind(Cursor* c, ast::VerbField* f) {
  ast::Name n;
  if (!c->ExpectName(&n,
                     "a field kind (text, yes_no, number, working days, department, "
                     "attachments, one of (...))")) {
    return false;
  }
  if (n.text == "text") {
    f->kind = FieldKind::kText;
  } else if (n.text == "yes_no") {
    f->kind = FieldKind::kYesNo;
  } else if (n.text == "department") {
    f->kind = FieldKind::kDepartment;
  } else if (n.text == "attachments") {
    f->kind = FieldKind::kAttachments;
  } else if (n.text == "number") {
    f->kind = FieldKind::kNumber;
    if (c->AcceptWord("from")) {
      double lo = 0, hi = 0;
      if (!ParseNumber(c, &lo, "the smallest number allowed")) return false;
      if (!c->ExpectWord("to")) return false;
      uint32_t at = c->Peek().offset;
      if (!ParseNumber(c, &hi, "the largest number allowed")) return false;
      if (hi < lo) return c->FailAt(at, "E080", "the range's end is below its start");
      f->min = lo;
      f->max = hi;
    }
  } else if (n.text == "working") {
    if (!c->ExpectWord("days")) return false;
    f->kind = FieldKind::kWorkingDays;
    if (c->AcceptWord("up")) {
      if (!c->ExpectWord("to")) return false;
      int64_t hi = 0;
      uint32_t at = c->Peek().offset;
      if (!c->ExpectInt(&hi, "the most working days allowed")) return false;
      if (hi < 1 || hi > 3650) {
        return c->FailAt(at, "E080", "working days must be bounded by 1 to 3650");
      }
      f->max = static_cast<double>(hi);
    }
  } else if (n.text == "one") {
    if (!c->ExpectWord("of") || !c->Expect(Tok::kLParen, "'('")) return false;
    f->kind = FieldKind::kChoice;
    do {
      ast::FieldChoice ch;
      ch.offset = c->Peek().offset;
      if (!c->ExpectString(&ch.value, "a value as a string")) return false;
      if (!ParseTitles(c, &ch.title_en, &ch.title_zh)) return false;
      f->choices.push_back(std::move(ch));
    } while (c->Accept(Tok::kComma));
    return c->Expect(Tok::kRParen, "',' or ')'");
  } else {
    return c->FailAt(n.offset, "E080",
                     "unknown field kind '" + n.text +
                         "' (use text, yes_no, number, working days, department, attachments "
                         "or one of (...))");
  }
  return true;
}

}  // namespace

bool ParseVerb(Cursor* c, ast::Workflow* wf) {
  c->Next();  // verb
  ast::Verb v;
  if (!c->ExpectName(&v.name, "a verb name")) return false;
  if (!ParseTitles(c, &v.title_en, &v.title_zh)) return false;
  wf->verbs.push_back(std::move(v));
  return true;
}

bool ParseField(Cursor* c, ast::Workflow* wf) {
  uint32_t at = c->Next().offset;  // field
  if (wf->verbs.empty()) {
    return c->FailAt(at, "E008", "'field' belongs to a verb; write 'verb NAME' first");
  }
  ast::VerbField f;
  f.offset = at;
  if (!c->ExpectName(&f.name, "a field name")) return false;
  if (!c->Expect(Tok::kColon, "':' and the field's kind")) return false;
  if (!ParseKind(c, &f)) return false;
  if (c->AcceptWord("required")) f.required = true;
  if (!ParseTitles(c, &f.title_en, &f.title_zh)) return false;
  wf->verbs.back().fields.push_back(std::move(f));
  return true;
}

bool ParseService(Cursor* c, ast::Workflow* wf) {
  ast::Service svc;
  svc.offset = c->Next().offset;  // service
  if (!c->ExpectName(&svc.code, "a service code")) return false;
  if (!c->ExpectWord("title")) return false;
  if (!c->ExpectString(&svc.title_en, "the service's name as a string")) return false;
  if (c->AcceptWord("zh") && !c->ExpectString(&svc.title_zh, "the Chinese name as a string")) {
    return false;
  }
  if (c->AcceptWord("description")) {
    if (!c->ExpectString(&svc.description_en, "the description as a string")) return false;
    if (c->AcceptWord("zh") &&
        !c->ExpectString(&svc.description_zh, "the Chinese description as a string")) {
      return false;
    }
  }
  if (c->AcceptWord("group")) {
    if (!c->ExpectString(&svc.group_en, "the group as a string")) return false;
    if (c->AcceptWord("zh") && !c->ExpectString(&svc.group_zh, "the Chinese group as a string")) {
      return false;
    }
  }
  wf->services.push_back(std::move(svc));
  return true;
}

}  // namespace closeloop::dsl
