// The permission predicate (engine/permission.h), row by row: which claims may take a
// transition open to which roles, and the reason and message of each refusal, as the
// engine writes them into CommandRejected.
#include "engine/permission.h"

#include <doctest/doctest.h>
#include <flatbuffers/flatbuffers.h>

namespace closeloop::engine {
namespace {

std::string Dept(const std::string& id, const std::string& kind, const std::string& district) {
  return R"({"id":")" + id + R"(","name_zh":")" + id + R"(","name_en":")" + id + R"(","level":")" +
         (district.empty() ? "city" : "district") + R"(","district":")" + district +
         R"(","jurisdiction":")" + district + R"(","parent":")" +
         (district.empty() ? "" : "c.awb") + R"(","head":")" + id + R"(.head","kind":")" + kind +
         R"("})";
}

// A small directory: the city's office and commission, and Xuanwu's and Gulou's units.
ReferenceData Directory() {
  std::string items =
      Dept("c.awb", "safety_office", "") + "," + Dept("c.jw", "discipline", "") + "," +
      Dept("xw.awb", "safety_office", "xuanwu") + "," + Dept("xw.jw", "discipline", "xuanwu") +
      "," + Dept("xw.fire", "fire_rescue", "xuanwu") + "," +
      Dept("xw.emb", "emergency_management", "xuanwu") + "," +
      Dept("gl.awb", "safety_office", "gulou") + "," + Dept("gl.fire", "fire_rescue", "gulou");
  std::string content = R"({"items":[)" + items + "]}";
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateReferenceDataUpdatedDirect(fbb, "departments", 1, content.c_str()));
  ReferenceData ref;
  Status s = ref.Apply(*flatbuffers::GetRoot<fb::ReferenceDataUpdated>(fbb.GetBufferPointer()));
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return ref;
}

Ticket Led(const std::string& lead) {
  Ticket t;
  t.id = "T1";
  t.lead = lead;
  t.assist = {"xw.emb"};
  t.jurisdiction = "xuanwu.meiyuan";
  return t;
}

struct Row {
  std::vector<std::string> roles;  // the transition's `by` roles
  Claims claims;
  std::string lead;
  // "" = admitted; otherwise the refusal's reason and message.
  std::string reason;
  std::string message;
};

