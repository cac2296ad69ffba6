// The engine on Kafka as users run it: real `closeloop serve --kafka` processes, the mock
// cluster (librdkafka's, on loopback) either as a `closeloop kafka-mock` child or inside this
// test process, kcat as an agency's client. Each test compares what the processes hold
// (`closeloop kafka-digest` over their data directories) with a fresh replay of the same
// topic (`closeloop kafka-process`), and counts tickets against the events sent.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "connectors/kafka/mock_cluster.h"
#include "connectors/kafka/state_union.h"
#include "connectors/kafka/tests/kafka_test_support.h"
#include "engine/queries.h"
#include "events/record.h"
#include "tests/kafka/processes.h"
#include "tests/support/child_process.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;
const std::string kBin = CLOSELOOP_BIN;
const std::string kSrc = CLOSELOOP_SOURCE_DIR;

struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& name)
      : dir(fs::temp_directory_path() / ("cl-kafka-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string operator/(const std::string& s) const { return (dir / s).string(); }
};

std::unique_ptr<Background> Serve(const Scratch& s, const std::string& name,
                                  const std::string& bootstrap, const std::string& prefix) {
  return std::make_unique<Background>(std::vector<std::string>{kBin,
                                                               "serve",
                                                               "--kafka",
                                                               bootstrap,
                                                               "--group",
                                                               prefix + "-engines",
                                                               "--topic-prefix",
                                                               prefix,
                                                               "--data",
                                                               s / name,
                                                               "--http",
                                                               "127.0.0.1:0",
                                                               "--clock",
                                                               "manual",
                                                               "--kafka-property",
                                                               "session.timeout.ms=6000",
                                                               "--kafka-property",
                                                               "heartbeat.interval.ms=500",
                                                               "--kafka-property",
                                                               "log_level=3"},
                                      s / (name + ".out"), s / (name + ".log"));
}

std::string Match(const std::string& out, const std::string& re) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(re))) return "";
  return m[1];
}

// `closeloop kafka-process` into a fresh directory: the digest a single process reaches.
std::string ReferenceDigest(const Scratch& s, const std::string& bootstrap,
                            const std::string& prefix) {
  auto r =
      RunChild({kBin, "kafka-process", "--kafka", bootstrap, "--topic-prefix", prefix, "--data",
                s / "reference", "--timeout", "90s", "--kafka-property", "log_level=3"},
               s / "reference.log", std::nullopt, std::chrono::seconds(120));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE_MESSAGE(r->exit_code == 0, ReadFile(s / "reference.log"));
  MESSAGE("reference: " << r->out);
  return Match(r->out, "digest ([0-9a-f]{64})");
}

// `closeloop kafka-digest` over the processes' directories: tickets and digest.
std::pair<uint64_t, std::string> UnionDigest(const Scratch& s,
                                             const std::vector<std::string>& names) {
  std::vector<std::string> argv = {kBin, "kafka-digest"};
  for (const auto& n : names) argv.push_back(s / n);
  auto r = RunChild(argv, s / "digest.log", std::nullopt, std::chrono::seconds(60));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE_MESSAGE(r->exit_code == 0, ReadFile(s / "digest.log"));
  return {std::stoull(Match(r->out, "tickets ([0-9]+)")), Match(r->out, "digest ([0-9a-f]{64})")};
}

// Per partition of the records topic, the distinct record ids it holds: where a processor
// that has processed everything stands (the mirror drops the duplicates).
std::vector<uint64_t> DistinctRecords(const std::string& bootstrap, const std::string& topic,
                                      int partitions) {
  auto conf = kafka::MakeConf({{"bootstrap.servers", bootstrap},
                               {"group.id", "test-counter"},
                               {"enable.auto.commit", "false"},
                               {"log_level", "3"},
                               {"fetch.wait.max.ms", "10"}});
  REQUIRE(conf.ok());
  char err[512];
  kafka::KafkaHandle rk(rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err));
  REQUIRE(rk);
  std::vector<uint64_t> out(partitions, 0);
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    REQUIRE(rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, 10000) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
    if (high == 0) continue;
    auto* l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk.get(), l);
    rd_kafka_topic_partition_list_destroy(l);
    std::set<std::string> ids;
    for (int64_t next = 0; next < high;) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 1000);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        next = m->offset + 1;
        auto rec =
            events::VerifyRecord(std::string_view(static_cast<const char*>(m->payload), m->len));
        if (rec.ok() && (*rec)->id()) ids.insert((*rec)->id()->str());
      }
      rd_kafka_message_destroy(m);
    }
    out[p] = ids.size();
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

