// docs/events.md is the record catalogue agencies and auditors read. These tests hold it to
// the schema: every record type has exactly one example under its own heading, every example
// decodes, is canonical (what JsonCodec::ToJson prints) and is publishable or refused as its
// kind requires, and every field table and enum list matches the schema. A schema change that
// is not written into the catalogue fails here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "events/ids.h"
#include "events/json_codec.h"
#include "events/record.h"
#include "events/schema.h"
#include "events/validate.h"

namespace closeloop::events {
namespace {

constexpr std::string_view kNamespace = "closeloop.fb.";
constexpr const char* kCataloguePath = CLOSELOOP_SOURCE_DIR "/docs/events.md";

// One ```json block and the heading nearest above it.
struct Example {
  std::string heading;  // "SensorAlarm"; "" when the nearest heading is not a `###` one
  std::string json;
  int line = 0;  // of the opening fence, 1-based, for messages
};

using Row = std::vector<std::string>;  // the cells of one table row, backticks stripped

struct Catalogue {
  bool read = false;  // the file could be opened
  std::vector<Example> examples;
  // `### Name` -> the body rows (header and separator dropped) of the first table under it.
  std::map<std::string, std::vector<Row>> tables;
};

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::string StripTicks(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '`'), s.end());
  return Trim(s);
}

Row SplitRow(const std::string& line) {
  Row cells;
  std::string body = Trim(line);
  if (!body.empty() && body.front() == '|') body.erase(0, 1);
  if (!body.empty() && body.back() == '|') body.pop_back();
  std::stringstream in(body);
  std::string cell;
  while (std::getline(in, cell, '|')) cells.push_back(StripTicks(cell));
  return cells;
}

Catalogue Parse(std::istream& in) {
  Catalogue doc;
  std::string line, heading;
  int heading_level = 0, number = 0, table_rows = 0;
  bool in_fence = false, in_json = false, table_done = false;
  Example current;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("```", 0) == 0) {
      if (!in_fence) {
        in_fence = true;
        in_json = Trim(line) == "```json";
        current = {heading_level == 3 ? heading : "", "", number};
      } else {
        if (in_json) doc.examples.push_back(current);
        in_fence = in_json = false;
      }
      continue;
    }
    if (in_fence) {
      if (in_json) current.json += line + "\n";
      continue;
    }
    if (line.rfind("#", 0) == 0) {
      size_t level = std::min(line.find_first_not_of('#'), line.size());
      heading_level = static_cast<int>(level);
      heading = Trim(line.substr(level));
      table_rows = 0;
      table_done = false;
      continue;
    }
    bool is_row = Trim(line).rfind("|", 0) == 0;
    if (!is_row) {
      if (table_rows > 0) table_done = true;  // only the first table under a heading counts
      continue;
    }
    if (heading_level != 3 || table_done) continue;
    if (table_rows++ >= 2) doc.tables[heading].push_back(SplitRow(line));  // skip header, ---
  }
  if (in_json) doc.examples.push_back(current);  // unterminated: let the decode test report it
  return doc;
}

const Catalogue& Doc() {
  static const Catalogue doc = [] {
    std::ifstream in(kCataloguePath);
    if (!in.good()) return Catalogue{};
    Catalogue doc = Parse(in);
    doc.read = true;
    return doc;
  }();
  return doc;
}

