// The demo city: the Nanjing reference data (workflows/reference) as the generator needs it,
// grown to a scale by synthesising enterprises beyond the 336 reference ones.
//
// The reference files are published as they are, except `enterprises` when enterprises
// were synthesised: then one table (version 1) holds the reference items followed by the
// synthetic ones, in parts (docs/reference-data.md "parts"). Not thread-safe to modify;
// const access may be shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace closeloop::demo {

struct Sensor {
  std::string id, risk_source, measure, unit;
  double warning = 0, alarm = 0, critical = 0;
  size_t enterprise = 0;  // index into City::enterprises
  int grade = 0;          // of its risk source: 1..4 (一级..四级重大危险源), 0 unknown
};

struct Enterprise {
  std::string id, name_zh, district, jurisdiction, industry, scale, colour;
  bool key = false;
  bool park = false;                 // in the chemical park (holds major hazard sources)
  std::vector<std::string> classes;  // hazard classes its hazards fall into
  double lat = 0, lon = 0;
};

struct Grid {
  std::string code, district;
  double lat = 0, lon = 0;
};

struct City {
  // Reference records (JSON lines) in publishing order (docs/reference-data.md), the
  // enterprises table included as EnterpriseRecords() gives it.
  std::vector<std::string> reference_records;
  std::vector<Enterprise> enterprises;  // reference first, then synthetic
  std::vector<Sensor> sensors;
  std::vector<Grid> grids;
  std::vector<std::string> districts;  // codes, sorted
  size_t reference_enterprises = 0;
  std::vector<std::string> enterprise_items;  // each enterprise's table item (JSON text)
};

// Reads every table of `reference_dir` (workflows/reference). NotFound / InvalidArgument
// when a file is missing or malformed.
Result<City> LoadCity(const std::string& reference_dir);

// Adds synthetic enterprises until the city has `total` (none when it has that many
// already), drawn from `seed`, and rebuilds the enterprises table in reference_records.
// Synthetic enterprises are ordinary businesses across every grid (no major hazard
// sources: the seed figures, 331 of them, live in the chemical park); ids ENT-1xxxxx.
void Synthesise(City& city, size_t total, uint64_t seed);

// Synthetic enterprises per enterprises-table part (each part stays well under the 1 MiB
// limit of one JSON record).
inline constexpr size_t kEnterprisesPerPart = 400;

}  // namespace closeloop::demo
