// The statement grammar (docs/dsl.md has the full reference):
//   workflow NAME version INT loop LOOP [title STRING [zh STRING]]
//   calendar NAME | uses calendar NAME | uses table NAME keys (COL, ...)
//   uses reference NAME fields (COL TYPE, ...) | uses workflow NAME
//   fact NAME : TYPE [= expr]          TYPE := bool|int|number|string|duration|one of (STR, ...)
//   verb NAME [title STRING [zh STRING]] | role NAME
//     field NAME : KIND [required] [title STRING [zh STRING]]     (parse_verb.h: KIND)
//   service CODE title STRING [zh STRING] [description STRING [zh STRING]]
//                [group STRING [zh STRING]]
//   start on EVENT [when expr] [set F = expr, ...] [dedup by expr, ... within DURATION] enter STATE
//   route by TABLE (COL = expr, ...) fallback [kind] STRING
//   route to kind STRING [fallback [kind] STRING]
//   state NAME [title STRING [zh STRING]] [terminal]
//     limit DURATION [when expr]
//     on VERB [by ROLE, ...] [when expr] [-> STATE] [EFFECT, ...]
//     on event TYPE [when expr] [-> STATE] [EFFECT, ...]
//     after DURATION [when expr] [-> STATE] [EFFECT, ...]
//   EFFECT := reopen | set F = expr | count F | resolution STRING | dispatch resources
//           | release resources | answer expert
//   extensions at most INT [, each at most DURATION]
//   clock NAME DURATION in STATE, ... [paused in STATE, ...]
//   escalate
//     step NAME [in STATE, ...] (at INT% of limit | at limit | at limit + DURATION | when expr)
//          : ACTION, ...
//   ACTION := remind ROLE | remind (ROLE, ...) | notify head | mark overdue | escalate parent
//           | arbitration | lead city | chain WORKFLOW [(F = expr, ...)]
//   schedule NAME every (month | quarter | INT months) on day INT at HH:MM
//            for each TABLE [where expr] [set F = expr, ...] enter STATE
#include "dsl/parser.h"

#include <fmt/format.h>

#include "dsl/cursor.h"
#include "dsl/lexer.h"
#include "dsl/parse_expr.h"
#include "dsl/parse_ladder.h"
#include "dsl/parse_verb.h"

namespace closeloop::dsl {
namespace {

class Parser {
 public:
  Parser(std::string_view source, DiagSink* diags)
      : tokens_(Lex(source, diags)), c_(tokens_, diags), diags_(diags) {}

  ast::File Run() {
    ast::File file;
    if (c_.At(Tok::kEnd)) {
      diags_->Error(0, "E011", "the file holds no workflow");
      return file;
    }
    if (!c_.AtWord("workflow")) {
      c_.Fail("'workflow' at the start of the file");
      Sync();
      while (!c_.At(Tok::kEnd) && !c_.AtWord("workflow")) {
        c_.Next();
        Sync();
      }
    }
    while (c_.AtWord("workflow")) {
      file.workflows.emplace_back();
      ParseWorkflow(&file.workflows.back());
    }
    return file;
  }

 private:
  // Skips to the next token that starts a statement on its own line (always moves on).
  void Sync() {
    do {
      c_.Next();
    } while (!c_.AtStatementStart());
  }

  void ParseWorkflow(ast::Workflow* wf) {
    size_t errors_before = diags_->errors();
    wf->name.offset = c_.Peek().offset;
    if (!ParseHeader(wf)) {
      wf->has_syntax_errors = true;
      Sync();
    }
    state_ok_ = false;
    while (!c_.At(Tok::kEnd) && !c_.AtWord("workflow")) {
      size_t before = c_.position();
      if (!ParseItem(wf)) {
        if (c_.position() == before || !c_.AtStatementStart()) Sync();
      } else if (!c_.AtStatementStart() && c_.Peek().line_start) {
        // A statement ended but the next line starts with no statement word.
        UnknownStatement();
        Sync();
      }
    }
    if (diags_->errors() != errors_before) wf->has_syntax_errors = true;
  }

