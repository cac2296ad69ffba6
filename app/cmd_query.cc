// closeloop tickets | history | chain
#include <iostream>

#include "app/commands.h"
#include "app/node.h"
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
}

}  // namespace closeloop::app
