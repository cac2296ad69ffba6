// Loop 1's other ways in: video AI detections (hazard_disposal.wf, and incident_response.wf for
// fire and smoke) and enterprises' self-reported hazards (自查自改), on the Nanjing reference data.
#include <doctest/doctest.h>

#include <map>

#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

const char* kPlant = "ENT-00002";  // Jiangbei chemical park, Liuhe
const char* kGrid = "liuhe.changlu.g09";

std::string Attrs(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    out += std::string(out.empty() ? "" : ", ") + R"({"key": ")" + k + R"(", "value": ")" + v +
           R"("})";
  }
  return "[" + out + "]";
}

std::string Envelope(City& c, const std::string& source, const std::string& subject) {
  return R"({"source": ")" + source + R"(", "subject": ")" + subject + R"(", "jurisdiction": ")" +
         kGrid + R"(", "occurred_at": )" + std::to_string(c.h.now()) + ", ";
}

// The video platform: a detection by `camera`, with the sector of the place it watches.
std::string Detection(City& c, const std::string& subject, const std::string& camera,
                      const std::string& algorithm, double confidence,
                      const std::string& sector = "") {
  std::vector<std::pair<std::string, std::string>> attrs;
  if (!sector.empty()) attrs.emplace_back("sector", sector);
  return c.h.Publish(Envelope(c, "video-ai", subject) +
                     R"("body_type": "VideoAlarm", "body": {"camera_id": ")" + camera +
                     R"(", "algorithm": ")" + algorithm + R"(", "confidence": )" +
                     std::to_string(confidence) + R"(, "attrs": )" + Attrs(attrs) + "}}");
}

// The enterprise portal: a hazard the enterprise found itself, with or without its plan.
std::string SelfReport(City& c, const std::string& category, const std::string& severity,
                       const std::string& plan) {
  return c.h.Publish(Envelope(c, "enterprise-portal", kPlant) +
                     R"("body_type": "EnterpriseSelfReport", "body": {"category": ")" + category +
                     R"(", "severity": ")" + severity + R"(", "description": "found by us", )" +
                     R"("rectification_plan": ")" + plan + R"("}})");
}

// The enterprise portal: the enterprise reports its own rectification done, with photos.
std::string SelfRectified(City& c, const std::string& category, const std::string& evidence) {
  std::vector<std::pair<std::string, std::string>> attrs = {{"rectified", "yes"}};
  if (!evidence.empty()) attrs.emplace_back("evidence", evidence);
  return c.h.Publish(Envelope(c, "enterprise-portal", kPlant) +
                     R"("body_type": "EnterpriseSelfReport", "body": {"category": ")" + category +
                     R"(", "severity": "general", "attrs": )" + Attrs(attrs) + "}}");
}

const char* kPhotos = "sha256:9f2c4e0b7a1d3c5e8f6a2b4d6c8e0a1b3d5f7a9c1e3b5d7f9a2c4e6b8d0f1a3c";

TEST_CASE(
    "a camera that sees fire or smoke opens an emergency incident, not a hazard with working "
    "days, and the 119 call about the same fire joins it") {
  City c(Shanghai(2026, 3, 7, 22));                        // Saturday night
  Detection(c, kPlant, "CAM-ENT-00002-04", "smoke", 0.6);  // low confidence: noise
  CHECK(c.Of("incident_response").empty());
  Detection(c, kPlant, "CAM-ENT-00002-04", "smoke", 0.93);
  Ticket incident = c.Only("incident_response");
  CHECK(incident.category == "fire");
  CHECK(incident.state == "reported");
  CHECK(incident.lead == "nj.liuhe.emb");                       // the command centre
  CHECK(incident.deadline_at == Shanghai(2026, 3, 7, 22, 15));  // 15 minutes, day or night
  CHECK(c.Of("hazard_disposal").empty());
  c.Incident(kPlant, kGrid, "fire", "general");
  CHECK(c.Of("incident_response").size() == 1);
  CHECK(c.RecordsAbout("EventAttached", incident.id).size() == 1);
}