  bool ParseHeader(ast::Workflow* wf) {
    c_.Next();  // workflow
    if (!c_.ExpectName(&wf->name, "the workflow's name")) return false;
    if (!c_.ExpectWord("version")) return false;
    wf->version_offset = c_.Peek().offset;
    int64_t version = 0;
    if (!c_.ExpectInt(&version, "a version number")) return false;
    if (version < 1 || version > UINT32_MAX) {
      return c_.FailAt(wf->version_offset, "E015", "the version must be between 1 and 4294967295");
    }
    wf->version = static_cast<uint32_t>(version);
    if (!c_.ExpectWord("loop")) return false;
    ast::Name loop;
    if (!c_.ExpectName(&loop, "a loop (prevention, violation, incident, request)")) return false;
    if (loop.text == "prevention")
      wf->loop = Loop::kPrevention;
    else if (loop.text == "violation")
      wf->loop = Loop::kViolation;
    else if (loop.text == "incident")
      wf->loop = Loop::kIncident;
    else if (loop.text == "request")
      wf->loop = Loop::kRequest;
    else {
      return c_.FailAt(
          loop.offset, "E010",
          "unknown loop '" + loop.text + "' (use prevention, violation, incident or request)");
    }
    return ParseTitles(&wf->title_en, &wf->title_zh);
  }

  bool ParseTitles(std::string* en, std::string* zh) {
    if (!c_.AcceptWord("title")) return true;
    if (!c_.ExpectString(en, "the title as a string")) return false;
    if (c_.AcceptWord("zh")) return c_.ExpectString(zh, "the Chinese title as a string");
    return true;
  }

  bool Duplicate(uint32_t offset, std::string_view what) {
    return c_.FailAt(offset, "E028", fmt::format("a second {} in this workflow", what));
  }

  bool ParseItem(ast::Workflow* wf) {
    const Token& t = c_.Peek();
    if (t.kind != Tok::kIdent) return c_.Fail("a statement (state, on, limit, start, step, ...)");
    const std::string& w = t.text;
    uint32_t at = t.offset;
    if (w == "calendar") {
      c_.Next();
      ast::Name n;
      if (!c_.ExpectName(&n, "a calendar name")) return false;
      if (wf->calendar) return Duplicate(at, "'calendar' statement");
      wf->calendar = n;
      return true;
    }
    if (w == "uses") return ParseUses(wf);
    if (w == "fact") return ParseFact(wf);
    if (w == "verb") return ParseVerb(&c_, wf);
    if (w == "field") return ParseField(&c_, wf);
    if (w == "service") return ParseService(&c_, wf);
    if (w == "role") {
      c_.Next();
      ast::Name n;
      if (!c_.ExpectName(&n, "a role name")) return false;
      wf->roles.push_back(n);
      return true;
    }
    if (w == "start") return ParseStart(wf);
    if (w == "route") return ParseRoute(wf);
    if (w == "state") return ParseState(wf);
    if (w == "limit" || w == "on" || w == "after") {
      if (wf->states.empty()) {
        return c_.FailAt(at, "E008",
                         "'" + w + "' belongs inside a state; write 'state NAME' first");
      }
      ast::State scratch;  // items of a state whose header failed are checked, then dropped
      ast::State* st = state_ok_ ? &wf->states.back() : &scratch;
      if (w == "limit") return ParseLimit(st);
      return ParseTransition(st);
    }
    if (w == "extensions") return ParseExtensions(&c_, wf);
    if (w == "clock") return ParseClock(&c_, wf);
    if (w == "escalate") {
      c_.Next();
      return true;
    }
    if (w == "step") return ParseStep(&c_, wf);
    if (w == "schedule") return ParseSchedule(&c_, wf);
    return UnknownStatement();
  }

