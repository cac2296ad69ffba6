#include "engine/figures.h"

#include <algorithm>
#include <array>
#include <vector>

#include "engine/keys.h"

namespace closeloop::engine {
namespace {

using Values = std::array<int64_t, 3>;  // count, on_time, confirmed

bool Confirmed(const Ticket& t) {
  auto it = t.facts.find("confirmed");
  return it != t.facts.end() && it->second.truthy();
}

std::string CellKey(uint32_t p, int64_t day, const Ticket& t, std::string_view kind,
                    std::string_view label) {
  std::string rest = keys::BE64(static_cast<uint64_t>(day < 0 ? 0 : day));
  const std::string origin = FigureOrigin(t);
  for (std::string_view part :
       {std::string_view(t.lead), StreetOf(t.jurisdiction), std::string_view(t.workflow),
        std::string_view(origin), kind, label}) {
    rest += '\0';
    rest += part;
  }
  return keys::Tagged(p, "r", rest);
}

Status Add(Overlay& state, const std::string& key, const Values& delta) {
  CL_ASSIGN_OR_RETURN(auto old, state.Get(key));
  if (old && old->size() != 24) {
    return Corruption("a figure cell of " + std::to_string(old->size()) +
                      " bytes, not 24: replay into a new directory");
  }
  std::string value;
  for (size_t i = 0; i < delta.size(); ++i) {
    int64_t n =
        old ? static_cast<int64_t>(keys::ReadBE64(std::string_view(*old).substr(8 * i, 8))) : 0;
    value += keys::BE64(static_cast<uint64_t>(n + delta[i]));
  }
  state.Put(key, std::move(value));
  return Status::Ok();
}

std::vector<std::string_view> Split(std::string_view s, size_t n) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i + 1 < n; ++i) {
    size_t z = s.find('\0');
    if (z == std::string_view::npos) return {};
    out.push_back(s.substr(0, z));
    s.remove_prefix(z + 1);
  }
  out.push_back(s);
  return out;
}

}  // namespace

std::string_view StreetOf(std::string_view jurisdiction) {
  size_t first = jurisdiction.find('.');
  if (first == std::string_view::npos) return jurisdiction;
  size_t second = jurisdiction.find('.', first + 1);
  return second == std::string_view::npos ? jurisdiction : jurisdiction.substr(0, second);
}

std::string_view DistrictOf(std::string_view jurisdiction) {
  return jurisdiction.substr(0, jurisdiction.find('.'));
}

std::string FigureOrigin(const Ticket& t) {
  auto it = t.facts.find("channel");
  if (it != t.facts.end() && it->second.type() == dsl::ValueType::kString &&
      !it->second.as_string().empty()) {
    return it->second.as_string();
  }
  if (t.trigger == "schedule" || t.trigger == "chain") return t.trigger;
  return t.loop;
}

FigureChange FigureChangeOf(const std::optional<Ticket>& before, const Ticket& after) {
  FigureChange c;
  c.opened = !after.lead.empty() && (!before || before->lead.empty());
  c.closed = after.closed && !(before && before->closed);
  c.late = after.overdue_count > 0 && (!before || before->overdue_count == 0);
  c.confirmed = Confirmed(after) && !(before && Confirmed(*before));
  return c;
}

Status UpdateFigures(Overlay& state, uint32_t p, const Ticket& after, const FigureChange& change,
                     int64_t at, const Calendar& calendar) {
  if (!change.any()) return Status::Ok();
  const int64_t day = calendar.LocalDay(at).time_since_epoch().count();
  if (change.opened) {
    CL_RETURN_IF_ERROR(Add(state, CellKey(p, day, after, "opened", ""), {1, 0, 0}));
  }
  if (change.confirmed) {
    CL_RETURN_IF_ERROR(Add(state, CellKey(p, day, after, "confirmed", ""), {1, 0, 0}));
  }
  if (change.late) CL_RETURN_IF_ERROR(Add(state, CellKey(p, day, after, "late", ""), {1, 0, 0}));
  if (change.closed) {
    CL_RETURN_IF_ERROR(Add(state, CellKey(p, day, after, "closed", after.outcome),
                           {1, after.overdue_count == 0 ? 1 : 0, Confirmed(after) ? 1 : 0}));
  }
  return Status::Ok();
}

Status ForEachFigureCell(const StateReader& state, uint32_t partitions, int64_t first_day,
                         int64_t last_day, const std::function<void(const FigureCell&)>& fn) {
  if (last_day < first_day) return Status::Ok();
  first_day = std::max<int64_t>(first_day, 0);
  for (uint32_t p = 0; p < partitions; ++p) {
    const std::string prefix = keys::Tagged(p, "r", "");
    Status bad = Status::Ok();
    CL_RETURN_IF_ERROR(state.Scan(
        prefix + keys::BE64(static_cast<uint64_t>(first_day)),
        prefix + keys::BE64(static_cast<uint64_t>(last_day + 1)),
        [&](std::string_view k, std::string_view v) {
          std::string_view rest = k.substr(prefix.size());
          auto parts = rest.size() > 9 && rest[8] == '\0' ? Split(rest.substr(9), 6)
                                                          : std::vector<std::string_view>();
          if (parts.empty() || v.size() != 24) {
            bad = Corruption("figure cell " + std::string(k.substr(4)) + " is malformed");
            return false;
          }
          FigureCell c;
          c.day = static_cast<int64_t>(keys::ReadBE64(rest.substr(0, 8)));
          c.lead = parts[0];
          c.street = parts[1];
          c.workflow = parts[2];
          c.origin = parts[3];
          c.kind = parts[4];
          c.label = parts[5];
          c.count = static_cast<int64_t>(keys::ReadBE64(v.substr(0, 8)));
          c.on_time = static_cast<int64_t>(keys::ReadBE64(v.substr(8, 8)));
          c.confirmed = static_cast<int64_t>(keys::ReadBE64(v.substr(16, 8)));
          fn(c);
          return true;
        }));
    CL_RETURN_IF_ERROR(bad);
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