TEST_CASE(
    "other detections go to the department of the place's sector: no helmet on a building site "
    "to housing and construction, a blocked fire exit to the fire brigade, an unplaced camera "
    "to industry and trade") {
  City c(Shanghai(2026, 3, 2, 10));
  Detection(c, "SITE-LH-0031", "CAM-SITE-LH-0031-02", "no_helmet", 0.91, "construction");
  Detection(c, kPlant, "CAM-ENT-00002-07", "fire_exit_blocked", 0.88);
  Detection(c, kPlant, "CAM-ENT-00002-09", "intrusion", 0.85);
  auto orders = c.Of("hazard_disposal");
  REQUIRE(orders.size() == 3);
  std::map<std::string, std::string> lead;
  for (const auto& t : orders) lead[t.Fact("camera").as_string()] = t.lead;
  CHECK(lead["CAM-SITE-LH-0031-02"] == "nj.liuhe.housing");
  CHECK(lead["CAM-ENT-00002-07"] == "nj.liuhe.fire");
  CHECK(lead["CAM-ENT-00002-09"] == "nj.liuhe.emb");
  for (const auto& t : orders) CHECK(t.Fact("channel").as_string() == "video");
  CHECK(c.Of("incident_response").empty());
}

TEST_CASE(
    "an enterprise rectifies its own general hazard on its plan and reports it done with "
    "photos; the department acknowledges it, and nothing waits for a site visit") {
  City c(Shanghai(2026, 3, 2, 10));
  SelfReport(c, "industrial_trade", "general",
             "replace the corroded guard rail at the acetone tank farm by 13 March");
  Ticket own = c.Only("hazard_disposal");
  CHECK(own.state == "self_rectifying");
  CHECK(own.lead == "nj.liuhe.emb");
  CHECK(own.Fact("channel").as_string() == "self_report");
  CHECK(own.deadline_at == Shanghai(2026, 3, 23, 17));  // 15 working days: the enterprise's

  c.AdvanceTo(Shanghai(2026, 3, 10, 15));
  SelfRectified(c, "industrial_trade", "");  // no photos: not taken as done
  CHECK(c.Get(own.id).state == "self_rectifying");
  SelfRectified(c, "industrial_trade", kPhotos);
  own = c.Get(own.id);
  CHECK(own.state == "self_reviewing");
  CHECK(own.Fact("self_evidence").as_string() == kPhotos);
  CHECK(c.Of("hazard_disposal").size() == 1);  // the completion opens nothing
  c.Act(own, "acknowledge", "staff", "nj.liuhe.emb");
  own = c.Get(own.id);
  CHECK(own.closed);
  CHECK(own.outcome == "self_rectified");
  CHECK(!own.overdue);
}

TEST_CASE(
    "a sampled self-rectification that fails the department's check, and one the enterprise "
    "leaves past its own deadline, become the department's to verify, without marking the "
    "department overdue") {
  SUBCASE("sampled and failed") {
    City c(Shanghai(2026, 3, 2, 10));
    SelfReport(c, "industrial_trade", "general", "clean the dust collector ducts");
    Ticket own = c.Only("hazard_disposal");
    SelfRectified(c, "industrial_trade", kPhotos);
    c.Act(own, "review_fail", "staff", "nj.liuhe.emb",
          R"("reason": "dust still 3 mm deep on the duct at bay 4")");
    own = c.Get(own.id);
    CHECK(own.state == "verifying");
    CHECK(own.reopens == 1);
  }
  SUBCASE("late on its own plan") {
    City c(Shanghai(2026, 3, 2, 10));
    SelfReport(c, "industrial_trade", "general", "repair the explosion-proof lamp in room 2");
    Ticket own = c.Only("hazard_disposal");
    c.AdvanceTo(Shanghai(2026, 3, 23, 18));
    own = c.Get(own.id);
    CHECK(own.state == "verifying");
    CHECK(!own.overdue);
    CHECK(c.RecordsAbout("TicketOverdue", own.id).empty());
  }
}

TEST_CASE(
    "a major hazard the enterprise reports, or a general one without a plan, goes to the "
    "regulator to verify on site") {
  City c(Shanghai(2026, 3, 2, 10));
  SelfReport(c, "hazardous_chemicals", "major", "shut the unit and replace the relief valve");
  SelfReport(c, "fire_safety", "general", "");
  auto orders = c.Of("hazard_disposal");
  REQUIRE(orders.size() == 2);
  for (const auto& t : orders) {
    CHECK(t.state == "dispatched");
    CHECK(t.lead == (t.category == "hazardous_chemicals" ? "nj.liuhe.emb" : "nj.liuhe.fire"));
    CHECK(t.severity == (t.category == "hazardous_chemicals" ? "major" : "general"));
  }
}

}  // namespace
}  // namespace closeloop::workflows
