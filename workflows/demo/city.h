// The demo city: a city's reference data (workflows/reference for Nanjing,
// workflows/cities/taicang for Taicang) and its demo profile (demo.json beside it: names,
// city-scale figures, the people the console signs in as) as the generator needs them, grown
// to a scale by synthesising enterprises beyond the reference ones. Nothing here knows a
// city: every name and figure comes from the files.
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
  std::string code, district, name_zh;
  double lat = 0, lon = 0;
};

// Mean events per day across the city (working-hours kinds: per working day). The defaults
// are the small scale's; a city's demo.json gives its own for `--scale city`.
struct Rates {
  double hazard_reports = 60;  // hotline, grid inspectors, public app, web
  double sensor_storms = 6;    // one sensor's alarm storm (2..30 alarms in minutes)
  double plant_upsets = 0.05;  // every sensor of one risk source at once
  double video_alarms = 12;
  double self_reports = 6;       // enterprises report their own hazards
  double inspections = 6;        // special / industry / territorial visits (1..4 findings)
  double enforcement_cases = 3;  // cases filed (their later steps follow)
  double incidents = 3;
  double service_requests = 20;
  bool periodic_inspections = true;  // enterprises answer their monthly / bi-monthly duties
};

// Someone the console signs in as: `serve --demo` creates a user and a token for each.
struct Persona {
  std::string name;        // user name, e.g. "liuhe-emb-staff"
  std::string role;        // staff | supervisor | inspector | auditor | admin | publisher
  std::string department;  // a department of the city (publisher: its source; enterprise: its id)
  std::string display_name;  // "六合区应急管理局 值班员 (Liuhe District EMB, duty officer)"
  std::vector<std::string> acts_as;  // workflow roles a staff user also claims, e.g. "head"
};

// DIR/demo.json: what the demo needs to know of a city beyond its reference records.
struct Profile {
  std::string name_zh, name_en;        // "南京市", "Nanjing": addresses, synthetic names
  std::string company_zh, company_en;  // synthetic enterprises' name prefix: "南京", "Nanjing"
  size_t city_enterprises = 0;         // `--scale city`: the register's size
  Rates city_rates;                    // `--scale city`: the agencies' rates
  std::vector<Persona> personas;
};

struct City {
  Profile profile;
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

// Reads every table of `reference_dir` (workflows/reference) and its demo.json. NotFound /
// InvalidArgument when a file is missing or malformed, naming the file and the field; a
// persona whose department the departments table does not hold is refused.
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
