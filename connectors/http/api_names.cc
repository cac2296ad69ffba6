// Names, not ids: a ticket as people read it carries the names of its enterprise (subject),
// its place (district, street, grid) and its departments from the reference data, in Chinese
// and English; the ids stay beside them and stay searchable.
#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"

namespace closeloop::http {
namespace {

json Name(const std::string& zh, const std::string& en) {
  return {{"zh", zh.empty() ? en : zh}, {"en", en.empty() ? zh : en}};
}

}  // namespace

json Api::Impl::NamedTicketJson(const engine::Ticket& t) {
  json j = TicketJson(t);
  json names = json::object();
  world.With([&](const engine::World& w) {
    const engine::ReferenceData& ref = w.reference();
    if (const auto* e = ref.FindEnterprise(t.subject))
      names["subject"] = Name(e->name_zh, e->name_en);
    // The place from the district down: "六合区 长芦街道 第7网格".
    std::string zh, en;
    for (size_t end = 0; end != std::string::npos;) {
      end = t.jurisdiction.find('.', end + 1);
      const auto* j2 = ref.FindJurisdiction(t.jurisdiction.substr(0, end));
      if (j2 == nullptr) continue;
      zh += (zh.empty() ? "" : " ") + (j2->name_zh.empty() ? j2->name_en : j2->name_zh);
      en += (en.empty() ? "" : ", ") + (j2->name_en.empty() ? j2->name_zh : j2->name_en);
    }
    if (!zh.empty()) names["jurisdiction"] = Name(zh, en);
    for (auto [key, id] : {std::pair{"lead", &t.lead}, {"escalated_to", &t.escalated_to}}) {
      if (const auto* d = ref.FindDepartment(*id)) names[key] = Name(d->name_zh, d->name_en);
    }
    if (const auto* staff = w.staff(); staff && !t.assignee.empty()) {
      if (const auto* p = staff->Find(t.assignee); p && !p->name.empty())
        names["assignee"] = Name(p->name, p->name);
    }
    return 0;
  });
  j["names"] = names;
  return j;
}

std::vector<std::string> Api::Impl::SubjectsNamed(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  world.With([&](const engine::World& w) {
    for (const auto* e : w.reference().FindEnterprises({})) {
      if (e->name_zh.find(text) != std::string::npos ||
          e->name_en.find(text) != std::string::npos) {
        out.push_back(e->id);
        if (out.size() >= 500) break;
      }
    }
    return 0;
  });
  return out;
}

}  // namespace closeloop::http