// Waits until the processes together hold `tickets` tickets and, for every partition, the
// owner's processor has processed every distinct record the topic holds (twice in a row).
void WaitForUnion(const Scratch& s, const std::vector<std::string>& names, uint64_t tickets,
                  std::chrono::seconds limit, const std::string& bootstrap,
                  const std::string& prefix, int partitions) {
  std::vector<std::string> dirs;
  for (const auto& n : names) dirs.push_back(s / n);
  auto deadline = std::chrono::steady_clock::now() + limit;
  int done = 0;
  uint64_t seen = 0;
  std::string behind;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    bool all = true;
    for (const auto& d : dirs) all = all && fs::exists(d + "/CURRENT");
    if (!all) continue;
    auto u = kafka::UnionOfStates(dirs);
    if (!u.ok()) continue;  // a directory mid-creation
    seen = u->tickets;
    auto expected = DistinctRecords(bootstrap, prefix + ".records", partitions);
    behind.clear();
    for (int p = 0; p < partitions; ++p) {
      auto pos = engine::InputPosition(u->state, p);
      uint64_t at = pos.ok() ? *pos : 0;
      if (at != expected[p])
        behind +=
            " p" + std::to_string(p) + " " + std::to_string(at) + "/" + std::to_string(expected[p]);
    }
    done = (seen == tickets && behind.empty()) ? done + 1 : 0;
    if (done >= 2) return;
  }
  FAIL("the processes hold " << seen << " of " << tickets << " tickets after " << limit.count()
                             << "s; behind:" << behind);
}

void Produce(kafka::Producer& p, const std::string& topic, const std::vector<std::string>& lines) {
  std::vector<kafka::OutMessage> out;
  for (const auto& l : lines) out.push_back({.topic = topic, .partition = 0, .value = l});
  auto r = p.ProduceAndWait(out);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
}

std::vector<std::string> Reports(const std::string& run, int from, int count) {
  std::vector<std::string> out;
  for (int i = from; i < from + count; ++i) out.push_back(kafka::testing::HazardReport(run, i));
  return out;
}

TEST_CASE("events kcat produces as JSON to the ingress topic open the right tickets") {
  Scratch s("kcat");
  const std::string prefix = "kc";
  Background mock(
      {kBin, "kafka-mock", "--brokers", "3", "--partitions", "4", "--topic-prefix", prefix},
      s / "mock.out", s / "mock.log");
  const std::string bootstrap =
      WaitForLine(s / "mock.out", "bootstrap.servers=", std::chrono::seconds(20));
  REQUIRE_MESSAGE(!bootstrap.empty(), ReadFile(s / "mock.log"));
  auto engine = Serve(s, "node", bootstrap, prefix);

  const int kEvents = 60;
  {
    std::ofstream f(s / "events.jsonl");
    for (const auto& l : kafka::testing::SetupRecords(kSrc)) f << l << "\n";
    for (const auto& l : Reports("kcat", 0, kEvents)) f << l << "\n";
    f << R"({"source": "hotline", "subject": "KT-bad", "body_type": "HazardReport", "body": {"category": 7}})"
      << "\n";
  }
  auto kcat = RunChild({"/usr/bin/kcat", "-P", "-b", bootstrap, "-t", prefix + ".ingress.json",
                        "-p", "0", "-l", s / "events.jsonl"},
                       s / "kcat.log", std::nullopt, std::chrono::seconds(60));
  REQUIRE(kcat.ok());
  REQUIRE_MESSAGE(kcat->exit_code == 0, ReadFile(s / "kcat.log"));

  WaitForUnion(s, {"node"}, kEvents, std::chrono::seconds(60), bootstrap, prefix, 4);
  auto u = kafka::UnionOfStates({s / "node"});
  REQUIRE(u.ok());
  // Each report opened one disposal order, routed by the routing table: gas in Liuhe goes to
  // the district's urban management (nj.liuhe.cgj).
  for (int i = 0; i < kEvents; ++i) {
    engine::TicketFilter f;
    f.subject = "KT-kcat-" + std::to_string(i);
    auto tickets = engine::ListTickets(u->state, 4, f);
    REQUIRE(tickets.ok());
    REQUIRE_MESSAGE(tickets->size() == 1, f.subject);
    CHECK((*tickets)[0].workflow == "hazard_disposal");
    CHECK((*tickets)[0].lead == "nj.liuhe.cgj");
  }
  engine->Stop(SIGTERM);
  const std::string log = ReadFile(s / "node.out") + ReadFile(s / "node.log");  // spdlog: stdout
  // The bad message was refused with its place and field, and did not stop the stream.
  CHECK(log.find("rejected kc.ingress.json/0@") != std::string::npos);
  CHECK(log.find("body.category") != std::string::npos);
  mock.Stop(SIGTERM);
}

