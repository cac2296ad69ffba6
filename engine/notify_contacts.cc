#include "engine/notify_contacts.h"

#include <string>

namespace closeloop::engine {
namespace {

bool Sends(const Subscription& sub) { return sub.channel != NotifyChannel::kWebhook; }
bool Email(const Subscription& sub) { return sub.channel == NotifyChannel::kEmail; }
std::string What(const Subscription& sub) { return Email(sub) ? "e-mail" : "phone"; }
std::string Channel(const Subscription& sub) { return Email(sub) ? "e-mail" : "SMS"; }

const std::string& Address(const RosterPerson& p, const Subscription& sub) {
  return Email(sub) ? p.email : p.phone;
}

const std::string& Address(const NotifyContact& c, bool head, const Subscription& sub) {
  return head ? (Email(sub) ? c.head_email : c.head_phone)
              : (Email(sub) ? c.desk_email : c.desk_phone);
}

// The first person of `roster`'s shift orders without the address `sub` needs, or nullptr
// (and the shift naming them in *shift).
const RosterPerson* Unreachable(const Roster& roster, const Subscription& sub,
                                const Shift** shift) {
  for (const Shift& s : roster.shifts) {
    for (const std::string& id : s.order) {
      const RosterPerson* p = roster.Person(id);
      if (p != nullptr && Address(*p, sub).empty()) {
        *shift = &s;
        return p;
      }
    }
  }
  return nullptr;
}

}  // namespace

Status CheckSubscriptionContacts(const NotifyTable& notify, const RosterTable* rosters) {
  const auto& subs = notify.subscriptions();
  for (size_t i = 0; i < subs.size(); ++i) {
    const Subscription& sub = subs[i];
    if (!Sends(sub)) continue;
    for (size_t j = 0; j < sub.to.size(); ++j) {
      const NotifyRecipient& r = sub.to[j];
      const std::string at =
          "subscriptions[" + std::to_string(i) + "].to[" + std::to_string(j) + "]: ";
      const std::string needs = ", which this " + Channel(sub) + " subscription needs";
      if (r.kind == NotifyRecipient::Kind::kAddress) continue;
      if (r.kind == NotifyRecipient::Kind::kRoster) {
        const Roster* roster = rosters ? rosters->Find(r.roster) : nullptr;
        if (roster == nullptr) continue;  // World refuses a roster not in effect first
        const Shift* shift = nullptr;
        if (const RosterPerson* p = Unreachable(*roster, sub, &shift)) {
          return FailedPrecondition(at + "'" + p->id + "' (shift '" + shift->id + "' of roster '" +
                                    roster->id + "') has no " + What(sub) + needs);
        }
        continue;
      }
      const bool head = r.kind == NotifyRecipient::Kind::kDepartmentHead;
      const std::string role = head ? "head" : "desk";
      if (!sub.departments.empty()) {
        for (const std::string& dept : sub.departments) {
          const NotifyContact* c = notify.ContactOf(dept);
          if (c == nullptr || Address(*c, head, sub).empty()) {
            return FailedPrecondition(at + "contacts." + dept + "." + role + " has no " +
                                      What(sub) + " for department '" + dept +
                                      "' of match.departments" + needs);
          }
        }
        continue;
      }
      for (const auto& [dept, c] : notify.contacts()) {
        if (Address(c, head, sub).empty()) {
          return FailedPrecondition(at + "contacts." + dept + "." + role + " has no " + What(sub) +
                                    needs +
                                    " (or name the departments it serves in match.departments)");
        }
      }
    }
  }
  return Status::Ok();
}

Status CheckRosterContacts(const RosterTable& rosters, const NotifyTable& notify) {
  for (const Subscription& sub : notify.subscriptions()) {
    if (!Sends(sub)) continue;
    for (const NotifyRecipient& r : sub.to) {
      if (r.kind != NotifyRecipient::Kind::kRoster) continue;
      const auto& all = rosters.rosters();
      for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].id != r.roster) continue;
        const Shift* shift = nullptr;
        const RosterPerson* p = Unreachable(all[i], sub, &shift);
        if (p == nullptr) continue;
        size_t k = static_cast<size_t>(p - all[i].people.data());
        return FailedPrecondition(
            "rosters[" + std::to_string(i) + "].people[" + std::to_string(k) + "]." +
            (Email(sub) ? "email" : "phone") + ": '" + p->id + "' is on shift '" + shift->id +
            "', and subscription '" + sub.id + "' sends " + Channel(sub) + " to roster '" +
            r.roster + "'; give the " + What(sub) + " or change the subscriptions first");
      }
    }
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
