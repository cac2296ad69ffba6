// closeloop kafka-mock | kafka-process | kafka-digest
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "app/commands.h"
#include "app/kafka_serve.h"
#include "connectors/kafka/kafka_engine.h"
#include "connectors/kafka/mock_cluster.h"
#include "connectors/kafka/state_union.h"
#include "engine/queries.h"

namespace closeloop::app {
namespace {

struct KafkaCmdOptions {
  int brokers = 3;
  int partitions = 4;
  int ingress_partitions = 1;
  std::string brokers_list;
  std::string topic_prefix = "closeloop";
  std::vector<std::string> properties;
  std::string data = "./data";
  std::string timeout = "120s";
  std::vector<std::string> dirs;
};

void RunMock(const KafkaCmdOptions& o) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the mock starts its threads
  auto cluster = kafka::MockCluster::Start(o.brokers);
  if (!cluster.ok()) Fail(cluster.status().ToString());
  kafka::Topics topics{o.topic_prefix};
  Status created = (*cluster)->CreateTopics(topics, o.partitions, o.ingress_partitions);
  if (!created.ok()) Fail(created.ToString());
  std::cout << "bootstrap.servers=" << (*cluster)->bootstrap() << "\n"
            << "topics " << topics.records() << " (" << o.partitions << " partitions), "
            << topics.ingress_json() << ", " << topics.ingress_fb() << " (" << o.ingress_partitions
            << "), " << topics.dead_letter() << " (1)" << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  std::cout << "signal " << sig << ": stopping the mock cluster" << std::endl;
}

void RunProcessOnce(const KafkaCmdOptions& o) {
  auto config = KafkaConfig(o.brokers_list, o.properties);
  if (!config.ok()) Fail(config.status().message(), 2);
  auto timeout = ParseDuration(o.timeout);
  if (!timeout.ok()) Fail("--timeout: " + timeout.status().message(), 2);
  kafka::KafkaEngineOptions eo;
  eo.config = *config;
  eo.topics.prefix = o.topic_prefix;
  eo.data = o.data;
  eo.assign_all = true;
  eo.ingress = false;
  auto engine = kafka::KafkaEngine::Open(eo);
  if (!engine.ok()) Fail(engine.status().ToString());
  Status s = (*engine)->Start();
  if (s.ok()) s = (*engine)->WaitUntilQuiet(std::chrono::milliseconds(*timeout));
  (*engine)->Stop();
  if (!s.ok()) Fail(s.ToString());
  auto st = (*engine)->stats();
  std::cout << "processed " << st.processed << " record(s); mirrored " << st.mirrored
            << ", duplicates dropped " << st.duplicates << ", produced " << st.produced
            << ", skipped " << st.skipped << "\n";
  auto digest = engine::StateDigest((*engine)->store());
  if (!digest.ok()) Fail(digest.status().ToString());
  std::cout << "digest " << *digest << std::endl;
}

void RunUnionDigest(const KafkaCmdOptions& o) {
  auto u = kafka::UnionOfStates(o.dirs);
  if (!u.ok()) Fail(u.status().ToString());
  for (const auto& [p, d] : u->source)
    std::cout << "partition " << p << " from " << o.dirs[d] << "\n";
  std::cout << "tickets " << u->tickets << "\n";
  auto digest = engine::StateDigest(u->state);
  if (!digest.ok()) Fail(digest.status().ToString());
  std::cout << "digest " << *digest << std::endl;
}

void AddKafkaClientOptions(CLI::App& cmd, KafkaCmdOptions& o) {
  cmd.add_option("--kafka", o.brokers_list, "bootstrap servers, host:port,...")->required();
  cmd.add_option("--topic-prefix", o.topic_prefix, "topics are <prefix>.records, ...")
      ->capture_default_str();
  cmd.add_option("--kafka-property", o.properties, "librdkafka property KEY=VALUE (repeatable)");
}

}  // namespace

void AddKafkaCommands(CLI::App& root) {
  auto mock = std::make_shared<KafkaCmdOptions>();
  CLI::App* m = root.add_subcommand(
      "kafka-mock",
      "Run librdkafka's mock Kafka cluster on loopback (development, tests) with the engine's "
      "topics; prints bootstrap.servers and runs until SIGINT/SIGTERM. In memory only.");
  m->add_option("--brokers", mock->brokers, "brokers")->capture_default_str();
  m->add_option("--partitions", mock->partitions, "partitions of <prefix>.records")
      ->capture_default_str();
  m->add_option("--ingress-partitions", mock->ingress_partitions,
                "partitions of the ingress topics")
      ->capture_default_str();
  m->add_option("--topic-prefix", mock->topic_prefix, "topic name prefix")->capture_default_str();
  m->callback([mock] { RunMock(*mock); });

  auto proc = std::make_shared<KafkaCmdOptions>();
  CLI::App* p = root.add_subcommand(
      "kafka-process",
      "Mirror and process every partition of the Kafka log into --data (no consumer group) "
      "until caught up, then print the state digest: a reference run, or a rebuilt node");
  AddKafkaClientOptions(*p, *proc);
  AddDataOption(*p, &proc->data);
  p->add_option("--timeout", proc->timeout, "give up after this long")->capture_default_str();
  p->callback([proc] { RunProcessOnce(*proc); });

  auto uni = std::make_shared<KafkaCmdOptions>();
  CLI::App* u = root.add_subcommand(
      "kafka-digest",
      "The digest of the engine's state spread over several processes' data directories "
      "(each partition from the directory that processed it furthest)");
  u->add_option("dirs", uni->dirs, "data directories")->required();
  u->callback([uni] { RunUnionDigest(*uni); });
}

}  // namespace closeloop::app
