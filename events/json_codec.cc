#include "events/json_codec.h"

#include <flatbuffers/idl.h>

#include <cstdlib>

#include "base/json_check.h"
#include "events/json_locator.h"
#include "events/record.h"
#include "events/schema.h"

namespace closeloop::events {
namespace {

// Besides kMaxJsonBytes, a text is refused before FlatBuffers' parser runs when it is not
// strict JSON (base/json_check.h) or nests deeper than this (a record needs 4 levels; the
// parser recurses per level).
constexpr int kMaxJsonDepth = 16;
// An error's field and message are cut to this many bytes: the parser's messages quote the
// input (an unknown key in full).
constexpr size_t kMaxEchoBytes = 200;

std::unique_ptr<flatbuffers::Parser> NewParser(bool pretty) {
  flatbuffers::IDLOptions opts;
  opts.strict_json = true;   // quoted keys in and out
  opts.natural_utf8 = true;  // Chinese text stays readable
  opts.skip_unexpected_fields_in_json = false;
  opts.indent_step = pretty ? 2 : -1;  // -1: one line
  auto p = std::make_unique<flatbuffers::Parser>(opts);
  auto bytes = SchemaBytes();
  if (!p->Deserialize(bytes.data(), bytes.size())) std::abort();  // a build defect
  return p;
}

// Reads the parser's "1: 81: error: unknown enum value: nope" (the parser may add further
// lines). By hand: std::regex recurses once per character and overflows the stack on a long
// message (a 30 KB unknown key).
bool ReadParserError(const std::string& raw, DecodeError* err) {
  size_t i = 0;
  auto number = [&](int* out) {
    size_t start = i;
    long v = 0;
    while (i < raw.size() && raw[i] >= '0' && raw[i] <= '9' && i - start < 9) {
      v = v * 10 + (raw[i++] - '0');
    }
    *out = static_cast<int>(v);
    return i > start;
  };
  auto literal = [&](std::string_view s) {
    if (raw.compare(i, s.size(), s) != 0) return false;
    i += s.size();
    return true;
  };
  int line = 0, column = 0;
  if (!number(&line) || !literal(": ") || !number(&column) || !literal(": error: ")) return false;
  size_t end = raw.find('\n', i);
  err->line = line;
  err->column = std::max(1, column);
  err->message = raw.substr(i, end == std::string::npos ? std::string::npos : end - i);
  return true;
}

// "invalid number: \"NUMBER\", constant does not fit ...": the number; false otherwise.
bool ReadInvalidNumber(const std::string& message, std::string* number) {
  static constexpr std::string_view kPrefix = "invalid number: \"";
  if (message.rfind(kPrefix, 0) != 0) return false;
  size_t end = message.find('"', kPrefix.size());
  if (end == std::string::npos) return false;
  *number = message.substr(kPrefix.size(), end - kPrefix.size());
  return !number->empty();
}

// "required field is missing: FIELD in TABLE": the field and the table; false otherwise.
bool ReadMissingField(const std::string& message, std::string* field, std::string* table) {
  static constexpr std::string_view kPrefix = "required field is missing: ";
  if (message.rfind(kPrefix, 0) != 0) return false;
  size_t in = message.find(" in ", kPrefix.size());
  if (in == std::string::npos) return false;
  *field = message.substr(kPrefix.size(), in - kPrefix.size());
  *table = message.substr(in + 4);
  return !field->empty() && !table->empty();
}

// The offset of the value of the key at `path`; npos when the key is absent.
size_t ValueOffsetOf(std::string_view json, const std::string& path) {
  if (path.empty()) return std::string_view::npos;
  size_t key = JsonOffsetOf(json, path);
  if (key == std::string_view::npos) return key;
  size_t i = key + 1;
  while (i < json.size() && json[i] != '"') i += (json[i] == '\\') ? 2 : 1;
  ++i;
  while (i < json.size() && (json[i] == ' ' || json[i] == ':' || json[i] == '\t' ||
                             json[i] == '\n' || json[i] == '\r')) {
    ++i;
  }
  return i < json.size() ? i : std::string_view::npos;
}

// With natural_utf8, FlatBuffers writes control characters inside strings as raw bytes
// (e.g. the 0x1F that separates a dedup key's parts), which is not JSON. Escape them,
// inside strings only: outside, a pretty rendering's newlines are layout.
std::string EscapeControlCharacters(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false, escaped = false;
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      } else if (u < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 15];
        continue;
      }
    } else if (ch == '"') {
      in_string = true;
    }
    out += ch;
  }
  return out;
}

}  // namespace

