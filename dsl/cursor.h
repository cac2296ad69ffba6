// Cursor: the parser's view of the token stream, with the expect-or-report helpers every
// statement uses. Internal to dsl/.
//
// Error discipline: a parse function returns false after reporting exactly one E006-style
// diagnostic; its caller returns false too, and the statement loop resynchronises. So one
// mistake yields one diagnostic, never a cascade.
//
// Thread-safety: not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diag_sink.h"
#include "dsl/lexer.h"

namespace closeloop::dsl {

class Cursor {
 public:
  // `tokens` must end with kEnd and outlive the cursor; so must `diags`.
  Cursor(const std::vector<Token>& tokens, DiagSink* diags) : toks_(tokens), diags_(diags) {}

  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  size_t position() const { return pos_; }
  // Whether the next token starts a statement: the end, or a statement word opening a line.
  // `service` only as `service NAME title`: a line of an expression may begin with a fact
  // called service (`service = event.service_code`, `service in [...]`).
  bool AtStatementStart() const {
    const Token& t = Peek();
    if (t.kind == Tok::kEnd) return true;
    if (!t.line_start || t.kind != Tok::kIdent || !IsStatementWord(t.text)) return false;
    return t.text != "service" ||
           (Peek(1).kind == Tok::kIdent && Peek(2).kind == Tok::kIdent && Peek(2).text == "title");
  }
  bool At(Tok kind) const { return Peek().kind == kind; }
  bool AtWord(std::string_view word) const {
    return Peek().kind == Tok::kIdent && Peek().text == word;
  }
  bool Accept(Tok kind) {
    if (!At(kind)) return false;
    Next();
    return true;
  }
  bool AcceptWord(std::string_view word) {
    if (!AtWord(word)) return false;
    Next();
    return true;
  }

  // Each reports "expected WHAT, found ..." (E006) at the current token on failure.
  bool Expect(Tok kind, std::string_view what) {
    if (Accept(kind)) return true;
    return Fail(what);
  }
  bool ExpectWord(std::string_view word) {
    if (AcceptWord(word)) return true;
    return Fail("'" + std::string(word) + "'");
  }
  bool ExpectName(ast::Name* out, std::string_view what) {
    // A statement word opening a line starts the next statement; it is never this name.
    if (!At(Tok::kIdent) || AtStatementStart()) return Fail(what);
    out->offset = Peek().offset;
    out->text = Next().text;
    return true;
  }
  bool ExpectString(std::string* out, std::string_view what) {
    if (!At(Tok::kString)) return Fail(what);
    *out = Next().text;
    return true;
  }
  bool ExpectInt(int64_t* out, std::string_view what) {
    if (!At(Tok::kInt) || Peek().bad) return Fail(what);
    *out = Next().int_value;
    return true;
  }

  // Reports E006 "expected WHAT, found <current token>"; returns false for chaining. A token
  // the lexer already reported is not reported again.
  bool Fail(std::string_view what) {
    if (Peek().bad) return false;
    diags_->Error(Peek().offset, "E006",
                  "expected " + std::string(what) + ", found " + Describe(Peek()));
    return false;
  }
  // Reports any other code at `offset`; returns false.
  bool FailAt(uint32_t offset, const char* code, std::string message) {
    diags_->Error(offset, code, std::move(message));
    return false;
  }

  DiagSink* diags() { return diags_; }

 private:
  const std::vector<Token>& toks_;
  DiagSink* diags_;
  size_t pos_ = 0;
};

}  // namespace closeloop::dsl
