// The one World loader (engine/world.h LoadStoredControl): the control records a processor
// stored rebuild its World in order, and a stored record that does not verify is an error
// that stops before it, never a record silently left out of the World.
#include <doctest/doctest.h>

#include <fstream>
#include <map>

#include "engine/keys.h"
#include "engine/world.h"
#include "events/json_codec.h"

namespace closeloop::engine {
namespace {

class MapReader final : public StateReader {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = kv.find(key);
    if (it == kv.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Scan(std::string_view from, std::string_view to, const ScanFn& fn) const override {
    for (auto it = kv.lower_bound(from); it != kv.end() && it->first < to; ++it) {
      if (!fn(it->first, it->second)) break;
    }
    return Status::Ok();
  }
  std::map<std::string, std::string, std::less<>> kv;
};

std::string DepartmentsRecord() {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/reference/departments.jsonl");
  std::string line;
  REQUIRE(std::getline(in, line));
  events::JsonCodec codec;
  auto bytes = codec.FromJson(line);
  REQUIRE(bytes.ok());
  return *bytes;
}

TEST_CASE("stored control records rebuild the World; one that does not verify is an error") {
  MapReader state;
  state.kv[keys::Config(0, 0)] = DepartmentsRecord();
  state.kv[keys::Config(0, 1)] = "not a record";
  state.kv[keys::Config(1, 0)] = DepartmentsRecord();  // another partition's copy

  CHECK(*CountStoredControl(state, 0, 0) == 2);
  CHECK(*CountStoredControl(state, 0, 1) == 1);
  CHECK(*CountStoredControl(state, 1, 0) == 1);

  World world;
  uint64_t seq = 0;
  Status s = LoadStoredControl(state, 0, &seq, &world);
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("control record 1 of partition 0") != std::string::npos);
  CHECK(seq == 1);  // stopped before the bad one: a retry meets it again
  CHECK(world.reference().FindDepartment("nj.awb") != nullptr);

  World other;
  uint64_t other_seq = 0;
  REQUIRE(LoadStoredControl(state, 1, &other_seq, &other).ok());
  CHECK(other_seq == 1);
  CHECK(other.reference().FindDepartment("nj.awb") != nullptr);
  // From where it stopped: nothing new.
  REQUIRE(LoadStoredControl(state, 1, &other_seq, &other).ok());
  CHECK(other_seq == 1);
}

}  // namespace
}  // namespace closeloop::engine
