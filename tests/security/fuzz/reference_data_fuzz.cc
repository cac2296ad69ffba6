// libFuzzer target: reference data documents (engine/reference_tables.h), the JSON an
// administrator's ReferenceDataUpdated record carries. The first byte picks the table, the
// rest is the document, applied on top of the shipped reference data so that checks across
// items and tables run too. A refused document must leave the table as it was. Built with
// clang++ by tests/security/parsers_fuzz.cmake.
#include <flatbuffers/flatbuffers.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "engine/reference_data.h"
#include "events/json_codec.h"
#include "events/record.h"

using namespace closeloop;

namespace {

const char* const kTables[] = {"jurisdictions", "departments",     "hazard_classes", "enterprises",
                               "rescue_teams",  "material_depots", "experts",        "plans"};

// The shipped reference data, loaded once (as `closeloop publish` would decode it).
const engine::ReferenceData& Shipped() {
  static engine::ReferenceData* ref = [] {
    auto* r = new engine::ReferenceData();
    events::JsonCodec codec;
    for (const char* name :
         {"jurisdictions", "departments", "hazard_classes", "hazard_routing", "enterprises",
          "rescue_teams", "material_depots", "experts", "plans"}) {
      std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/workflows/reference/" + name +
                       ".jsonl");
      std::string line;
      while (std::getline(in, line)) {
        auto bytes = codec.FromJson(line);
        if (!bytes.ok()) std::abort();
        if (!r->ApplyRecord(**events::VerifyRecord(*bytes)).ok()) std::abort();
      }
    }
    return r;
  }();
  return *ref;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* table = kTables[data[0] % std::size(kTables)];
  std::string content(reinterpret_cast<const char*>(data) + 1, size - 1);
  engine::ReferenceData ref = Shipped();
  uint32_t version = ref.Version(table);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateReferenceDataUpdatedDirect(fbb, table, version + 1, content.c_str()));
  const auto& update = *flatbuffers::GetRoot<fb::ReferenceDataUpdated>(fbb.GetBufferPointer());
  Status s = ref.Apply(update);
  if (!s.ok() && ref.Version(table) != version) std::abort();  // refused: nothing changed
  return 0;
}
