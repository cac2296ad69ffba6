#include "events/json_codec.h"

#include <flatbuffers/idl.h>

#include <cstdlib>
#include <regex>

#include "events/json_locator.h"
#include "events/record.h"
#include "events/schema.h"

namespace closeloop::events {
namespace {

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

// "1: 81: error: unknown enum value: nope" (the parser may add further lines).
const std::regex& ErrorPattern() {
  static const std::regex re(R"(^(\d+): (\d+): error: ([^\n]*))");
  return re;
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
  std::string text(json);  // the parser needs a NUL-terminated buffer
  if (text.find('\0') != std::string::npos) {
    size_t at = text.find('\0');
    auto lc = LineColumnAt(json, at);
    err = {lc.line, lc.column, "", "NUL byte in JSON text"};
    return InvalidArgument(err.ToString());
  }
  if (!parser_->ParseJson(text.c_str())) {
    std::string raw = parser_->error_;
    ResetParser();  // never reuse a parser that failed halfway
    std::smatch m;
    if (std::regex_search(raw, m, ErrorPattern())) {
      err.line = std::stoi(m[1]);
      err.column = std::max(1, std::stoi(m[2]));
      err.message = m[3];
    } else {
      err = {1, 1, "", raw};
    }
    // The parser's cursor sits after the offending token; point at the token's start.
    size_t cursor = OffsetAt(json, err.line, err.column);
    size_t start = TokenStartBefore(json, cursor);
    static const std::regex missing(R"(required field is missing: (\w+) in (\w+))");
    std::smatch mm;
    if (std::regex_search(err.message, mm, missing)) {
      // Reported when the object closes: name the field inside the object that lacks it.
      std::string object = JsonContainerPathAt(json, start);
      err.field = object.empty() ? std::string(mm[1]) : object + "." + std::string(mm[1]);
      err.message = "required field is missing (in " + std::string(mm[2]) + ")";
    } else {
      err.field = JsonPathAt(json, start);
      // The parser's cursor may sit a token past the culprit; a named field's value is
      // the precise place.
      size_t value = ValueOffsetOf(json, err.field);
      if (value != std::string_view::npos) start = value;
    }
    auto lc = LineColumnAt(json, start);
    err.line = lc.line;
    err.column = lc.column;
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
