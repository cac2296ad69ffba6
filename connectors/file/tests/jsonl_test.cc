#include "connectors/file/jsonl.h"

#include <doctest/doctest.h>

#include <sstream>

namespace closeloop::file {
namespace {

constexpr int64_t kNow = 1767225600000;

const char* kGood =
    R"({"source": "hotline","subject": "ENT-1","occurred_at": 1767225600000,"body_type": "HazardReport","body": {"category": "gas"}})";

TEST_CASE("a good file becomes one record per line, partitioned by subject") {
  std::stringstream in;
  in << kGood << "\n\n"
     << kGood << "\n"
     << R"({"source": "clock","body_type": "ClockTick","body": {"now": 1767225600000}})"
     << "\n";
  auto r = ReadJsonl(in, 4, kNow);
  CHECK(r.errors.empty());
  REQUIRE(r.records.size() == 3);
  CHECK(r.lines == 3);
  CHECK(r.records[0].partitions == r.records[1].partitions);
  CHECK(r.records[2].partitions.size() == 4);
  auto batch = ToBatch(r.records, 4);
  size_t total = 0;
  for (auto& pa : batch) total += pa.records.size();
  CHECK(total == 2 + 4);
}

TEST_CASE("every bad line is reported with line, column and field, and nothing is kept") {
  std::stringstream in;
  in << kGood << "\n"
     << R"({"source": "hotline","subject": "ENT-1","occurred_at": 1767225600000,"body_type": "HazardReport","body": {"category": "gas","severity": "huge"}})"
     << "\n"
     << kGood << "\n"
     << R"({"source": "hotline","occurred_at": 1767225600,"body_type": "HazardReport","body": {"category": "gas"}})"
     << "\n"
     << "{not json\n";
  auto r = ReadJsonl(in, 4, kNow);
  CHECK(r.records.empty());
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].field == "body.severity");
  CHECK(r.errors[0].column == 137);  // the opening quote of "huge"
  CHECK(FormatError("f.jsonl", r.errors[0]) ==
        "f.jsonl:2:137: body.severity: unknown enum value: huge");
  CHECK(r.errors[1].line == 4);
  CHECK(r.errors[1].field == "subject");
  CHECK(r.errors[2].line == 4);
  CHECK(r.errors[2].field == "occurred_at");
  CHECK(r.errors[2].column == 22);
  CHECK(r.errors[3].line == 5);
}

TEST_CASE("ids are kept when given and drawn when absent") {
  std::stringstream in;
  in << R"({"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV","source": "hotline","subject": "ENT-1","occurred_at": 1767225600000,"body_type": "HazardReport","body": {"category": "gas"}})"
     << "\n"
     << kGood << "\n";
  auto r = ReadJsonl(in, 4, kNow);
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0].id == "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  CHECK(r.records[1].id.size() == 26);
}

TEST_CASE("a line with a 30 KB unknown key is reported briefly, and the file is refused") {
  std::stringstream in;
  in << kGood << "\n"
     << R"({"source": "hotline", ")" << std::string(30000, 'k') << R"(": 1})"
     << "\n";
  auto r = ReadJsonl(in, 4, kNow);
  CHECK(r.records.empty());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].column == 23);
  CHECK(FormatError("f.jsonl", r.errors[0]).size() < 600);
}

TEST_CASE("deep nesting and an oversized line are refused per line, without holding the line") {
  std::stringstream in;
  in << std::string(100000, '[') << "\n"
     << std::string(3 << 20, ' ') << "x\n"
     << kGood;  // the last line has no newline and still counts
  auto r = ReadJsonl(in, 4, kNow);
  CHECK(r.lines == 3);
  REQUIRE(r.errors.size() == 2);
  CHECK(FormatError("f.jsonl", r.errors[0]) == "f.jsonl:1:17: nesting deeper than 16 levels");
  CHECK(FormatError("f.jsonl", r.errors[1]) ==
        "f.jsonl:2:1: the line is 3145729 bytes; the limit for a record is 1048576");
}

}  // namespace
}  // namespace closeloop::file

namespace closeloop::file {
namespace {

TEST_CASE("a publish policy is decided on the decoded record: type, source, commands, control") {
  PublishPolicy policy;
  policy.source = "hotline";
  policy.event_types = {"HazardReport"};
  policy.who = "this token";
  IngressPreparer prep(4, policy);
  PreparedRecord out;
  std::vector<IngressError> errors;
  CHECK(prep.Prepare(kGood, 1, kNow, &out, &errors));
  CHECK(errors.empty());

  struct Case {
    const char* json;
    const char* field;
  };
  const Case refused[] = {
      {R"({"source": "clock","body_type": "ClockTick","body": {"now": 1767225600000}})",
       "body_type"},
      {R"({"source": "hotline","subject": "S","occurred_at": 1767225600000,"actor": "x",
          "body_type": "StaffCommand","body": {"ticket_id": "T","verb": "review_pass"}})",
       "body_type"},
      {R"({"source": "video","subject": "S","occurred_at": 1767225600000,
          "body_type": "HazardReport","body": {"category": "gas"}})",
       "source"},
      {R"({"source": "hotline","subject": "S","occurred_at": 1767225600000,
          "body_type": "SensorAlarm","body": {"sensor_id": "S-1"}})",
       "body_type"},
  };
  for (const auto& c : refused) {
    CAPTURE(c.json);
    errors.clear();
    CHECK(!prep.Prepare(c.json, 3, kNow, &out, &errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].forbidden);
    CHECK(errors[0].field == c.field);
    CHECK(errors[0].line >= 3);
  }
  // The default (an operator's own file) admits control records and commands alike.
  IngressPreparer trusted(4);
  errors.clear();
  CHECK(trusted.Prepare(refused[0].json, 1, kNow, &out, &errors));
}

}  // namespace
}  // namespace closeloop::file