std::string DecodeError::ToString() const {
  std::string out = std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

JsonCodec::JsonCodec() : parser_(NewParser(false)), pretty_(NewParser(true)) {}
JsonCodec::~JsonCodec() = default;

void JsonCodec::ResetParser() { parser_ = NewParser(false); }

Result<std::string> JsonCodec::FromJson(std::string_view json, DecodeError* error) {
  DecodeError local;
  DecodeError& err = error != nullptr ? *error : local;
  if (json.size() > kMaxJsonBytes) {
    err = {1, 1, "",
           "record is " + std::to_string(json.size()) + " bytes; the limit is " +
               std::to_string(kMaxJsonBytes)};
    return InvalidArgument(err.ToString());
  }
  // Strict JSON within limits before FlatBuffers' parser sees it: that parser is lenient
  // (comments, trailing commas, nan) and recursive; this check is neither.
  if (auto bad = CheckJson(json, {kMaxJsonBytes, kMaxJsonDepth})) {
    err = {bad->line, bad->column, "", bad->message};
    return InvalidArgument(err.ToString());
  }
  std::string text(json);  // the parser needs a NUL-terminated buffer
  if (!parser_->ParseJson(text.c_str())) {
    std::string raw = parser_->error_;
    ResetParser();  // never reuse a parser that failed halfway
    if (!ReadParserError(raw, &err)) err = {1, 1, "", raw};
    // The parser's cursor sits after the offending token; point at the token's start.
    size_t cursor = OffsetAt(json, err.line, err.column);
    size_t start = TokenStartBefore(json, cursor);
    std::string missing_field, missing_table;
    if (ReadMissingField(err.message, &missing_field, &missing_table)) {
      // Reported when the object closes: name the field inside the object that lacks it.
      std::string object = JsonContainerPathAt(json, start);
      err.field = object.empty() ? missing_field : object + "." + missing_field;
      err.message = "required field is missing (in " + missing_table + ")";
    } else if (std::string number, path; ReadInvalidNumber(err.message, &number) &&
                                         FindScalarBefore(json, cursor, number, &path, &start)) {
      // A number out of its field's range is reported when its table closes, with the
      // cursor after the table's last field: name the field that holds the number.
      err.field = path;
    } else {
      err.field = JsonPathAt(json, start);
      // The parser's cursor may sit a token past the culprit; a named field's value is
      // the precise place, and an unknown field's key.
      size_t at = err.message.rfind("unknown field", 0) == 0 ? JsonOffsetOf(json, err.field)
                                                             : ValueOffsetOf(json, err.field);
      if (at != std::string_view::npos) start = at;
    }
    auto lc = LineColumnAt(json, start);
    err.line = lc.line;
    err.column = lc.column;
    // Parser messages quote the input (an unknown key in full): keep errors short.
    err.field = Abbreviate(err.field, kMaxEchoBytes);
    err.message = Abbreviate(err.message, kMaxEchoBytes);
    return InvalidArgument(err.ToString());
  }
  const auto& b = parser_->builder_;
  std::string bytes(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  if (!fb::RecordBufferHasIdentifier(bytes.data())) {
    // The parser writes the identifier from the schema's file_identifier; a mismatch is a bug.
    err = {1, 1, "", "encoded record lacks its file identifier"};
    return Internal(err.ToString());
  }
  auto verified = VerifyRecord(bytes);
  if (!verified.ok()) {
    err = {1, 1, "", verified.status().message()};
    return InvalidArgument(err.ToString());
  }
  return bytes;
}

Result<std::string> JsonCodec::Generate(std::string_view bytes, bool pretty) {
  auto rec = VerifyRecord(bytes);
  if (!rec.ok()) return rec.status();
  std::string out;
  if (!flatbuffers::GenerateText(pretty ? *pretty_ : *parser_, bytes.data(), &out)) {
    return Internal("FlatBuffers could not render the record as JSON");
  }
  if (!pretty) {
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  }
  return EscapeControlCharacters(out);
}

Result<std::string> JsonCodec::ToJson(std::string_view bytes) { return Generate(bytes, false); }
Result<std::string> JsonCodec::ToPrettyJson(std::string_view bytes) {
  return Generate(bytes, true);
}

}  // namespace closeloop::events
