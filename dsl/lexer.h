// Lexer: source bytes -> tokens. Keywords are contextual (the parser compares identifier
// text), so a state may be called `review` or `close` without quoting.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diag_sink.h"
#include "dsl/value.h"

namespace closeloop::dsl {

enum class Tok : uint8_t {
  kEnd,
  kIdent,
  kInt,
  kNumber,
  kString,
  kDuration,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kColon,
  kAssign,  // =
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kArrow,  // ->
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
};

struct Token {
  Tok kind = Tok::kEnd;
  uint32_t offset = 0;
  bool line_start = false;  // first token on its line: statements are resynchronised here
  bool bad = false;         // the lexer already reported this token (E005, E009)
  std::string text;         // kIdent: the word; kString: the unescaped value
  int64_t int_value = 0;    // kInt, kDuration (count)
  double number = 0;        // kNumber
  DurationUnit unit = DurationUnit::kMinutes;  // kDuration (`2h`, `30m`, `3d`)
};

// "identifier", "string", "`->`", ...: how a token kind reads in a message.
std::string_view TokName(Tok kind);
// How a particular token reads in "found ..." parts of messages.
std::string Describe(const Token& t);

// The words that start a statement ("state", "on", "limit", ...). At the start of a line
// they always start one: the parser resynchronises there and never takes one as a name.
bool IsStatementWord(std::string_view word);

// Tokenises `source`, reporting E002..E005 and E009 to `diags` and skipping the bad bytes;
// always ends with one kEnd token.
std::vector<Token> Lex(std::string_view source, DiagSink* diags);

}  // namespace closeloop::dsl
