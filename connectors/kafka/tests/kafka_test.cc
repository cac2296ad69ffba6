// The Kafka log against librdkafka's mock cluster on loopback (the real wire protocol, real
// clients): the mirror's dedup and chain, acknowledged appends, ingress conversion, and a
// stream of events through the whole engine while the mock injects faults.
#include <doctest/doctest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "connectors/kafka/ingress.h"
#include "connectors/kafka/kafka_engine.h"
#include "connectors/kafka/mock_cluster.h"
#include "connectors/kafka/tests/kafka_test_support.h"
#include "engine/queries.h"
#include "events/chain.h"
#include "events/json_codec.h"
#include "events/record.h"

namespace closeloop::kafka {
namespace {

namespace fs = std::filesystem;

// Kafka protocol API keys the faults target.
constexpr int16_t kProduce = 0, kFetch = 1, kListOffsets = 2, kMetadata = 3, kHeartbeat = 12;

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

Config ClientConfig(const MockCluster& c) {
  return {{"bootstrap.servers", c.bootstrap()},
          {"session.timeout.ms", "6000"},
          {"heartbeat.interval.ms", "500"},
          {"topic.metadata.refresh.interval.ms", "1000"},
          {"log_level", "2"}};
}

std::unique_ptr<MockCluster> StartCluster(const Topics& topics, int brokers, int partitions) {
  auto c = MockCluster::Start(brokers);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  REQUIRE((*c)->CreateTopics(topics, partitions).ok());
  return std::move(*c);
}

std::string Prepared(const std::string& json, uint32_t partitions) {
  file::IngressPreparer prep(partitions);
  file::PreparedRecord rec;
  std::vector<file::IngressError> errors;
  REQUIRE_MESSAGE(prep.Prepare(json, 1, 1772413200000, &rec, &errors), DescribeErrors(errors));
  return rec.bytes;
}

void ProduceJson(Producer& p, const Topics& t, const std::vector<std::string>& lines) {
  std::vector<OutMessage> out;
  for (const auto& l : lines)
    out.push_back({.topic = t.ingress_json(), .partition = 0, .value = l});
  auto r = p.ProduceAndWait(out);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
}

TEST_CASE("the mirror drops a record whose id it has seen, skips a bad one, and chains the rest") {
  spdlog::set_level(spdlog::level::warn);
  Scratch s("mirror");
  Topics topics{"mirror"};
  auto cluster = StartCluster(topics, 1, 2);
  auto producer = Producer::Create(ClientConfig(*cluster));
  REQUIRE(producer.ok());
  auto db = rocks::RocksDb::Open(s / "db", {.sync = false, .extra_families = {KafkaLog::kFamily}});
  REQUIRE(db.ok());
  auto log = KafkaLog::Open(db->get(), producer->get(), topics, 2);
  REQUIRE(log.ok());
  KafkaLog& l = **log;

  std::string a = Prepared(testing::HazardReport("m", 1), 2);
  std::string b = Prepared(testing::HazardReport("m", 2), 2);
  std::string c = Prepared(testing::HazardReport("m", 3), 2);
  int bad_seen = 0;
  auto bad = [&](uint32_t, const Consumed& m, const Status&) {
    CHECK(m.offset == 3);
    ++bad_seen;
  };
  auto st = l.Mirror(1, {{0, a}, {1, b}, {2, a}, {3, "not a record"}}, bad);
  REQUIRE(st.ok());
  CHECK(st->appended == 2);
  CHECK(st->duplicates == 1);
  CHECK(st->bad == 1);
  CHECK(bad_seen == 1);
  CHECK(*l.ResumeOffset(1) == 4);
  // A re-delivery below the resume offset changes nothing; the next record lands at 2.
  st = l.Mirror(1, {{1, b}, {4, c}}, bad);
  REQUIRE(st.ok());
  CHECK(st->appended == 1);
  CHECK(l.Head(1).end_offset == 3);
  CHECK(l.Head(0).end_offset == 0);

  auto recs = l.Read(1, 0, 10);
  REQUIRE(recs.ok());
  REQUIRE(recs->size() == 3);
  events::ChainVerifier v(l.name(), 1);
  for (const auto& r : *recs) CHECK(v.Next(r.offset, r.bytes).ok());
  CHECK(v.Finish(l.Head(1)).ok());
  CHECK(l.name() == "kafka:mirror.records");
}

TEST_CASE("an append returns only after the brokers acknowledged it, even with added latency") {
  spdlog::set_level(spdlog::level::warn);
  Scratch s("append");
  Topics topics{"append"};
  auto cluster = StartCluster(topics, 3, 2);
  for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_rtt(cluster->mock(), b, 300);
  auto producer = Producer::Create(ClientConfig(*cluster));
  REQUIRE(producer.ok());
  auto db = rocks::RocksDb::Open(s / "db", {.sync = false, .extra_families = {KafkaLog::kFamily}});
  REQUIRE(db.ok());
  auto log = KafkaLog::Open(db->get(), producer->get(), topics, 2);
  REQUIRE(log.ok());

  std::string rec = Prepared(testing::HazardReport("a", 1), 2);
  auto t0 = std::chrono::steady_clock::now();
  auto r = (*log)->Append({{1, {rec, Prepared(testing::HazardReport("a", 2), 2)}}});
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(took >= std::chrono::milliseconds(300));  // at least one round trip to the leader
  int64_t low = -1, high = -1;
  REQUIRE(rd_kafka_query_watermark_offsets((*producer)->handle(), topics.records().c_str(), 1, &low,
                                           &high, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(high == 2);  // both records are on the partition when Append returns

  // A record without the prev_hash placeholder is refused before anything is produced.
  std::string chained = rec;
  events::Hash h{};
  h[0] = 1;
  REQUIRE(events::SetPrevHash(chained, h).ok());
  CHECK(!(*log)->Append({{0, {chained}}}).ok());
}

TEST_CASE("an ingress message without an id becomes the same record each time it is consumed") {
  file::IngressPreparer prep(4);
  IngressMessage m{"x.ingress.json", 0, 17, 1772413200123, testing::HazardReport("i", 1)};
  file::PreparedRecord a, b, other;
  std::vector<file::IngressError> errors;
  REQUIRE(ConvertIngress(IngressFormat::kJson, m, prep, &a, &errors));
  REQUIRE(ConvertIngress(IngressFormat::kJson, m, prep, &b, &errors));
  CHECK(a.id == b.id);
  CHECK(a.bytes == b.bytes);
  m.offset = 18;
  REQUIRE(ConvertIngress(IngressFormat::kJson, m, prep, &other, &errors));
  CHECK(other.id != a.id);
  const auto* rec = *events::VerifyRecord(a.bytes);
  CHECK(rec->recorded_at() == 1772413200123);  // the message's timestamp, not the wall clock

  // FlatBuffers ingress: the same record as bytes converts to the same partition.
  events::JsonCodec codec;
  events::DecodeError derr;
  auto raw = codec.FromJson(testing::HazardReport("i", 1), &derr);
  REQUIRE(raw.ok());
  IngressMessage fb{"x.ingress.fb", 0, 17, 1772413200123, *raw};
  file::PreparedRecord f;
  REQUIRE(ConvertIngress(IngressFormat::kFlatBuffers, fb, prep, &f, &errors));
  CHECK(f.partitions == a.partitions);
}

TEST_CASE("a bad ingress message is rejected with line, column and field") {
  file::IngressPreparer prep(4);
  std::string bad = testing::HazardReport("b", 1);
  bad.replace(bad.find("\"general\""), 9, "\"enormous\"");
  IngressMessage m{"x.ingress.json", 0, 3, 1772413200000, bad};
  file::PreparedRecord out;
  std::vector<file::IngressError> errors;
  CHECK(!ConvertIngress(IngressFormat::kJson, m, prep, &out, &errors));
  REQUIRE(!errors.empty());
  CHECK(errors[0].field.find("severity") != std::string::npos);
  CHECK(errors[0].column > 1);
  CHECK(DescribeErrors(errors).find("line 1, column ") == 0);
  // A typed record without its body (events::ValidateIngress would crash on it).
  errors.clear();
  IngressMessage bodiless{"x.ingress.json", 0, 5, 1772413200000,
                          R"({"source": "hotline", "body_type": "HazardReport"})"};
  CHECK(!ConvertIngress(IngressFormat::kJson, bodiless, prep, &out, &errors));
  REQUIRE(!errors.empty());
  CHECK(errors[0].field == "body");
  IngressMessage junk{"x.ingress.fb", 0, 4, 1772413200000, "\x01\x02garbage"};
  errors.clear();
  CHECK(!ConvertIngress(IngressFormat::kFlatBuffers, junk, prep, &out, &errors));
  CHECK(!errors.empty());
}

TEST_CASE("an ingress topic cannot carry a staff command, as JSON or as FlatBuffers") {
  file::PublishPolicy policy;
  policy.control = true;
  policy.who = "an ingress topic";
  file::IngressPreparer prep(4, policy);
  const std::string cmd =
      R"({"source": "console", "subject": "s", "occurred_at": 1772413200000, "actor": "x",)"
      R"( "body_type": "StaffCommand", "body": {"ticket_id": "T", "verb": "review_pass",)"
      R"( "role": "supervisor", "department": "nj.awb"}})";
  file::PreparedRecord out;
  std::vector<file::IngressError> errors;
  IngressMessage json{"x.ingress.json", 0, 9, 1772413200000, cmd};
  CHECK(!ConvertIngress(IngressFormat::kJson, json, prep, &out, &errors));
  REQUIRE(!errors.empty());
  CHECK(errors[0].forbidden);
  CHECK(errors[0].field == "body_type");

  events::JsonCodec codec;
  events::DecodeError derr;
  auto raw = codec.FromJson(cmd, &derr);
  REQUIRE(raw.ok());
  errors.clear();
  IngressMessage fb{"x.ingress.fb", 0, 10, 1772413200000, *raw};
  CHECK(!ConvertIngress(IngressFormat::kFlatBuffers, fb, prep, &out, &errors));
  REQUIRE(!errors.empty());
  CHECK(errors[0].forbidden);
}

// Waits until `engine` holds `tickets` tickets and is caught up.
void WaitForTickets(KafkaEngine& engine, uint64_t tickets, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  uint64_t n = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    n = testing::CountTickets(engine.store());
    if (n >= tickets && engine.CaughtUp()) {
      // The records those tickets emitted come back through Kafka too.
      Status quiet = engine.WaitUntilQuiet(std::chrono::seconds(30));
      REQUIRE_MESSAGE(quiet.ok(), quiet.ToString());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto st = engine.stats();
  FAIL("only " << n << " of " << tickets << " tickets; processed " << st.processed << " mirrored "
               << st.mirrored << " ingress accepted " << st.ingress_accepted << " rejected "
               << st.ingress_rejected << " rebalances " << st.rebalances << "; after "
               << " tickets after " << limit.count() << "s");
}

TEST_CASE(
    "faults during a stream (request errors, broker down, leader change, latency, "
    "dropped connections) lose nothing and apply nothing twice") {
  spdlog::set_level(std::getenv("CLOSELOOP_TEST_LOG") ? spdlog::level::info : spdlog::level::err);
  Scratch s("faults");
  Topics topics{"faults"};
  const int kPartitions = 4, kChunks = 7, kPerChunk = 40;
  const int wait_s = std::getenv("CLOSELOOP_TEST_WAIT") ? 10 : 90;
  auto cluster = StartCluster(topics, 3, kPartitions);
  rd_kafka_mock_cluster_t* mock = cluster->mock();
  Config config = ClientConfig(*cluster);
  auto producer = Producer::Create(config);
  REQUIRE(producer.ok());
  ProduceJson(**producer, topics, testing::SetupRecords(CLOSELOOP_SOURCE_DIR));

  KafkaEngineOptions eo{.config = config, .group = "faults", .topics = topics, .data = s / "node"};
  auto engine = KafkaEngine::Open(eo);
  REQUIRE_MESSAGE(engine.ok(), engine.status().ToString());
  REQUIRE((*engine)->Start().ok());

  auto chunk = [&](int c) {
    std::vector<std::string> lines;
    for (int i = 0; i < kPerChunk; ++i)
      lines.push_back(testing::HazardReport("f", c * kPerChunk + i));
    return lines;
  };
  // Each chunk of the stream goes out under a different fault.
  for (int c = 0; c < kChunks; ++c) {
    CAPTURE(c);
    switch (c) {
      case 1:  // the leader refuses writes and reads for a while
        rd_kafka_mock_push_request_errors(
            mock, kProduce, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        rd_kafka_mock_push_request_errors(
            mock, kFetch, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
        break;
      case 2:  // 150 ms added to every request
        for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_rtt(mock, b, 150);
        break;
      case 3:  // leadership moves to another broker for every partition
        for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_rtt(mock, b, 0);
        for (int p = 0; p < kPartitions; ++p) {
          rd_kafka_mock_partition_set_leader(mock, topics.records().c_str(), p, 1 + (p + 1) % 3);
        }
        break;
      case 4:  // connections are dropped mid-request
        rd_kafka_mock_push_request_errors(mock, kProduce, 2, RD_KAFKA_RESP_ERR__TRANSPORT,
                                          RD_KAFKA_RESP_ERR__TRANSPORT);
        rd_kafka_mock_push_request_errors(mock, kFetch, 2, RD_KAFKA_RESP_ERR__TRANSPORT,
                                          RD_KAFKA_RESP_ERR__TRANSPORT);
        rd_kafka_mock_push_request_errors(mock, kListOffsets, 1, RD_KAFKA_RESP_ERR__TRANSPORT);
        rd_kafka_mock_push_request_errors(mock, kMetadata, 1, RD_KAFKA_RESP_ERR__TRANSPORT);
        rd_kafka_mock_push_request_errors(mock, kHeartbeat, 1, RD_KAFKA_RESP_ERR__TRANSPORT);
        break;
      default:
        break;
    }
    if (c == 5) {
      // A broker goes down while the chunk is produced, and comes back 1.5 s later.
      rd_kafka_mock_broker_set_down(mock, 2);
      auto sent =
          std::async(std::launch::async, [&] { ProduceJson(**producer, topics, chunk(c)); });
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      rd_kafka_mock_broker_set_up(mock, 2);
      sent.get();
    } else {
      ProduceJson(**producer, topics, chunk(c));
    }
    if (c == 6) {
      // And one bad message, which must go to the dead-letter topic and stop nothing.
      ProduceJson(**producer, topics, {R"({"source": "hotline", "body_type": "HazardReport"})"});
    }
  }
  const uint64_t expected = kChunks * kPerChunk;
  WaitForTickets(**engine, expected, std::chrono::seconds(wait_s));
  (*engine)->Stop();
  auto stats = (*engine)->stats();
  MESSAGE("processed " << stats.processed << ", duplicates dropped " << stats.duplicates
                       << ", produced " << stats.produced << ", ingress accepted "
                       << stats.ingress_accepted << " rejected " << stats.ingress_rejected);
  CHECK(testing::CountTickets((*engine)->store()) == expected);
  CHECK(stats.ingress_rejected == 1);
  int64_t low = 0, high = 0;
  REQUIRE(rd_kafka_query_watermark_offsets((*producer)->handle(), topics.dead_letter().c_str(), 0,
                                           &low, &high, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(high == 1);

  // Nothing applied twice: every record id occurs once per partition's mirror, each report
  // opened exactly one ticket, and every mirror's chain verifies.
  KafkaLog& log = (*engine)->log();
  uint64_t opened = 0;
  for (uint32_t p = 0; p < log.partition_count(); ++p) {
    std::set<std::string> ids;
    events::ChainVerifier v(log.name(), p);
    auto recs = log.Read(p, 0, 1 << 20);
    REQUIRE(recs.ok());
    for (const auto& r : *recs) {
      REQUIRE(v.Next(r.offset, r.bytes).ok());
      const auto* rec = *events::VerifyRecord(r.bytes);
      CHECK(ids.insert(rec->id()->str()).second);
      if (rec->body_type() == fb::Body::TicketOpened) ++opened;
    }
    CHECK(v.Finish(log.Head(p)).ok());
  }
  CHECK(opened == expected);
  auto digest = engine::StateDigest((*engine)->store());
  REQUIRE(digest.ok());

  // A fresh process replaying the topic (no group, empty store) comes to the same state.
  KafkaEngineOptions ro{.config = config,
                        .topics = topics,
                        .data = s / "reference",
                        .assign_all = true,
                        .ingress = false};
  auto reference = KafkaEngine::Open(ro);
  REQUIRE(reference.ok());
  REQUIRE((*reference)->Start().ok());
  REQUIRE((*reference)->WaitUntilQuiet(std::chrono::seconds(60)).ok());
  (*reference)->Stop();
  CHECK((*reference)->stats().produced == 0);  // everything it re-emitted was on Kafka already
  auto ref_digest = engine::StateDigest((*reference)->store());
  REQUIRE(ref_digest.ok());
  CHECK(*ref_digest == *digest);
}

}  // namespace
}  // namespace closeloop::kafka