TEST_CASE("who may fire a verb: the claims against the directory, then the transition's roles") {
  const ReferenceData ref = Directory();
  using V = std::vector<std::string>;
  const Row rows[] = {
      // assignee: staff of the lead department, nobody else of it.
      {V{"assignee"}, {"staff", "xw.fire"}, "xw.fire", "", ""},
      {V{"assignee"},
       {"staff", "xw.emb"},
       "xw.fire",
       "wrong_department",
       "the ticket is led by xw.fire, not xw.emb"},
      {V{"assignee"},
       {"staff", ""},
       "xw.fire",
       "wrong_department",
       "acting as staff of no department, which is not a department in the reference data"},
      {V{"assignee"},
       {"head", "xw.fire"},
       "xw.fire",
       "wrong_role",
       "needs role staff (assignee: staff of the lead department), acting as head"},
      {V{"assignee"},
       {"commander", "xw.fire"},
       "xw.fire",
       "wrong_role",
       "needs role staff (assignee: staff of the lead department), acting as commander"},
      // A supervisor of the office that leads a ticket is not its staff.
      {V{"assignee"},
       {"supervisor", "xw.awb"},
       "xw.awb",
       "wrong_role",
       "needs role staff (assignee: staff of the lead department), acting as supervisor"},
      // assist: staff of an assisting department.
      {V{"assist"}, {"staff", "xw.emb"}, "xw.fire", "", ""},
      {V{"assist"},
       {"staff", "gl.fire"},
       "xw.fire",
       "wrong_department",
       "gl.fire does not assist on this ticket"},
      {V{"assist"},
       {"assist", "xw.emb"},
       "xw.fire",
       "wrong_role",
       "needs role staff (assist: staff of an assisting department), acting as assist"},
      // head: the head of the lead department, acting as head.
      {V{"head"}, {"head", "xw.fire"}, "xw.fire", "", ""},
      {V{"head"},
       {"staff", "xw.fire"},
       "xw.fire",
       "wrong_role",
       "needs role head, acting as staff"},
      {V{"head"}, {"", "xw.fire"}, "xw.fire", "wrong_role", "needs role head, acting as none"},
      {V{"head"},
       {"head", "xw.emb"},
       "xw.fire",
       "wrong_department",
       "the ticket is led by xw.fire, not xw.emb"},
      // supervisor: an office whose jurisdiction covers the ticket's.
      {V{"supervisor"}, {"supervisor", "xw.awb"}, "xw.fire", "", ""},
      {V{"supervisor"}, {"supervisor", "c.awb"}, "xw.fire", "", ""},
      {V{"supervisor"},
       {"supervisor", "gl.awb"},
       "xw.fire",
       "wrong_department",
       "gl.awb oversees gulou, not xuanwu.meiyuan"},
      {V{"supervisor"},
       {"supervisor", "xw.fire"},
       "xw.fire",
       "wrong_department",
       "supervisor acts for a safety_office department; xw.fire is fire_rescue"},
      {V{"supervisor"},
       {"staff", "xw.awb"},
       "xw.fire",
       "wrong_role",
       "needs role supervisor, acting as staff"},
      // inspector: a discipline commission covering the ticket.
      {V{"inspector"}, {"inspector", "xw.jw"}, "xw.fire", "", ""},
      {V{"inspector"},
       {"inspector", "xw.awb"},
       "xw.fire",
       "wrong_department",
       "inspector acts for a discipline department; xw.awb is safety_office"},
      // Several roles: any admits; when none does, the first one's refusal.
      {V{"assignee", "supervisor"}, {"supervisor", "xw.awb"}, "xw.fire", "", ""},
      {V{"assignee", "supervisor"},
       {"staff", "xw.emb"},
       "xw.fire",
       "wrong_department",
       "the ticket is led by xw.fire, not xw.emb"},
      // Roles outside the directory are taken by their claim alone.
      {V{"commander", "assignee"}, {"commander", "xw.fire"}, "xw.fire", "", ""},
      {V{"hotline"}, {"hotline", "c.12345"}, "xw.fire", "", ""},
      {V{"admin"}, {"admin", ""}, "xw.fire", "", ""},
      {V{"admin"},
       {"staff", "xw.fire"},
       "xw.fire",
       "wrong_role",
       "needs role admin, acting as staff"},
      // No roles: anyone whose claims fit the directory.
      {V{}, {"staff", "gl.fire"}, "xw.fire", "", ""},
      {V{},
       {"staff", "nowhere"},
       "xw.fire",
       "wrong_department",
       "acting as staff of nowhere, which is not a department in the reference data"},
  };
  for (const Row& row : rows) {
    std::string roles;
    for (const auto& r : row.roles) roles += r + " ";
    INFO("by " << roles << "| " << row.claims.role << " of " << row.claims.department
               << " | led by " << row.lead);
    std::optional<Refusal> r = FireRefusal(ref, row.roles, row.claims, Led(row.lead));
    if (row.reason.empty()) {
      CHECK_MESSAGE(!r, (r ? r->message : ""));
    } else {
      REQUIRE(r);
      CHECK(fb::EnumNameRejectReason(r->reason) == row.reason);
      CHECK(r->message == row.message);
    }
  }
}

ReferenceData Apply(ReferenceData ref, const std::string& table, const std::string& items) {
  std::string content = R"({"items":[)" + items + "]}";
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateReferenceDataUpdatedDirect(fbb, table.c_str(), 1, content.c_str()));
  Status s = ref.Apply(*flatbuffers::GetRoot<fb::ReferenceDataUpdated>(fbb.GetBufferPointer()));
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return ref;
}

std::string Place(const std::string& code, const std::string& level, const std::string& parent,
                  const std::string& kind) {
  return R"({"code":")" + code + R"(","name_zh":")" + code + R"(","name_en":")" + code +
         R"(","level":")" + level + R"(","parent":")" + parent + R"(","kind":")" + kind +
         R"(","location":{"lat":32.05,"lon":118.79}})";
}

std::string Company(const std::string& id, const std::string& grid) {
  return R"({"id":")" + id + R"(","name_zh":")" + id + R"(","name_en":")" + id +
         R"(","district":"xuanwu","jurisdiction":")" + grid +
         R"(","industry":"hotel","scale":"small","risk_colour":"blue","key_enterprise":false,)"
         R"("safety_officers":1,"location":{"lat":32.05,"lon":118.79},)"
         R"("hazard_classes":["fire_safety"],"risk_sources":[]})";
}