TEST_CASE("kill -9 of an engine process and a restart lose nothing and duplicate nothing") {
  spdlog::set_level(spdlog::level::err);
  Scratch s("kill");
  const std::string prefix = "kk";
  auto cluster = kafka::MockCluster::Start(3);
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->CreateTopics({prefix}, 4).ok());
  const std::string bootstrap = (*cluster)->bootstrap();
  auto producer = kafka::Producer::Create({{"bootstrap.servers", bootstrap}, {"log_level", "3"}});
  REQUIRE(producer.ok());
  const std::string ingress = prefix + ".ingress.json";
  Produce(**producer, ingress, kafka::testing::SetupRecords(kSrc));

  std::mt19937_64 rng(20261122);
  const int kChunks = 6, kPerChunk = 100;
  auto engine = Serve(s, "node", bootstrap, prefix);
  int kills = 0;
  for (int c = 0; c < kChunks; ++c) {
    Produce(**producer, ingress, Reports("kill", c * kPerChunk, kPerChunk));
    if (c % 2 == 1) {
      // Kill it while it works on this chunk: once the chunk's first tickets are in its
      // state (so it holds partitions and is mid-stream), after a random 0-100 ms: a
      // commit holds up to 64 records, so most kills land inside the chunk's processing.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      uint64_t held = 0;
      while (std::chrono::steady_clock::now() < deadline) {
        auto u = fs::exists(s / "node/CURRENT") ? kafka::UnionOfStates({s / "node"})
                                                : Result<kafka::UnionReport>(NotFound("no store"));
        held = u.ok() ? u->tickets : 0;
        if (held > static_cast<uint64_t>(c * kPerChunk)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 100));
      engine->Stop(SIGKILL);
      ++kills;
      MESSAGE("kill -9 with " << held << " tickets held, chunk " << c);
      engine = Serve(s, "node", bootstrap, prefix);
    }
  }
  WaitForUnion(s, {"node"}, kChunks * kPerChunk, std::chrono::seconds(90), bootstrap, prefix, 4);
  engine->Stop(SIGTERM);
  MESSAGE(kills << " kill -9; the last run: "
                << Match(ReadFile(s / "node.out"), "(stopped: [^\n]*)"));
  auto [tickets, digest] = UnionDigest(s, {"node"});
  CHECK(tickets == kChunks * kPerChunk);
  CHECK(digest == ReferenceDigest(s, bootstrap, prefix));
}

TEST_CASE(
    "engine processes rebalance when a third joins and when one dies, and together "
    "hold what one process computes") {
  spdlog::set_level(spdlog::level::err);
  Scratch s("rebalance");
  const std::string prefix = "rb";
  auto cluster = kafka::MockCluster::Start(3);
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->CreateTopics({prefix}, 6).ok());
  const std::string bootstrap = (*cluster)->bootstrap();
  auto producer = kafka::Producer::Create({{"bootstrap.servers", bootstrap}, {"log_level", "3"}});
  REQUIRE(producer.ok());
  const std::string ingress = prefix + ".ingress.json";
  Produce(**producer, ingress, kafka::testing::SetupRecords(kSrc));

  const int kPerPhase = 60;
  auto a = Serve(s, "a", bootstrap, prefix);
  auto b = Serve(s, "b", bootstrap, prefix);
  Produce(**producer, ingress, Reports("rb", 0, kPerPhase));
  WaitForUnion(s, {"a", "b"}, kPerPhase, std::chrono::seconds(60), bootstrap, prefix, 6);

  auto c = Serve(s, "c", bootstrap, prefix);  // joins: partitions move to it
  Produce(**producer, ingress, Reports("rb", kPerPhase, kPerPhase));
  WaitForUnion(s, {"a", "b", "c"}, 2 * kPerPhase, std::chrono::seconds(60), bootstrap, prefix, 6);

  b->Stop(SIGKILL);  // dies: its partitions move to a and c after the session times out
  Produce(**producer, ingress, Reports("rb", 2 * kPerPhase, kPerPhase));
  WaitForUnion(s, {"a", "b", "c"}, 3 * kPerPhase, std::chrono::seconds(90), bootstrap, prefix, 6);
  a->Stop(SIGTERM);
  c->Stop(SIGTERM);

  // Partitions moved: a was assigned at start, after c joined and after b died; c when it
  // joined and after b died.
  for (const char* n : {"a", "c"}) {
    const std::string log = ReadFile(s / (std::string(n) + ".out"));
    size_t assigned = 0;
    for (size_t at = 0; (at = log.find("assigned partitions", at)) != std::string::npos; ++at)
      ++assigned;
    CAPTURE(n);
    CHECK(assigned >= (std::string(n) == "a" ? 3u : 2u));
  }
  auto [tickets, digest] = UnionDigest(s, {"a", "b", "c"});
  CHECK(tickets == 3 * kPerPhase);
  CHECK(digest == ReferenceDigest(s, bootstrap, prefix));
}

