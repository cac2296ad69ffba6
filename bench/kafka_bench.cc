// The engine on Kafka, end to end, through librdkafka's mock cluster (3 brokers, loopback),
// against librdkafka's own producer and consumer on the same mock in the same run:
//   - produce: raw messages of a record's size, acks=all, idempotent (our Producer);
//   - consume: the same messages read back by a plain assigned consumer;
//   - engine:  JSON events on the ingress topic -> bridge -> records topic -> mirror ->
//              processor -> emitted records produced and read back, until caught up;
//   - latency: one event published (KafkaLog::Append, acks=all) until its ticket is routed
//              in state, against one raw message's produce -> consume round trip.
// Volumes stay inside the mock's limits (about 5 MiB per partition).
// Usage: kafka_bench [events (default 2000)]
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "connectors/kafka/kafka_engine.h"
#include "connectors/kafka/mock_cluster.h"
#include "connectors/kafka/tests/kafka_test_support.h"
#include "engine/queries.h"

namespace closeloop::kafka {
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "kafka_bench: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

// Raw produce rate (messages/s) of `n` messages of `size` bytes, in batches of 500.
double RawProduce(Producer& p, const std::string& topic, int n, size_t size) {
  std::string value(size, 'x');
  auto t0 = Clock::now();
  for (int done = 0; done < n;) {
    std::vector<OutMessage> batch;
    for (int i = 0; i < 500 && done < n; ++i, ++done)
      batch.push_back({.topic = topic, .partition = done % 4, .value = value});
    Check(p.ProduceAndWait(batch).status(), "raw produce");
  }
  return n / Seconds(Clock::now() - t0);
}

KafkaHandle Consumer(const Config& base) {
  Config c = base;
  c["group.id"] = "bench-raw";
  c["enable.auto.commit"] = "false";
  auto conf = MakeConf(c);
  Check(conf.status(), "consumer config");
  char err[512];
  KafkaHandle rk(rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err));
  rd_kafka_poll_set_consumer(rk.get());
  return rk;
}

// Raw consume rate (messages/s) of `n` messages from the start of `topic`'s 4 partitions.
double RawConsume(const Config& config, const std::string& topic, int n) {
  KafkaHandle rk = Consumer(config);
  auto* l = rd_kafka_topic_partition_list_new(4);
  for (int p = 0; p < 4; ++p)
    rd_kafka_topic_partition_list_add(l, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk.get(), l);
  rd_kafka_topic_partition_list_destroy(l);
  int got = 0;
  auto t0 = Clock::now();
  while (got < n) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 1000);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++got;
    rd_kafka_message_destroy(m);
  }
  double rate = n / Seconds(Clock::now() - t0);
  rd_kafka_consumer_close(rk.get());
  return rate;
}

// One message produced (acks=all) until a consumer tailing the partition sees it (ms).
std::vector<double> RawRoundTrips(Producer& p, const Config& config, const std::string& topic,
                                  int n) {
  KafkaHandle rk = Consumer(config);
  auto* l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_END;
  rd_kafka_assign(rk.get(), l);
  rd_kafka_topic_partition_list_destroy(l);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    Check(p.ProduceAndWait({{.topic = topic, .partition = 0, .value = std::string(400, 'y')}})
              .status(),
          "round trip produce");
    for (;;) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 1000);
      if (m == nullptr) continue;
      bool ok = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
      rd_kafka_message_destroy(m);
      if (ok) break;
    }
    ms.push_back(Seconds(Clock::now() - t0) * 1000);
  }
  rd_kafka_consumer_close(rk.get());
  return ms;
}

