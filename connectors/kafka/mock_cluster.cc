#include "connectors/kafka/mock_cluster.h"

#include <algorithm>

namespace closeloop::kafka {

Result<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  if (brokers < 1) return InvalidArgument("a mock cluster needs at least one broker");
  // A handle to own the mock; it never connects anywhere itself.
  CL_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, MakeConf({{"log_level", "3"}}));
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Internal(std::string("mock cluster handle: ") + err);
  }
  std::unique_ptr<MockCluster> c(new MockCluster());
  c->rk_.reset(rk);
  c->mock_ = rd_kafka_mock_cluster_new(rk, brokers);
  if (c->mock_ == nullptr) return Internal("rd_kafka_mock_cluster_new failed");
  c->bootstrap_ = rd_kafka_mock_cluster_bootstraps(c->mock_);
  c->brokers_ = brokers;
  return c;
}

MockCluster::~MockCluster() {
  if (mock_ != nullptr) rd_kafka_mock_cluster_destroy(mock_);
}

Status MockCluster::CreateTopic(const std::string& topic, int partitions) {
  return FromKafka(
      rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, std::min(3, brokers_)),
      "creating topic " + topic);
}

Status MockCluster::CreateTopics(const Topics& topics, int partitions, int ingress_partitions) {
  CL_RETURN_IF_ERROR(CreateTopic(topics.records(), partitions));
  CL_RETURN_IF_ERROR(CreateTopic(topics.ingress_json(), ingress_partitions));
  CL_RETURN_IF_ERROR(CreateTopic(topics.ingress_fb(), ingress_partitions));
  return CreateTopic(topics.dead_letter(), 1);
}

}  // namespace closeloop::kafka