TEST_CASE(
    "an agency publishing through the HTTP API on Kafka is acknowledged, and its tickets open") {
  Scratch s("http");
  const std::string prefix = "kh";
  Background mock(
      {kBin, "kafka-mock", "--brokers", "3", "--partitions", "4", "--topic-prefix", prefix},
      s / "mock.out", s / "mock.log");
  const std::string bootstrap =
      WaitForLine(s / "mock.out", "bootstrap.servers=", std::chrono::seconds(20));
  REQUIRE_MESSAGE(!bootstrap.empty(), ReadFile(s / "mock.log"));
  auto engine = Serve(s, "node", bootstrap, prefix);
  std::string port;
  for (int i = 0; i < 400 && port.empty(); ++i) {
    port =
        Match(ReadFile(s / "node.out") + ReadFile(s / "node.log"), R"(serving http://[^:]+:(\d+))");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE_MESSAGE(!port.empty(), ReadFile(s / "node.log"));
  std::string admin = ReadFile(s / "node/admin-token");
  REQUIRE(admin.size() > 10);
  admin.pop_back();
  auto producer = kafka::Producer::Create({{"bootstrap.servers", bootstrap}, {"log_level", "3"}});
  REQUIRE(producer.ok());
  Produce(**producer, prefix + ".ingress.json", kafka::testing::SetupRecords(kSrc));

  httplib::Client http("127.0.0.1", std::stoi(port));
  httplib::Headers as_admin = {{"Authorization", "Bearer " + admin}};
  // The setup went through the ingress bridge; events sent straight to the records topic
  // must not overtake the workflow they need.
  bool deployed = false;
  for (int i = 0; i < 600 && !deployed; ++i) {
    auto w = http.Get("/v1/workflows", as_admin);
    deployed = w && w->status == 200 && w->body.find("hazard_disposal") != std::string::npos;
    if (!deployed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(deployed);
  auto user = http.Post("/v1/admin/users", as_admin,
                        R"({"name": "hotline", "role": "publisher", "agency": "hotline"})",
                        "application/json");
  REQUIRE(user);
  REQUIRE(user->status == 201);
  auto token = http.Post("/v1/admin/users/hotline/tokens", as_admin, "{}", "application/json");
  REQUIRE(token);
  std::string publisher = nlohmann::json::parse(token->body)["token"];
  const int kEvents = 20;
  std::string body;
  for (const auto& l : Reports("http", 0, kEvents)) body += l + "\n";
  auto published = http.Post("/v1/events", {{"Authorization", "Bearer " + publisher}}, body,
                             "application/x-ndjson");
  REQUIRE(published);
  REQUIRE_MESSAGE(published->status == 201, published->body);  // acks=all came back
  CHECK(nlohmann::json::parse(published->body)["recorded"] == kEvents);

  WaitForUnion(s, {"node"}, kEvents, std::chrono::seconds(60), bootstrap, prefix, 4);
  auto listed = http.Get("/v1/tickets?subject=KT-http-3", as_admin);
  REQUIRE(listed);
  REQUIRE(listed->status == 200);
  auto tickets = nlohmann::json::parse(listed->body)["tickets"];
  REQUIRE(tickets.size() == 1);
  CHECK(tickets[0]["lead"] == "nj.liuhe.cgj");
  // An action is recorded durably and answered 202: the engine decides on its own time.
  std::string id = tickets[0]["id"];
  auto staff = http.Post("/v1/admin/users", as_admin,
                         R"({"name": "cgj", "role": "staff", "department": "nj.liuhe.cgj"})",
                         "application/json");
  REQUIRE(staff);
  auto staff_token = http.Post("/v1/admin/users/cgj/tokens", as_admin, "{}", "application/json");
  std::string cgj = nlohmann::json::parse(staff_token->body)["token"];
  auto acted = http.Post("/v1/tickets/" + id + "/actions", {{"Authorization", "Bearer " + cgj}},
                         R"({"verb": "sign_for"})", "application/json");
  REQUIRE(acted);
  CHECK(acted->status == 202);
  std::string state;
  for (int i = 0; i < 200 && state != "verifying"; ++i) {
    auto t = http.Get("/v1/tickets/" + id, as_admin);
    if (t && t->status == 200) state = nlohmann::json::parse(t->body)["ticket"]["state"];
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(state == "verifying");
  engine->Stop(SIGTERM);
  mock.Stop(SIGTERM);
}

}  // namespace
}  // namespace closeloop::testing
