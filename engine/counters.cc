#include "engine/counters.h"

#include <map>
#include <vector>

#include "engine/keys.h"

namespace closeloop::engine {
namespace {

using Values = std::array<int64_t, 5>;  // tickets, open, overdue, ever_overdue, closed_late

std::string Joined(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (auto part : parts) {
    if (!first) out += '\0';
    first = false;
    out += part;
  }
  return out;
}

std::string CellRest(const Ticket& t) {
  return Joined({t.lead, t.jurisdiction, t.escalated_to, t.loop, t.workflow, t.state});
}
std::string TrendRest(const Ticket& t) { return Joined({t.lead, t.jurisdiction, t.escalated_to}); }

int64_t Bucket(int64_t at) { return at <= 0 ? 0 : (at - 1) / kCounterBucketMs; }

void Contribute(uint32_t p, const Ticket& t, int64_t sign, std::map<std::string, Values>& cells,
                std::map<std::string, int64_t>& trend) {
  const Values v = {1, t.closed ? 0 : 1, !t.closed && t.overdue ? 1 : 0,
                    t.overdue_count > 0 ? 1 : 0, t.closed && t.overdue_count > 0 ? 1 : 0};
  const std::string rest = CellRest(t);
  auto add = [&](const std::string& key) {
    Values& c = cells[key];
    for (size_t i = 0; i < c.size(); ++i) c[i] += sign * v[i];
  };
  add(keys::Tagged(p, "g", rest));
  for (const auto& d : t.assist) add(keys::Tagged(p, "G", Joined({d, rest})));
  if (!t.closed && t.overdue) {
    const std::string tr = TrendRest(t);
    trend[tr] += sign;
    for (const auto& d : t.assist) trend[std::string(1, '\x01') + Joined({d, tr})] += sign;
  }
}

int64_t Signed(std::string_view v, size_t i) {
  return static_cast<int64_t>(keys::ReadBE64(v.substr(8 * i, 8)));
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

Status UpdateCounters(Overlay& state, uint32_t p, const std::optional<Ticket>& before,
                      const Ticket& after, int64_t at) {
  std::map<std::string, Values> cells;
  std::map<std::string, int64_t> trend;
  if (before) Contribute(p, *before, -1, cells, trend);
  Contribute(p, after, 1, cells, trend);
  for (const auto& [key, delta] : cells) {
    if (delta == Values{}) continue;  // the ticket stays in this cell as it was
    CL_ASSIGN_OR_RETURN(auto old, state.Get(key));
    Values now{};
    for (size_t i = 0; i < now.size(); ++i) {
      now[i] = (old && old->size() == 40 ? Signed(*old, i) : 0) + delta[i];
    }
    if (now == Values{}) {
      state.Delete(key);
      continue;
    }
    std::string value;
    for (int64_t n : now) value += keys::BE64(static_cast<uint64_t>(n));
    state.Put(key, std::move(value));
  }
  const std::string bucket = keys::BE64(static_cast<uint64_t>(Bucket(at)));
  for (const auto& [rest, delta] : trend) {
    if (delta == 0) continue;
    const bool assist = !rest.empty() && rest[0] == '\x01';
    const std::string key =
        keys::Tagged(p, assist ? "Y" : "y", bucket + '\0' + (assist ? rest.substr(1) : rest));
    CL_ASSIGN_OR_RETURN(auto old, state.Get(key));
    const int64_t n = (old ? Signed(*old, 0) : 0) + delta;
    if (n == 0) {
      state.Delete(key);
    } else {
      state.Put(key, keys::BE64(static_cast<uint64_t>(n)));
    }
  }
  return Status::Ok();
}

Status ForEachCounterCell(const StateReader& state, uint32_t partitions,
                          const std::function<void(const CounterCell&)>& fn) {
  for (uint32_t p = 0; p < partitions; ++p) {
    for (const char* tag : {"g", "G"}) {
      const bool assist = tag[0] == 'G';
      const std::string prefix = keys::Tagged(p, tag, "");
      Status bad = Status::Ok();
      CL_RETURN_IF_ERROR(
          state.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view k, std::string_view v) {
            auto parts = Split(k.substr(prefix.size()), assist ? 7 : 6);
            if (parts.empty() || v.size() != 40) {
              bad = Corruption("counter cell " + std::string(k.substr(4)) + " is malformed");
              return false;
            }
            CounterCell c;
            size_t i = 0;
            if (assist) c.assist = parts[i++];
            c.lead = parts[i++];
            c.jurisdiction = parts[i++];
            c.escalated_to = parts[i++];
            c.loop = parts[i++];
            c.workflow = parts[i++];
            c.state = parts[i++];
            c.tickets = Signed(v, 0);
            c.open = Signed(v, 1);
            c.overdue = Signed(v, 2);
            c.ever_overdue = Signed(v, 3);
            c.closed_late = Signed(v, 4);
            fn(c);
            return true;
          }));
      CL_RETURN_IF_ERROR(bad);
    }
  }
  return Status::Ok();
}

Status ForEachOverdueChange(const StateReader& state, uint32_t partitions, int64_t after,
                            const std::function<void(const OverdueChange&)>& fn) {
  // Quarter-hour b covers (b*Q, (b+1)*Q]; it ends after `after` from b = floor(after / Q).
  const int64_t first = after < 0 ? 0 : after / kCounterBucketMs;
  for (uint32_t p = 0; p < partitions; ++p) {
    for (const char* tag : {"y", "Y"}) {
      const bool assist = tag[0] == 'Y';
      const std::string prefix = keys::Tagged(p, tag, "");
      Status bad = Status::Ok();
      CL_RETURN_IF_ERROR(state.Scan(
          prefix + keys::BE64(static_cast<uint64_t>(first)), keys::PrefixEnd(prefix),
          [&](std::string_view k, std::string_view v) {
            std::string_view rest = k.substr(prefix.size());
            auto parts = rest.size() > 9 ? Split(rest.substr(9), assist ? 4 : 3)
                                         : std::vector<std::string_view>();
            if (parts.empty() || v.size() != 8) {
              bad = Corruption("overdue change " + std::string(k.substr(4)) + " is malformed");
              return false;
            }
            OverdueChange c;
            c.bucket_end =
                (static_cast<int64_t>(keys::ReadBE64(rest.substr(0, 8))) + 1) * kCounterBucketMs;
            size_t i = 0;
            if (assist) c.assist = parts[i++];
            c.lead = parts[i++];
            c.jurisdiction = parts[i++];
            c.escalated_to = parts[i++];
            c.delta = Signed(v, 0);
            fn(c);
            return true;
          }));
      CL_RETURN_IF_ERROR(bad);
    }
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