std::string Where(const Example& ex) {
  return std::string("docs/events.md:") + std::to_string(ex.line) + " (" + ex.heading + ")";
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::vector<std::string> BodyNames() {
  std::vector<std::string> out;
  for (auto t : fb::EnumValuesBody()) {
    if (t != fb::Body::NONE) out.emplace_back(fb::EnumNameBody(t));
  }
  return out;
}

const Example* ExampleFor(std::string_view name) {
  for (const auto& ex : Doc().examples) {
    if (ex.heading == name) return &ex;
  }
  return nullptr;
}

std::string ShortName(std::string_view full) {
  if (full.rfind(kNamespace, 0) == 0) full.remove_prefix(kNamespace.size());
  return std::string(full);
}

// A field's type as the .fbs file spells it: "string", "uint", "Severity", "[Attr]".
std::string TypeName(const reflection::Schema& schema, reflection::BaseType base, int32_t index) {
  if (base == reflection::Obj) return ShortName(schema.objects()->Get(index)->name()->str());
  if (index >= 0 && base != reflection::String) {
    return ShortName(schema.enums()->Get(index)->name()->str());  // enums, unions
  }
  std::string name = reflection::EnumNameBaseType(base);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string TypeName(const reflection::Schema& schema, const reflection::Type& type) {
  if (type.base_type() == reflection::Vector) {
    return "[" + TypeName(schema, type.element(), type.index()) + "]";
  }
  return TypeName(schema, type.base_type(), type.index());
}

TEST_CASE("the catalogue has exactly one example per record type, in union order") {
  REQUIRE_MESSAGE(Doc().read, "cannot read ", kCataloguePath);
  std::map<std::string, int> count;
  std::vector<std::string> order;
  for (const auto& ex : Doc().examples) {
    CHECK_MESSAGE(BodyFromName(ex.heading) != fb::Body::NONE, Where(ex),
                  ": a json example must sit under a `### <record type>` heading");
    if (count[ex.heading]++ == 0) order.push_back(ex.heading);
  }
  for (const auto& name : BodyNames()) {
    CHECK_MESSAGE(count[name] == 1, name, " has ", count[name], " examples; want exactly 1");
  }
  CHECK(Join(order, ", ") == Join(BodyNames(), ", "));
}

TEST_CASE("every catalogue example decodes as the record type its heading names") {
  JsonCodec codec;
  REQUIRE_FALSE(Doc().examples.empty());
  for (const auto& ex : Doc().examples) {
    DecodeError err;
    auto bytes = codec.FromJson(ex.json, &err);
    CHECK_MESSAGE(bytes.ok(), Where(ex), ": ", err.ToString());
    if (!bytes.ok()) continue;
    const fb::Record* rec = *VerifyRecord(*bytes);
    CHECK_MESSAGE(BodyName(rec->body_type()) == ex.heading, Where(ex), ": body_type is ",
                  BodyName(rec->body_type()));
  }
}

TEST_CASE("JSON -> record -> JSON round-trip for every record type") {
  JsonCodec codec;
  for (const auto& name : BodyNames()) {
    const Example* ex = ExampleFor(name);
    CHECK_MESSAGE(ex != nullptr, name, " has no example to round-trip");
    if (ex == nullptr) continue;
    auto first = codec.FromJson(ex->json);
    CHECK_MESSAGE(first.ok(), Where(*ex), ": ", first.status().message());
    if (!first.ok()) continue;
    auto json = codec.ToJson(*first);
    REQUIRE(json.ok());
    auto second = codec.FromJson(*json);
    REQUIRE_MESSAGE(second.ok(), name, ": ToJson output does not decode: ", *json);
    // Equal bytes: the example's field order and values are exactly what the codec writes.
    CHECK_MESSAGE(*first == *second, Where(*ex), ": bytes differ after a round trip: ", *json);
    CHECK(*codec.ToJson(*second) == *json);
    // The indented form people read must decode to the same bytes as the one-line form.
    auto pretty = codec.ToPrettyJson(*second);
    REQUIRE(pretty.ok());
    auto from_pretty = codec.FromJson(*pretty);
    REQUIRE(from_pretty.ok());
    CHECK_MESSAGE(*from_pretty == *second, name, ": the indented form does not round-trip");
  }
}

TEST_CASE("catalogue examples are canonical: structurally what ToJson prints") {
  JsonCodec codec;
  for (const auto& ex : Doc().examples) {
    auto bytes = codec.FromJson(ex.json);
    if (!bytes.ok()) continue;  // reported by the decode test
    nlohmann::json written = nlohmann::json::parse(ex.json, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!written.is_discarded(), Where(ex), ": not strict JSON");
    nlohmann::json printed = nlohmann::json::parse(*codec.ToJson(*bytes));
    // The patch names every field at its default value, misspelt enum, and so on.
    CHECK_MESSAGE(written == printed, Where(ex), ": differs from ToJson by the patch ",
                  nlohmann::json::diff(written, printed).dump());
  }
}

TEST_CASE("ingress and control examples may be published and engine examples are refused") {
  JsonCodec codec;
  for (const auto& ex : Doc().examples) {
    auto bytes = codec.FromJson(ex.json);
    if (!bytes.ok()) continue;  // reported by the decode test
    const fb::Record* rec = *VerifyRecord(*bytes);
    auto errors = ValidateIngress(*rec);
    std::string listed;
    for (const auto& e : errors) listed += " [" + e.field + ": " + e.message + "]";
    if (KindOf(rec->body_type()) == BodyKind::kEngine) {
      REQUIRE_MESSAGE(errors.size() == 1, Where(ex), ":", listed);
      CHECK(errors[0].field == "body_type");
    } else {
      CHECK_MESSAGE(errors.empty(), Where(ex), " cannot be published:", listed);
    }
  }
}

TEST_CASE("engine examples carry the id, times and hash the engine and the log set") {
  JsonCodec codec;
  for (const auto& ex : Doc().examples) {
    auto bytes = codec.FromJson(ex.json);
    if (!bytes.ok()) continue;  // reported by the decode test
    const fb::Record* rec = *VerifyRecord(*bytes);
    if (KindOf(rec->body_type()) != BodyKind::kEngine) continue;
    CAPTURE(Where(ex));
    REQUIRE(rec->id() != nullptr);
    CHECK(IsValidId(rec->id()->string_view()));
    REQUIRE(rec->prev_hash() != nullptr);
    std::string hash = rec->prev_hash()->str();
    CHECK(HashFromHex(hash).ok());
    CHECK(std::none_of(hash.begin(), hash.end(), [](char c) { return std::isupper(c); }));
    CHECK(rec->recorded_at() >= 946684800000);  // 2000-01-01, in milliseconds
    CHECK(rec->recorded_at() < 4102444800000);  // 2100-01-01
    CHECK(rec->causation_id() != nullptr);      // every engine record names its cause
  }
}

TEST_CASE("every schema table has a field table listing its fields, types and requiredness") {
  const auto& schema = ReflectionSchema();
  const auto& tables = Doc().tables;
  for (const reflection::Object* obj : *schema.objects()) {
    std::string name = ShortName(obj->name()->str());
    auto it = tables.find(name);
    CHECK_MESSAGE(it != tables.end(), "docs/events.md has no field table under `### ", name, "`");
    if (it == tables.end()) continue;
    std::vector<const reflection::Field*> fields(obj->fields()->begin(), obj->fields()->end());
    std::sort(fields.begin(), fields.end(),
              [](auto* a, auto* b) { return a->id() < b->id(); });  // declaration order
    std::vector<std::string> want, got;
    for (const auto* f : fields) {
      want.push_back(f->name()->str() + " | " + TypeName(schema, *f->type()) + " | " +
                     (f->required() ? "yes" : "no"));
    }
    for (const Row& row : it->second) {
      got.push_back(row.size() < 3 ? "malformed row" : row[0] + " | " + row[1] + " | " + row[2]);
    }
    CHECK_MESSAGE(Join(got, "\n") == Join(want, "\n"), "the field table under `### ", name,
                  "` differs from the schema (name | type | required, in declaration order)");
  }
}

TEST_CASE("the enum table lists every enum's values in schema order") {
  const auto& schema = ReflectionSchema();
  auto it = Doc().tables.find("Enums");
  REQUIRE_MESSAGE(it != Doc().tables.end(), "docs/events.md has no table under `### Enums`");
  std::map<std::string, std::string> documented;
  for (const Row& row : it->second) {
    if (row.size() >= 2) documented[row[0]] = row[1];
  }
  size_t expected = 0;
  for (const reflection::Enum* e : *schema.enums()) {
    if (e->is_union()) continue;  // Body: its members are the record types above
    ++expected;
    std::string name = ShortName(e->name()->str());
    std::string values;
    for (const reflection::EnumVal* v : *e->values()) {
      values += (values.empty() ? "" : ", ") + v->name()->str();
    }
    auto d = documented.find(name);
    CAPTURE(name);
    CHECK((d == documented.end() ? std::string("(not documented)") : d->second) == values);
  }
  CHECK(documented.size() == expected);
}

}  // namespace
}  // namespace closeloop::events
