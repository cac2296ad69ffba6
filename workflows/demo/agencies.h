// The agencies of the demo city and what they publish, hour by hour: the 12345 hotline,
// grid inspectors and the public (HazardReport), the IoT platform at the major hazard
// sources (SensorAlarm storms, now and then a plant upset that sets off a whole risk
// source), the video-AI platform (VideoAlarm), enterprises (EnterpriseSelfReport, their
// monthly SelfInspection, officers' and supervisors' inspections), inspection teams
// (InspectionFinding), the enforcement system (EnforcementStep: cases filed, then their
// steps), emergencies (IncidentReport) and service requests (ServiceRequest).
//
// Rates follow the working day and the week: the hotline peaks in the day and never stops,
// inspectors and enterprises work office hours on working days, sensors and incidents keep
// no hours. Geography comes from the city: events are about its enterprises, in their grids.
//
// Not thread-safe. Deterministic: the same city, rates, seed and windows give the same
// events.
#pragma once

#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "workflows/demo/city.h"
#include "workflows/demo/rng.h"

namespace closeloop::demo {

struct AgencyEvent {
  int64_t at = 0;
  std::string json;  // a record without "id"
};

class Agencies {
 public:
  // `city` must outlive this.
  Agencies(const City& city, Rates rates, uint64_t seed);

  // Appends every event in [from, to) to *out in time order: new ones drawn for the
  // window and follow-ups (storm alarms, normal readings, case steps, duty answers)
  // scheduled by earlier ones. Windows must follow each other without gaps.
  void Between(int64_t from, int64_t to, std::vector<AgencyEvent>* out);

  // Events published so far, by body type.
  const std::map<std::string, uint64_t>& counts() const { return counts_; }

 private:
  struct Pending {
    int64_t at;
    uint64_t seq;
    std::string json;
    bool operator>(const Pending& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void Hour(int64_t from, int64_t to);
  void Later(int64_t at, std::string json);
  void HazardReport(int64_t at);
  void SensorStorm(int64_t at, bool upset);
  void VideoAlarm(int64_t at);
  void SelfReport(int64_t at);
  void Inspection(int64_t at);
  void EnforcementCase(int64_t at);
  void Incident(int64_t at);
  void ServiceRequest(int64_t at);
  void MonthlyDuties(int64_t month_start);
  const Enterprise& PickEnterprise();
  // "南京市" and the grid's name: where a report says the hazard is.
  std::string Address(const std::string& grid_code) const;

  const City& city_;
  Rates rates_;
  Rng rng_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
  uint64_t seq_ = 0;
  uint64_t serial_ = 0;  // numbers in external references
  std::vector<size_t> sensor_order_;
  size_t next_sensor_ = 0;
  int64_t last_month_ = -1;  // month index whose duties were scheduled
  std::map<std::string, uint64_t> counts_;
};

// Milliseconds since the epoch of a local time in Asia/Shanghai (UTC+8).
int64_t Shanghai(int y, int m, int d, int hh = 0, int mm = 0);

}  // namespace closeloop::demo