  bool UnknownStatement() {
    const Token& t = c_.Peek();
    if (t.kind != Tok::kIdent) return c_.Fail("a statement (state, on, limit, start, step, ...)");
    const std::string& w = t.text;
    return c_.FailAt(t.offset, "E008",
                     "unknown statement '" + (w.size() > 32 ? w.substr(0, 32) + "..." : w) +
                         "' (expected state, on, limit, after, start, route, fact, step, ...)");
  }

  bool ParseUses(ast::Workflow* wf) {
    c_.Next();
    if (c_.AcceptWord("calendar")) {
      ast::Name n;
      if (!c_.ExpectName(&n, "a calendar name")) return false;
      wf->calendars.push_back(n);
      return true;
    }
    if (c_.AcceptWord("workflow")) {
      ast::Name n;
      if (!c_.ExpectName(&n, "a workflow name")) return false;
      wf->workflows.push_back(n);
      return true;
    }
    if (c_.AcceptWord("table")) {
      ast::Table t;
      if (!c_.ExpectName(&t.name, "a table name")) return false;
      if (!c_.ExpectWord("keys") || !c_.Expect(Tok::kLParen, "'('")) return false;
      do {
        ast::Name k;
        if (!c_.ExpectName(&k, "a key column name")) return false;
        t.keys.push_back(k);
      } while (c_.Accept(Tok::kComma));
      if (!c_.Expect(Tok::kRParen, "',' or ')'")) return false;
      wf->tables.push_back(std::move(t));
      return true;
    }
    if (c_.AcceptWord("reference")) {
      ast::Reference r;
      if (!c_.ExpectName(&r.name, "a reference table name")) return false;
      if (!c_.ExpectWord("fields") || !c_.Expect(Tok::kLParen, "'('")) return false;
      do {
        ast::Name f;
        if (!c_.ExpectName(&f, "a field name")) return false;
        FactType type;
        std::vector<std::string> values;
        if (!ParseType(&type, &values)) return false;
        if (type == FactType::kEnum) type = FactType::kString;
        r.fields.emplace_back(f, type);
      } while (c_.Accept(Tok::kComma));
      if (!c_.Expect(Tok::kRParen, "',' or ')'")) return false;
      wf->references.push_back(std::move(r));
      return true;
    }
    return c_.Fail("'calendar', 'table', 'reference' or 'workflow' after 'uses'");
  }

  bool ParseType(FactType* type, std::vector<std::string>* values) {
    ast::Name n;
    if (!c_.ExpectName(&n, "a type (bool, int, number, string, duration, one of (...))")) {
      return false;
    }
    if (n.text == "bool")
      *type = FactType::kBool;
    else if (n.text == "int")
      *type = FactType::kInt;
    else if (n.text == "number")
      *type = FactType::kDouble;
    else if (n.text == "string")
      *type = FactType::kString;
    else if (n.text == "duration")
      *type = FactType::kDuration;
    else if (n.text == "one") {
      if (!c_.ExpectWord("of") || !c_.Expect(Tok::kLParen, "'('")) return false;
      *type = FactType::kEnum;
      do {
        std::string v;
        if (!c_.ExpectString(&v, "a value as a string")) return false;
        values->push_back(std::move(v));
      } while (c_.Accept(Tok::kComma));
      return c_.Expect(Tok::kRParen, "',' or ')'");
    } else {
      return c_.FailAt(n.offset, "E016",
                       "unknown type '" + n.text +
                           "' (use bool, int, number, string, duration or one of (...))");
    }
    return true;
  }

  bool ParseFact(ast::Workflow* wf) {
    c_.Next();
    ast::Fact f;
    if (!c_.ExpectName(&f.name, "a fact name")) return false;
    if (!c_.Expect(Tok::kColon, "':' and a type")) return false;
    if (!ParseType(&f.type, &f.enum_values)) return false;
    if (c_.Accept(Tok::kAssign)) {
      ast::Expr e;
      if (!ParseExpr(&c_, &e)) return false;
      f.initial = std::move(e);
    }
    wf->facts.push_back(std::move(f));
    return true;
  }