int Main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  const int events = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int latency_samples = 50;
  auto dir =
      std::filesystem::temp_directory_path() / ("cl-kafka-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  auto cluster = MockCluster::Start(3);
  Check(cluster.status(), "mock cluster");
  Topics topics{"bench"};
  Check((*cluster)->CreateTopics(topics, 4), "topics");
  Check((*cluster)->CreateTopic("bench.raw", 4), "raw topic");
  Check((*cluster)->CreateTopic("bench.rtt", 1), "rtt topic");
  // The mock answers a fetch only when fetch.wait.max.ms ran out (a real broker answers as
  // soon as data arrives), so both sides wait at most 10 ms.
  Config config{{"bootstrap.servers", (*cluster)->bootstrap()},
                {"log_level", "3"},
                {"fetch.wait.max.ms", "10"}};
  auto producer = Producer::Create(config);
  Check(producer.status(), "producer");

  // A HazardReport as stored is about 400 bytes; its engine records a little more.
  const double produce_rate = RawProduce(**producer, "bench.raw", events * 3, 400);
  const double consume_rate = RawConsume(config, "bench.raw", events * 3);

  // The engine: setup records, then `events` reports, all on the JSON ingress topic.
  std::vector<OutMessage> setup;
  for (const auto& l : testing::SetupRecords(CLOSELOOP_SOURCE_DIR))
    setup.push_back({.topic = topics.ingress_json(), .partition = 0, .value = l});
  Check((*producer)->ProduceAndWait(setup).status(), "setup");
  KafkaEngineOptions eo{
      .config = config, .group = "bench", .topics = topics, .data = (dir / "node").string()};
  auto engine = KafkaEngine::Open(eo);
  Check(engine.status(), "engine");
  Check((*engine)->Start(), "engine start");
  Check((*engine)->WaitUntilQuiet(std::chrono::seconds(60)), "setup processed");

  auto t0 = Clock::now();
  for (int done = 0; done < events;) {
    std::vector<OutMessage> batch;
    for (int i = 0; i < 500 && done < events; ++i, ++done)
      batch.push_back({.topic = topics.ingress_json(),
                       .partition = 0,
                       .value = testing::HazardReport("bench", done)});
    Check((*producer)->ProduceAndWait(batch).status(), "events");
  }
  while (testing::CountTickets((*engine)->store()) < static_cast<uint64_t>(events))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double routed_s = Seconds(Clock::now() - t0);
  Check((*engine)->WaitUntilQuiet(std::chrono::seconds(120)), "caught up");
  const double quiet_s = Seconds(Clock::now() - t0);
  auto st = (*engine)->stats();

  // Latency: publish (acks=all) one stamped report, until its ticket is routed.
  std::vector<double> latency;
  file::IngressPreparer prep((*engine)->partitions());
  for (int i = 0; i < latency_samples; ++i) {
    const std::string subject = "KT-lat-" + std::to_string(i);
    file::PreparedRecord rec;
    std::vector<file::IngressError> errors;
    if (!prep.Prepare(testing::HazardReport("lat", i), 1, 1772413200000 + i, &rec, &errors)) {
      std::fprintf(stderr, "kafka_bench: latency record invalid\n");
      return 1;
    }
    auto start = Clock::now();
    Check((*engine)->log().Append({{rec.partitions[0], {rec.bytes}}}).status(), "publish");
    engine::TicketFilter f;
    f.subject = subject;
    for (;;) {
      auto t = engine::ListTickets((*engine)->store(), (*engine)->partitions(), f);
      if (t.ok() && !t->empty() && !(*t)[0].lead.empty()) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    latency.push_back(Seconds(Clock::now() - start) * 1000);
  }
  (*engine)->Stop();
  auto rtt = RawRoundTrips(**producer, config, "bench.rtt", latency_samples);

  const double engine_rate = events / quiet_s;
  std::printf(
      "kafka_bench: %d events, mock cluster of 3 brokers, 4 partitions, one engine process\n",
      events);
  std::printf("%-46s %14s %14s %8s\n", "measure", "closeloop", "librdkafka", "ratio");
  std::printf("%-46s %14.0f %14.0f %8.3f\n", "throughput: events/s vs raw produce msg/s",
              engine_rate, produce_rate, engine_rate / produce_rate);
  std::printf("%-46s %14.0f %14.0f %8.3f\n", "throughput: events/s vs raw consume msg/s",
              engine_rate, consume_rate, engine_rate / consume_rate);
  std::printf("%-46s %14.0f %14s %8s\n", "  (events/s until every ticket was routed)",
              events / routed_s, "", "");
  std::printf("%-46s %14.2f %14.2f %8.2f\n", "latency p50 ms: publish->routed vs round trip",
              Percentile(latency, 0.5), Percentile(rtt, 0.5),
              Percentile(latency, 0.5) / Percentile(rtt, 0.5));
  std::printf("%-46s %14.2f %14.2f %8.2f\n", "latency p99 ms: publish->routed vs round trip",
              Percentile(latency, 0.99), Percentile(rtt, 0.99),
              Percentile(latency, 0.99) / Percentile(rtt, 0.99));
  std::printf(
      "engine: processed %llu records (inputs and its own read back), produced %llu, "
      "duplicates dropped %llu\n",
      static_cast<unsigned long long>(st.processed), static_cast<unsigned long long>(st.produced),
      static_cast<unsigned long long>(st.duplicates));
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace closeloop::kafka

int main(int argc, char** argv) { return closeloop::kafka::Main(argc, argv); }
