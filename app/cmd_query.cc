// closeloop tickets | history | chain | figures
#include <cstdio>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.h"
#include "app/node.h"
#include "engine/figure_report.h"
#include "engine/queries.h"
#include "events/json_codec.h"

namespace closeloop::app {
namespace {

struct QueryOptions {
  std::string data = "./data";
  engine::TicketFilter filter;
  std::string ticket;
  std::string as_of;
  bool json = false;
};

void PrintTicketLine(const engine::Ticket& t, const std::string& zone) {
  std::cout << t.id << "  " << t.workflow << "  " << t.state << (t.closed ? " (closed)" : "")
            << "  lead=" << (t.lead.empty() ? "-" : t.lead)
            << "  due=" << FormatTimeIn(t.deadline_at, zone) << (t.overdue ? "  OVERDUE" : "")
            << (t.escalated_to.empty() ? "" : "  escalated->" + t.escalated_to)
            << "  subject=" << t.subject << "  " << t.category << "/" << t.severity << "\n";
}

void RunTickets(const QueryOptions& o) {
  Node n = Node::Open(o.data, /*read_only=*/true);
  auto tickets = engine::ListTickets(*n.store, n.partitions(), o.filter);
  if (!tickets.ok()) Fail(tickets.status().ToString());
  const std::string zone = o.json ? "" : n.CityZone();
  for (const auto& t : *tickets) {
    if (o.json) {
      std::cout << t.ToJson() << "\n";
    } else {
      PrintTicketLine(t, zone);
    }
  }
  if (!o.json) std::cout << tickets->size() << " ticket(s)\n";
}

void RunHistory(const QueryOptions& o) {
  Node n = Node::Open(o.data, /*read_only=*/true);
  const std::string zone = n.CityZone();
  int64_t as_of = INT64_MAX;
  if (!o.as_of.empty()) {
    auto t = ParseTimeIn(o.as_of, zone);
    if (!t.ok()) Fail("--as-of: " + t.status().message(), 2);
    as_of = *t;
  }
  auto history = engine::TicketHistory(*n.store, *n.log, o.ticket, as_of);
  if (!history.ok()) Fail(history.status().ToString());
  if (history->empty())
    Fail("no ticket " + o.ticket + (o.as_of.empty() ? "" : " as of " + o.as_of));
  events::JsonCodec codec;
  for (const auto& bytes : *history) {
    auto json = codec.ToJson(bytes);
    if (!json.ok()) Fail(json.status().ToString());
    if (o.json) {
      std::cout << *json << "\n";
    } else {
      const auto* rec = *events::VerifyRecord(bytes);
      std::cout << FormatTimeIn(rec->recorded_at(), zone) << "  "
                << events::BodyName(rec->body_type()) << "  " << *json << "\n";
    }
  }
  auto t = engine::TicketAsOf(*n.store, *n.log, o.ticket, as_of);
  if (t.ok() && *t) {
    std::cout << (o.json ? "" : "as of then: ") << (*t)->ToJson() << "\n";
  }
}

void RunChain(const QueryOptions& o) {
  Node n = Node::Open(o.data, /*read_only=*/true);
  auto chain = engine::ChainOf(*n.store, n.partitions(), o.ticket);
  if (!chain.ok()) Fail(chain.status().ToString());
  if (chain->empty()) Fail("no ticket " + o.ticket);
  const std::string zone = o.json ? "" : n.CityZone();
  for (const auto& t : *chain) {
    if (o.json) {
      std::cout << t.ToJson() << "\n";
      continue;
    }
    std::cout << (t.parent_id.empty() ? "" : "  └─ ");
    PrintTicketLine(t, zone);
  }
}

struct FiguresOptions {
  std::string data = "./data";
  std::string from, to, by;
  bool json = false;
};

// The bureau's figures from the cells the engine keeps (engine/figures.h): one line per group,
// then the total; the same numbers GET /v1/reports/figures gives an administrator.
void RunFigures(const FiguresOptions& o) {
  Node n = Node::Open(o.data, /*read_only=*/true);
  auto day = [](const std::string& text, const char* flag, int64_t fallback) {
    if (text.empty()) return fallback;
    auto d = engine::ParseDay(text);
    if (!d) Fail(std::string(flag) + ": a local date YYYY-MM-DD, not '" + text + "'", 2);
    return *d;
  };
  const int64_t from = day(o.from, "--from", 0);
  const int64_t to = day(o.to, "--to", std::numeric_limits<int32_t>::max());
  if (from > to) Fail("--from: after --to", 2);
  std::vector<engine::FigureDimension> by;
  std::stringstream in(o.by);
  for (std::string name; std::getline(in, name, ',');) {
    auto d = engine::ParseDimension(name);
    if (!d) {
      Fail("--by: '" + name + "' is not one of district, street, department, workflow, day, "
           "week, month, quarter", 2);
    }
    by.push_back(*d);
  }
  auto groups = engine::TallyFigures(*n.store, n.partitions(), from, to, by, nullptr);
  if (!groups.ok()) Fail(groups.status().ToString());
  auto line = [&](const std::string& label, const engine::FigureTotals& t) {
    auto rate = [](std::optional<double> r) {
      if (!r) return std::string("-");
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.4f", *r);
      return std::string(buf);
    };
    if (o.json) {
      nlohmann::ordered_json j = {{"group", label},          {"opened", t.opened},
                          {"proactive", t.proactive}, {"reactive", t.reactive},
                          {"follow_up", t.follow_up}, {"closed", t.closed},
                          {"closed_on_time", t.closed_on_time}, {"late", t.late},
                          {"hazards_found", t.hazards_found},
                          {"hazards_rectified", t.hazards_rectified},
                          {"hazards_dismissed", t.hazards_dismissed},
                          {"duties_done_on_time", t.duties_done_on_time},
                          {"duties_missed", t.duties_missed}, {"closures", t.closures},
                          {"suspensions", t.suspensions}, {"penalties", t.penalties},
                          {"by_origin", t.by_origin}, {"by_outcome", t.by_outcome}};
      std::cout << j.dump() << "\n";
      return;
    }
    std::cout << label << "  opened " << t.opened << " (proactive " << t.proactive
              << ", reactive " << t.reactive << ", follow-up " << t.follow_up << ")  closed "
              << t.closed << " (on time " << t.closed_on_time << ")  late " << t.late
              << "  on-time rate " << rate(t.OnTimeRate()) << "  hazards found "
              << t.hazards_found << " rectified " << t.hazards_rectified << " dismissed "
              << t.hazards_dismissed << "  rectification rate " << rate(t.RectificationRate())
              << "  duties done on time " << t.duties_done_on_time << " missed "
              << t.duties_missed << "  closures " << t.closures << "  suspensions "
              << t.suspensions << "\n";
  };
  engine::FigureTotals total;
  for (const auto& [key, t] : *groups) {
    total.Add(t);
    if (by.empty()) continue;
    std::string label;
    for (const auto& k : key) label += (label.empty() ? "" : " ") + (k.empty() ? "-" : k);
    line(label, t);
  }
  line("total", total);
}

}  // namespace

void AddQueryCommands(CLI::App& root) {
  auto tickets = std::make_shared<QueryOptions>();
  CLI::App* t = root.add_subcommand(
      "tickets", "List tickets (a department's queue by deadline with --department)");
  AddDataOption(*t, &tickets->data);
  t->add_option("--department", tickets->filter.department, "lead department: its queue");
  t->add_option("--state", tickets->filter.state, "only tickets in this state");
  t->add_option("--workflow", tickets->filter.workflow, "only tickets of this workflow");
  t->add_option("--subject", tickets->filter.subject, "only tickets about this subject");
  t->add_flag("--open", tickets->filter.open_only, "only open tickets");
  auto overdue = std::make_shared<std::string>();
  t->add_option("--overdue", *overdue,
                "open: overdue and still open (the default of a bare --overdue); ever: ever "
                "marked overdue; closed_late: overdue, then closed")
      ->expected(0, 1)
      ->default_str("open");
  t->add_flag("--escalated", tickets->filter.escalated_only, "only open escalated tickets");
  t->add_option("--limit", tickets->filter.limit, "at most this many")->capture_default_str();
  t->add_flag("--json", tickets->json, "one JSON object per line");
  t->callback([tickets, overdue, t] {
    if (t->count("--overdue") > 0) {
      auto mode = engine::ParseOverdue(overdue->empty() ? "open" : *overdue);
      if (!mode) Fail("--overdue: open, ever or closed_late, not '" + *overdue + "'", 2);
      tickets->filter.overdue = *mode;
    }
    bool history = tickets->filter.overdue == engine::TicketFilter::Overdue::kEver ||
                   tickets->filter.overdue == engine::TicketFilter::Overdue::kClosedLate;
    if (!tickets->filter.department.empty() && !history) tickets->filter.open_only = true;
    RunTickets(*tickets);
  });

  auto history = std::make_shared<QueryOptions>();
  CLI::App* h =
      root.add_subcommand("history", "A ticket's records in order, and the ticket as it stood");
  AddDataOption(*h, &history->data);
  h->add_option("ticket", history->ticket, "ticket id")->required();
  h->add_option("--as-of", history->as_of, "only what was recorded by then (ms or ISO 8601)");
  h->add_flag("--json", history->json, "JSON lines only");
  h->callback([history] { RunHistory(*history); });

  auto chain = std::make_shared<QueryOptions>();
  CLI::App* c = root.add_subcommand("chain", "Every ticket of a ticket's chain, by opening time");
  AddDataOption(*c, &chain->data);
  c->add_option("ticket", chain->ticket, "any ticket of the chain")->required();
  c->add_flag("--json", chain->json, "JSON lines");
  c->callback([chain] { RunChain(*chain); });

  auto figures = std::make_shared<FiguresOptions>();
  CLI::App* f = root.add_subcommand(
      "figures", "The bureau's figures over local days (docs/api.md, \"Reports\"), from the "
                 "engine's figure cells");
  AddDataOption(*f, &figures->data);
  f->add_option("--from", figures->from, "first local day, YYYY-MM-DD (default: the first)");
  f->add_option("--to", figures->to, "last local day, inclusive (default: the last)");
  f->add_option("--by", figures->by,
                "up to two of district, street, department, workflow, day, week, month, "
                "quarter, by commas");
  f->add_flag("--json", figures->json, "one JSON object per line");
  f->callback([figures] { RunFigures(*figures); });
}

}  // namespace closeloop::app