  bool ParseStart(ast::Workflow* wf) {
    ast::Start s;
    s.offset = c_.Next().offset;
    if (!c_.ExpectWord("on")) return false;
    if (!c_.ExpectName(&s.event, "an event type")) return false;
    if (c_.AcceptWord("when")) {
      s.when.emplace();
      if (!ParseExpr(&c_, &*s.when)) return false;
    }
    if (c_.AcceptWord("set") && !ParseAssignments(&c_, &s.sets)) return false;
    if (c_.AcceptWord("dedup")) {
      s.has_dedup = true;
      if (!c_.ExpectWord("by")) return false;
      do {
        ast::Expr k;
        if (!ParseExpr(&c_, &k)) return false;
        s.dedup_keys.push_back(std::move(k));
      } while (c_.Accept(Tok::kComma));
      if (!c_.ExpectWord("within") || !ParseDuration(&c_, &s.window)) return false;
    }
    if (!c_.ExpectWord("enter")) return false;
    if (!c_.ExpectName(&s.enter, "a state name")) return false;
    wf->starts.push_back(std::move(s));
    return true;
  }

  bool ParseRoute(ast::Workflow* wf) {
    ast::Route r;
    r.offset = c_.Next().offset;
    if (c_.AcceptWord("to")) {
      if (!c_.ExpectWord("kind")) return false;
      r.kind_offset = c_.Peek().offset;
      if (!c_.ExpectString(&r.kind, "a department kind as a string")) return false;
    } else {
      if (!c_.ExpectWord("by")) return false;
      if (!c_.ExpectName(&r.table, "a routing table name")) return false;
      if (!c_.Expect(Tok::kLParen, "'('")) return false;
      do {
        ast::RouteKey k;
        if (!c_.ExpectName(&k.column, "a key column name")) return false;
        if (!c_.Expect(Tok::kAssign, "'='")) return false;
        if (!ParseExpr(&c_, &k.value)) return false;
        r.keys.push_back(std::move(k));
      } while (c_.Accept(Tok::kComma));
      if (!c_.Expect(Tok::kRParen, "',' or ')'")) return false;
    }
    if (r.table.text.empty() && !c_.AtWord("fallback")) {
      // `route to kind "K"` alone: the fallback is the city-level department of kind K.
      r.fallback = r.kind;
      r.fallback_is_kind = true;
      r.fallback_offset = r.kind_offset;
      if (wf->route) return Duplicate(r.offset, "'route' statement");
      wf->route = std::move(r);
      return true;
    }
    if (!c_.ExpectWord("fallback")) return false;
    r.fallback_offset = c_.Peek().offset;
    r.fallback_is_kind = c_.AcceptWord("kind");
    if (r.fallback_is_kind) r.fallback_offset = c_.Peek().offset;
    if (!c_.ExpectString(&r.fallback, r.fallback_is_kind
                                          ? "a department kind as a string"
                                          : "the fallback department (or 'kind' and a kind)")) {
      return false;
    }
    if (wf->route) return Duplicate(r.offset, "'route' statement");
    wf->route = std::move(r);
    return true;
  }

  bool ParseState(ast::Workflow* wf) {
    c_.Next();
    state_ok_ = false;
    ast::State st;
    if (!c_.ExpectName(&st.name, "a state name")) return false;
    if (!ParseTitles(&st.title_en, &st.title_zh)) return false;
    if (c_.AcceptWord("terminal")) st.terminal = true;
    wf->states.push_back(std::move(st));
    state_ok_ = true;
    return true;
  }

  bool ParseLimit(ast::State* st) {
    ast::Limit l;
    l.offset = c_.Next().offset;
    if (c_.AcceptWord("until")) {
      l.until.emplace();
      if (!ParseExpr(&c_, &*l.until)) return false;
    } else if (!ParseDuration(&c_, &l.duration)) {
      return false;
    }
    if (c_.AcceptWord("when")) {
      l.when.emplace();
      if (!ParseExpr(&c_, &*l.when)) return false;
    }
    st->limits.push_back(std::move(l));
    return true;
  }

