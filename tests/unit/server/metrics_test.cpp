// SPDX-License-Identifier: Apache-2.0
#include "server/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace gregor {
namespace {

TEST(MetricsRegistryTest, CounterRendersHelpTypeAndValue) {
  MetricsRegistry registry;
  registry.GetCounter("kafka_server_brokertopicmetrics_messagesin_total", "Records appended.")
      ->Add(3);
  EXPECT_EQ(registry.Render(),
            "# HELP kafka_server_brokertopicmetrics_messagesin_total Records appended.\n"
            "# TYPE kafka_server_brokertopicmetrics_messagesin_total counter\n"
            "kafka_server_brokertopicmetrics_messagesin_total 3\n");
}

TEST(MetricsRegistryTest, LabelledSeriesShareOneFamily) {
  MetricsRegistry registry;
  registry.GetCounter("requests_total", "Requests.", "request", "Produce")->Add();
  registry.GetCounter("requests_total", "Requests.", "request", "Fetch")->Add(2);
  registry.GetCounter("requests_total", "Requests.", "request", "Produce")->Add();
  EXPECT_EQ(registry.Render(),
            "# HELP requests_total Requests.\n"
            "# TYPE requests_total counter\n"
            "requests_total{request=\"Produce\"} 2\n"
            "requests_total{request=\"Fetch\"} 2\n");
}

TEST(MetricsRegistryTest, HistogramRendersCumulativeBucketsSumAndCount) {
  MetricsRegistry registry;
  Histogram* h = registry.GetHistogram("t_ms", "Time.", "request", "Produce", {1, 10});
  h->Observe(0.5);
  h->Observe(1);  // le is inclusive
  h->Observe(7);
  h->Observe(20.5);
  EXPECT_EQ(registry.Render(),
            "# HELP t_ms Time.\n"
            "# TYPE t_ms histogram\n"
            "t_ms_bucket{request=\"Produce\",le=\"1\"} 2\n"
            "t_ms_bucket{request=\"Produce\",le=\"10\"} 3\n"
            "t_ms_bucket{request=\"Produce\",le=\"+Inf\"} 4\n"
            "t_ms_sum{request=\"Produce\"} 29\n"
            "t_ms_count{request=\"Produce\"} 4\n");
}

TEST(MetricsRegistryTest, BrokerMetricsUseKafkasNames) {
  MetricsRegistry registry;
  BrokerMetrics metrics(registry);
  metrics.bytes_out->Add(10);
  metrics.RecordRequest("Fetch", 0.25);
  std::string text = registry.Render();
  EXPECT_NE(text.find("kafka_server_brokertopicmetrics_bytesout_total 10\n"), std::string::npos);
  EXPECT_NE(text.find("kafka_network_requestmetrics_requests_total{request=\"Fetch\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_network_requestmetrics_totaltimems_bucket{request=\"Fetch\",le=\"1\"} 1\n"),
            std::string::npos);
}

// The cached handles render exactly what a lookup per request rendered:
// only used APIs, in first-use order, nothing for a handle never used.
TEST(MetricsRegistryTest, RequestMetricsHandlesRenderLikeLookups) {
  MetricsRegistry looked_up;
  BrokerMetrics by_name(looked_up);
  by_name.RecordRequest("Fetch", 0.25);
  by_name.RecordRequest("Produce", 7);
  by_name.RecordRequest("Fetch", 30);

  MetricsRegistry cached;
  BrokerMetrics unused(cached);
  RequestMetrics produce(cached, "Produce");
  RequestMetrics fetch(cached, "Fetch");
  RequestMetrics metadata(cached, "Metadata");  // never used: never rendered
  EXPECT_EQ(cached.Render(), looked_up.Render().substr(0, cached.Render().size()));
  fetch.Record(0.25);
  produce.Record(7);
  fetch.Record(30);
  EXPECT_EQ(cached.Render(), looked_up.Render());
  EXPECT_EQ(cached.Render().find("Metadata"), std::string::npos);
}

TEST(MetricsRegistryTest, RequestMetricsRecordFromManyThreads) {
  MetricsRegistry registry;
  RequestMetrics produce(registry, "Produce");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) produce.Record(1);
    });
  }
  for (auto& t : threads) t.join();
  Counter* requests = registry.GetCounter("kafka_network_requestmetrics_requests_total", "",
                                          "request", "Produce");
  EXPECT_EQ(requests->Value(), 4000);
  Histogram* total = registry.GetHistogram("kafka_network_requestmetrics_totaltimems", "",
                                           "request", "Produce");
  EXPECT_EQ(total->Count(), 4000);
  EXPECT_EQ(total->Sum(), 4000);
}

}  // namespace
}  // namespace gregor
