#include "base/json_check.h"

#include <doctest/doctest.h>

#include <string>

namespace closeloop {
namespace {

// The error's "line:column: message", or "ok".
std::string Check(std::string_view text, JsonLimits limits = {}) {
  auto e = CheckJson(text, limits);
  return e ? e->ToString() : "ok";
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_CASE("well-formed JSON values are accepted, whatever their type") {
  for (const char* text : {"{}", "[]", "0", "-0.5e+3", "true", "null", "\"\"",
                           " {\"a\": [1, {\"b\": null}]} \n", "\"\\u00e9\\ud83d\\ude00\\n\"",
                           "\"水位超限\"", "18446744073709551616", "{\"a\":1,\"a\":2}"}) {
    CAPTURE(text);
    CHECK(Check(text) == "ok");
  }
}

TEST_CASE("nesting is refused one level past the limit, at the bracket that exceeds it") {
  JsonLimits limits;
  limits.max_depth = 8;
  CHECK(Check(Nested(8), limits) == "ok");
  CHECK(Check(Nested(9), limits) == "1:9: nesting deeper than 8 levels");
  CHECK(Check("{\"a\":\n  {\"b\": [[]]}}", {.max_bytes = 100, .max_depth = 3}) ==
        "2:10: nesting deeper than 3 levels");
}

TEST_CASE("a hundred thousand levels of nesting are refused without recursion") {
  std::string deep = std::string(100000, '[');
  CHECK(Check(deep) == "1:65: nesting deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  CHECK(Check(objects, {.max_bytes = 1 << 20, .max_depth = 64}) ==
        "1:321: nesting deeper than 64 levels");
}

TEST_CASE("a text over the size limit is refused before it is scanned") {
  CHECK(Check("[1, 2, 3]", {.max_bytes = 8, .max_depth = 64}) ==
        "1:1: the text is 9 bytes; the limit is 8");
}

TEST_CASE("what lenient parsers accept is refused, with where and why") {
  CHECK(Check("{/* c */\"a\": 1}") == "1:2: a comment is not JSON");
  CHECK(Check("{\"a\": 1} // c") == "1:10: a comment is not JSON");
  CHECK(Check("[1, 2,]") == "1:7: a trailing comma is not JSON");
  CHECK(Check("{\"a\": 1,}") == "1:9: a trailing comma is not JSON");
  CHECK(Check("{a: 1}") == "1:2: expected a quoted key, found 'a'");
  CHECK(Check("['a']") == "1:2: strings take double quotes");
  CHECK(Check("[nan]") == "1:2: expected a value, found 'n'");
  CHECK(Check("[0x10]") == "1:3: expected ',' or ']', found 'x'");
  CHECK(Check("[01]") == "1:2: a number with a leading zero");
  CHECK(Check("[1.]") == "1:2: malformed number");
  CHECK(Check("[-]") == "1:2: malformed number");
  CHECK(Check("{\"a\": }") == "1:7: expected a value, found '}'");
  CHECK(Check("{\"a\" 1}") == "1:6: expected ':' after the key, found '1'");
}

TEST_CASE("strings must be closed, escaped properly and valid UTF-8") {
  CHECK(Check("[\"abc") == "1:2: unterminated string");
  CHECK(Check("[\"a\tb\"]") == "1:4: a control character in a string (escape it)");
  CHECK(Check("[\"\\x\"]") == "1:3: unknown escape \\x");
  CHECK(Check("[\"\\u12\"]") == "1:3: \\u needs four hex digits");
  CHECK(Check("[\"\\ud83d\"]") == "1:3: a lone high surrogate escape");
  CHECK(Check("[\"\\ude00\"]") == "1:3: a lone low surrogate escape");
  CHECK(Check("[\"\xff\"]") == "1:3: invalid UTF-8");
  CHECK(Check("[\"\xc0\xaf\"]") == "1:3: invalid UTF-8");          // overlong '/'
  CHECK(Check("[\"\xed\xa0\x80\"]") == "1:3: invalid UTF-8");      // a surrogate
  CHECK(Check("[\"\xf4\x90\x80\x80\"]") == "1:3: invalid UTF-8");  // above U+10FFFF
  CHECK(Check(std::string("[\"a\0b\"]", 7)) == "1:4: a control character in a string (escape it)");
}

TEST_CASE("a number a double cannot hold is refused at its start") {
  CHECK(Check("{\"days\": 1e400}") == "1:10: number out of range");
  CHECK(Check("[-" + std::string(400, '9') + "]") == "1:2: number out of range");
  CHECK(Check("[1e-400]") == "ok");  // underflow reads as zero
}

TEST_CASE("one value only: empty texts and trailing text are refused") {
  CHECK(Check("") == "1:1: no JSON value (the text is empty)");
  CHECK(Check(" \n ") == "2:2: no JSON value (the text is empty)");
  CHECK(Check("{} {}") == "1:4: text after the JSON value, from '{'");
  CHECK(Check("{\"a\": [1, 2") == "1:12: the text ends inside the JSON value");
  CHECK(Check("[1]]") == "1:4: text after the JSON value, from ']'");
  CHECK(Check("[1}") == "1:3: expected ',' or ']', found '}'");
}

TEST_CASE("Abbreviate cuts long text at a character boundary and marks the cut") {
  CHECK(Abbreviate("short", 10) == "short");
  CHECK(Abbreviate(std::string(300, 'k'), 5) == "kkkkk…");
  CHECK(Abbreviate("ab水", 3) == "ab…");  // never half a character
}

}  // namespace
}  // namespace closeloop
