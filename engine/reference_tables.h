// Validating parsers of the JSON documents that ReferenceDataUpdated records carry, one per
// table (shapes in docs/reference-data.md). Internal to the engine: ReferenceData uses them.
//
// Each checks every field of every item: types, required fields, enum values, ranges and
// the rules one item can break on its own (thresholds that rise, a jurisdiction code under
// its parent, an enterprise's grid inside its district). Unknown fields are errors, so a
// misspelt field never passes silently. Rules across items (duplicate ids, parents that
// exist) are ReferenceData's, which sees all parts of a version together.
//
// The error is the first bad field with its path: "content_json.items[3].level: 'province'
// is not one of city, district, street". On error `*out` is left as it was.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/reference_data.h"

namespace closeloop::engine {

// Where a document sits among the parts of its table version ({"part": 2, "parts": 6});
// 1 of 1 when the document has neither field.
struct DocumentPart {
  int part = 1;
  int parts = 1;
};
inline constexpr int kMaxParts = 1000;
// A document is strict JSON no larger than a record may be (1 MiB) and no deeper than 16
// levels (the deepest table, enterprises, needs 6); anything else is refused before parsing.
inline constexpr size_t kMaxDocumentBytes = 1 << 20;
inline constexpr int kMaxDocumentDepth = 16;

Result<DocumentPart> ParseDepartments(std::string_view content_json, std::vector<Department>* out);
Result<DocumentPart> ParseJurisdictions(std::string_view content_json,
                                        std::vector<Jurisdiction>* out);
Result<DocumentPart> ParseHazardClasses(std::string_view content_json,
                                        std::vector<HazardClass>* out);
Result<DocumentPart> ParseEnterprises(std::string_view content_json, std::vector<Enterprise>* out);
Result<DocumentPart> ParseRescueTeams(std::string_view content_json, std::vector<RescueTeam>* out);
Result<DocumentPart> ParseMaterialDepots(std::string_view content_json,
                                         std::vector<MaterialDepot>* out);
Result<DocumentPart> ParseExperts(std::string_view content_json, std::vector<Expert>* out);
Result<DocumentPart> ParsePlans(std::string_view content_json, std::vector<Plan>* out);

}  // namespace closeloop::engine