  bool ParseTransition(ast::State* st) {
    ast::Transition t;
    t.offset = c_.Peek().offset;
    if (c_.Next().text == "after") {
      t.trigger = TriggerKind::kTimer;
      if (!ParseDuration(&c_, &t.after)) return false;
    } else if (c_.AcceptWord("event")) {
      t.trigger = TriggerKind::kEvent;
      if (!c_.ExpectName(&t.event, "an event type")) return false;
    } else {
      t.trigger = TriggerKind::kVerb;
      if (!c_.ExpectName(&t.verb, "a verb, 'event TYPE'")) return false;
      if (c_.AcceptWord("by")) {
        do {
          ast::Name r;
          if (!c_.ExpectName(&r, "a role")) return false;
          t.roles.push_back(r);
        } while (c_.Accept(Tok::kComma));
      }
    }
    if (c_.AcceptWord("when")) {
      t.when.emplace();
      if (!ParseExpr(&c_, &*t.when)) return false;
    }
    if (c_.Accept(Tok::kArrow)) {
      ast::Name target;
      if (!c_.ExpectName(&target, "the target state")) return false;
      t.target = target;
    }
    if (!ParseEffects(&t.effects)) return false;
    st->transitions.push_back(std::move(t));
    return true;
  }

  bool AtEffect() const {
    return !c_.Peek().line_start &&
           (c_.AtWord("reopen") || c_.AtWord("set") || c_.AtWord("count") ||
            c_.AtWord("resolution") || c_.AtWord("dispatch") ||
            // Later effects of two words: a fact named `release` or `answer` stays usable.
            (c_.AtWord("release") && c_.Peek(1).text == "resources") ||
            (c_.AtWord("answer") && c_.Peek(1).text == "expert"));
  }

  bool ParseEffects(std::vector<ast::Effect>* out) {
    for (;;) {
      // `set a = 1, b = 2` continues a set: after a comma, NAME '=' is one more assignment.
      bool more_set = false;
      if (c_.Accept(Tok::kComma)) {
        more_set = !out->empty() && out->back().kind == EffectKind::kSet && c_.At(Tok::kIdent) &&
                   c_.Peek(1).kind == Tok::kAssign && !AtEffect();
        if (!more_set && !AtEffect()) {
          return c_.Fail(
              "an effect (reopen, set, count, resolution, dispatch resources, release resources, "
              "answer expert)");
        }
      } else if (!AtEffect()) {
        return true;
      }
      ast::Effect e;
      e.offset = c_.Peek().offset;
      std::string w = more_set ? "set" : c_.Next().text;
      if (w == "reopen") {
        e.kind = EffectKind::kReopen;
      } else if (w == "set") {
        e.kind = EffectKind::kSet;
        if (!c_.ExpectName(&e.fact, "a fact name")) return false;
        if (!c_.Expect(Tok::kAssign, "'='")) return false;
        if (!ParseExpr(&c_, &e.value)) return false;
      } else if (w == "dispatch") {
        e.kind = EffectKind::kDispatch;
        if (!c_.ExpectWord("resources")) return false;
      } else if (w == "release") {
        e.kind = EffectKind::kRelease;
        if (!c_.ExpectWord("resources")) return false;
      } else if (w == "answer") {
        e.kind = EffectKind::kAnswerExpert;
        if (!c_.ExpectWord("expert")) return false;
      } else if (w == "count") {
        e.kind = EffectKind::kIncrement;
        if (!c_.ExpectName(&e.fact, "a counter fact name")) return false;
      } else {
        e.kind = EffectKind::kResolution;
        if (!c_.ExpectString(&e.code, "a resolution code as a string")) return false;
      }
      out->push_back(std::move(e));
    }
    return true;
  }

  std::vector<Token> tokens_;
  Cursor c_;
  DiagSink* diags_;
  bool state_ok_ = false;  // the last `state` header parsed cleanly
};

}  // namespace

ast::File Parse(std::string_view source, DiagSink* diags) { return Parser(source, diags).Run(); }

}  // namespace closeloop::dsl