// The directory above, with Xuanwu's Meiyuan street, two of its grids and an enterprise in
// each.
ReferenceData WithPlaces() {
  ReferenceData ref = Apply(Directory(), "jurisdictions",
                            Place("xuanwu", "district", "", "district") + "," +
                                Place("xuanwu.meiyuan", "street", "xuanwu", "street") + "," +
                                Place("xuanwu.meiyuan.g03", "grid", "xuanwu.meiyuan", "emergency") +
                                "," +
                                Place("xuanwu.meiyuan.g04", "grid", "xuanwu.meiyuan", "emergency"));
  return Apply(std::move(ref), "enterprises",
               Company("ENT-1", "xuanwu.meiyuan.g03") + "," + Company("ENT-2", "xuanwu.meiyuan.g04"));
}

TEST_CASE("an enterprise acts only on tickets about itself, a grid inspector only in their grid") {
  const ReferenceData ref = WithPlaces();
  Ticket about_one = Led("xw.fire");
  about_one.subject = "ENT-1";
  about_one.jurisdiction = "xuanwu.meiyuan.g03";
  using V = std::vector<std::string>;
  struct Case {
    V roles;
    Claims claims;
    std::string message;  // "" = admitted
  };
  const Case cases[] = {
      {V{"enterprise"}, {"enterprise", "ENT-1"}, ""},
      {V{"assignee", "enterprise"}, {"enterprise", "ENT-1"}, ""},
      // Another enterprise's order, whatever role it is open to.
      {V{"enterprise"},
       {"enterprise", "ENT-2"},
       "the ticket is about ENT-1, not ENT-2: an enterprise acts only on its own tickets"},
      {V{}, {"enterprise", "ENT-2"},
       "the ticket is about ENT-1, not ENT-2: an enterprise acts only on its own tickets"},
      {V{"enterprise"},
       {"enterprise", "ENT-404"},
       "acting as enterprise ENT-404, which is not an enterprise in the reference data"},
      {V{"enterprise"},
       {"enterprise", ""},
       "acting as enterprise (none), which is not an enterprise in the reference data"},
      // An enterprise is not the department's staff, however it claims.
      {V{"assignee"}, {"enterprise", "ENT-1"}, "the ticket is led by xw.fire, not ENT-1"},
      {V{"supervisor"}, {"enterprise", "ENT-1"}, "needs role supervisor, acting as enterprise"},
      // Staff of the lead cannot act as the enterprise.
      {V{"enterprise"}, {"staff", "xw.fire"}, "needs role enterprise, acting as staff"},
      // Grid inspectors: their own grid, or nothing.
      {V{"grid"}, {"grid", "xuanwu.meiyuan.g03"}, ""},
      {V{"grid"},
       {"grid", "xuanwu.meiyuan.g04"},
       "grid xuanwu.meiyuan.g04 does not cover xuanwu.meiyuan.g03: a grid inspector acts only "
       "within their own grid"},
      // A street is not a grid: its office's staff do not re-check as the grid.
      {V{"grid"},
       {"grid", "xuanwu.meiyuan"},
       "acting as grid inspector of xuanwu.meiyuan, which is not a grid in the reference data"},
      {V{"grid"},
       {"grid", "xw.fire"},
       "acting as grid inspector of xw.fire, which is not a grid in the reference data"},
  };
  for (const Case& c : cases) {
    INFO(c.claims.role << " of " << c.claims.department);
    std::optional<Refusal> r = FireRefusal(ref, c.roles, c.claims, about_one);
    if (c.message.empty()) {
      CHECK_MESSAGE(!r, (r ? r->message : ""));
    } else {
      REQUIRE(r);
      CHECK(r->message == c.message);
    }
  }
  CHECK(AboutEnterprise(about_one, "ENT-1"));
  CHECK_FALSE(AboutEnterprise(about_one, "ENT-2"));
  CHECK_FALSE(AboutEnterprise(about_one, ""));
}

TEST_CASE("jurisdiction codes cover themselves and what lies under them, nothing beside") {
  CHECK(JurisdictionCovers("", "xuanwu.meiyuan"));
  CHECK(JurisdictionCovers("xuanwu", "xuanwu"));
  CHECK(JurisdictionCovers("xuanwu", "xuanwu.meiyuan.g03"));
  CHECK_FALSE(JurisdictionCovers("xuanwu", "xuanwux"));
  CHECK_FALSE(JurisdictionCovers("xuanwu.meiyuan", "xuanwu"));
  CHECK_FALSE(JurisdictionCovers("xuanwu", ""));
}

}  // namespace
}  // namespace closeloop::engine
