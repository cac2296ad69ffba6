#include "events/json_codec.h"

#include <doctest/doctest.h>

#include "events/record.h"

namespace closeloop::events {
namespace {

constexpr std::string_view kAlarm =
    R"({"id": "01JDAZ8Q8R0000000000000000","source": "iot-platform","subject": "RS-0001",)"
    R"("occurred_at": 1767225600000,"body_type": "SensorAlarm","body": {"sensor_id": "GAS-7",)"
    R"("measure": "combustible_gas","level": "critical","value": 42.5,"threshold": 25.0,"unit": "%LEL"}})";

TEST_CASE("a record round-trips JSON -> bytes -> JSON unchanged") {
  JsonCodec codec;
  auto bytes = codec.FromJson(kAlarm);
  REQUIRE(bytes.ok());
  auto json = codec.ToJson(*bytes);
  REQUIRE(json.ok());
  CHECK(*json == kAlarm);
}

TEST_CASE("Chinese text stays readable in JSON output") {
  JsonCodec codec;
  auto bytes = codec.FromJson(
      R"({"subject": "南京化工园区","body_type": "ClockTick","body": {"now": 1767225600000}})");
  REQUIRE(bytes.ok());
  CHECK(codec.ToJson(*bytes)->find("南京化工园区") != std::string::npos);
}

TEST_CASE("control characters inside strings come out escaped, so the output is JSON") {
  JsonCodec codec;
  auto bytes = codec.FromJson(
      R"({"subject": "a\u001fb\tc","body_type": "ClockTick","body": {"now": 1767225600000}})");
  REQUIRE(bytes.ok());
  for (bool pretty : {false, true}) {
    auto json = pretty ? codec.ToPrettyJson(*bytes) : codec.ToJson(*bytes);
    REQUIRE(json.ok());
    CHECK(json->find("a\\u001fb\\tc") != std::string::npos);  // FlatBuffers escapes \t itself
    for (size_t i = 0; i < json->size(); ++i) {
      // Raw control characters may only be layout (a pretty rendering's newlines).
      if (static_cast<unsigned char>((*json)[i]) < 0x20) CHECK((*json)[i] == '\n');
    }
    auto again = codec.FromJson(*json);  // and it reads back as the same record
    REQUIRE(again.ok());
    CHECK(*again == *bytes);
  }
}

TEST_CASE("an unknown enum value names the field, line and column") {
  JsonCodec codec;
  DecodeError err;
  auto r = codec.FromJson(
      R"({"subject": "s","body_type": "SensorAlarm","body": {"sensor_id": "a","measure": "nope"}})",
      &err);
  REQUIRE_FALSE(r.ok());
  CHECK(err.line == 1);
  CHECK(err.column == 81);  // the opening quote of "nope"
  CHECK(err.field == "body.measure");
  CHECK(err.message.find("unknown enum value") != std::string::npos);
}

TEST_CASE("a missing required field is named with its path") {
  JsonCodec codec;
  DecodeError err;
  auto r =
      codec.FromJson(R"({"subject": "s","body_type": "SensorAlarm","body": {"value": 1}})", &err);
  REQUIRE_FALSE(r.ok());
  CHECK(err.field == "body.sensor_id");
}

TEST_CASE("unknown fields, wrong types and broken syntax are errors with a location") {
  JsonCodec codec;
  DecodeError err;
  CHECK_FALSE(codec.FromJson(R"({"subject": "s", "bogus": 1})", &err).ok());
  CHECK(err.field == "bogus");
  CHECK_FALSE(codec.FromJson(R"({"subject": "s", "occurred_at": "noon"})", &err).ok());
  CHECK(err.field == "occurred_at");
  CHECK_FALSE(codec.FromJson(R"({"subject": )", &err).ok());
  CHECK(err.line == 1);
  CHECK_FALSE(codec.FromJson("[1, 2]", &err).ok());
  CHECK_FALSE(codec.FromJson(std::string("{\"subject\": \"a\0b\"}", 18), &err).ok());
  CHECK(err.ToString() == "1:15: a control character in a string (escape it)");
}

TEST_CASE("the codec keeps working after an error") {
  JsonCodec codec;
  CHECK_FALSE(codec.FromJson(R"({"body_type": "Nope", "body": {}})").ok());
  CHECK(codec.FromJson(kAlarm).ok());
}

TEST_CASE("oversize JSON is refused before parsing") {
  JsonCodec codec;
  std::string big = R"({"subject": ")" + std::string(JsonCodec::kMaxJsonBytes, 'x') + "\"}";
  DecodeError err;
  CHECK_FALSE(codec.FromJson(big, &err).ok());
  CHECK(err.message.find("limit") != std::string::npos);
}

TEST_CASE("a 30 KB unknown key is an error with a short message, not a crash") {
  // The parser's message quotes the key; reading it with std::regex overflowed the stack.
  JsonCodec codec;
  DecodeError err;
  std::string key(30000, 'k');
  auto r = codec.FromJson(R"({"subject": "s", ")" + key + R"(": 1})", &err);
  REQUIRE_FALSE(r.ok());
  CHECK(err.line == 1);
  CHECK(err.column == 18);  // the key's opening quote
  CHECK(err.field.size() <= 200 + 3);
  CHECK(err.message.size() <= 200 + 3);
  CHECK(err.message.find("unknown field") != std::string::npos);
  CHECK(codec.FromJson(kAlarm).ok());
}

TEST_CASE("nesting deeper than the limit is refused before FlatBuffers' parser runs") {
  JsonCodec codec;
  DecodeError err;
  std::string deep = R"({"subject": "s", "body_type": "HazardReport", "body": {"attrs": )" +
                     std::string(100000, '[') + std::string(100000, ']') + "}}";
  REQUIRE_FALSE(codec.FromJson(deep, &err).ok());
  CHECK(err.message == "nesting deeper than 16 levels");
  CHECK(err.line == 1);
  CHECK(err.column == 79);  // the 15th '[' (the record and body are two levels)
}

TEST_CASE("what FlatBuffers' parser tolerates but JSON is not is refused") {
  JsonCodec codec;
  DecodeError err;
  std::string alarm(kAlarm);
  // A comment where a permission check with a strict parser would have failed to look.
  CHECK_FALSE(codec.FromJson("/* x */" + alarm, &err).ok());
  CHECK(err.ToString() == "1:1: a comment is not JSON");
  CHECK_FALSE(codec.FromJson(R"({"subject": "s",})", &err).ok());
  CHECK(err.message == "a trailing comma is not JSON");
  CHECK_FALSE(
      codec
          .FromJson(
              R"({"subject": "s","body_type": "SensorAlarm","body": {"sensor_id": "a","value": nan}})",
              &err)
          .ok());
  CHECK(err.field.empty());
  CHECK(err.column == 79);
}

TEST_CASE("a number out of its field's range names that field, wherever the parser stops") {
  JsonCodec codec;
  DecodeError err;
  // Range errors surface when the enclosing table closes, after its last field.
  std::string text =
      R"({"source": "h","subject": "s","occurred_at": 99999999999999999999,)"
      R"("body_type": "HazardReport","body": {"category": "gas","description": "leak"}})";
  REQUIRE_FALSE(codec.FromJson(text, &err).ok());
  CHECK(err.field == "occurred_at");
  CHECK(err.column == 46);
  std::string command =
      R"({"actor": "a","body": {"days": 3000000000,"ticket_id": "T","verb": "extend"},)"
      R"("body_type": "StaffCommand","subject": "s"})";
  REQUIRE_FALSE(codec.FromJson(command, &err).ok());
  CHECK(err.field == "body.days");
  CHECK(err.column == 32);
}

TEST_CASE("every truncation of a record is rejected, or loses only trailing padding") {
  JsonCodec codec;
  std::string bytes = *codec.FromJson(kAlarm);
  size_t rejected = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string cut = bytes.substr(0, n);
    if (!VerifyRecord(cut).ok()) {
      ++rejected;
      continue;
    }
    // Only alignment padding at the end may go: the record must read exactly the same.
    CHECK(n >= bytes.size() - 7);
    CHECK(*codec.ToJson(cut) == kAlarm);
  }
  CHECK(rejected >= bytes.size() - 7);
}

TEST_CASE("the verifier catches bit flips that break the structure, and never crashes") {
  JsonCodec codec;
  std::string bytes = *codec.FromJson(kAlarm);
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      auto rec = VerifyRecord(flipped);
      if (!rec.ok()) {
        ++rejected;
        continue;
      }
      // A flip inside a scalar or string payload still verifies; reading it must be safe.
      auto json = codec.ToJson(flipped);
      (void)json;
    }
  }
  // Flips in offsets, vtables and the identifier must be caught: a good share of all flips.
  CHECK(rejected > static_cast<int>(bytes.size()));
}

}  // namespace
}  // namespace closeloop::events
