// SPDX-License-Identifier: Apache-2.0
// rdkafka_producer: the librdkafka peer of gregor-producer-perf-test for
// chapter 03's end-to-end comparison (bench/run_producer.py).
//
//   rdkafka_producer -b H:P -t TOPIC -n RECORDS -s SIZE [-p PARTITION]
//                    [-X key=value ...]
//
// It sends RECORDS values of SIZE bytes, null key, to TOPIC (partition
// PARTITION, default unassigned: librdkafka's partitioner chooses), with
// librdkafka properties from -X (acks, linger.ms, batch.size,
// compression.type, max.in.flight.requests.per.connection, ...). The value
// is the perf test's: SIZE letters A-Z from the same linear congruential
// sequence. Nothing is printed per record.
//
// The producing thread calls rd_kafka_poll(rk, 0) after every record, so
// delivery reports are served promptly on that thread; a full local queue
// (QUEUE_FULL) is waited out with rd_kafka_poll(rk, 10). Each record's
// opaque carries its send time; the delivery report callback counts
// acknowledged and failed records and keeps the latency statistics of
// Kafka's ProducerPerformance (whole ms, windows of 5 s, one latency in
// every RECORDS / min(RECORDS, 500000) kept for percentiles at index
// floor(p * samples)), so the lines match gregor-producer-perf-test's:
//
//   N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.
//   N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency,
//   P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th.
//
// The final line is printed after rd_kafka_flush() and rd_kafka_destroy(),
// as the perf test prints after Close(). Exit status: 0 when every record
// was acknowledged, 1 when any failed or librdkafka would not start, 2 on
// bad usage.
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kReportingIntervalMs = 5000, kMaxSamples = 500000, kErrorsPrinted = 10 };

// Kafka's ProducerPerformance statistics; only the polling thread touches
// them (delivery reports run inside rd_kafka_poll/flush).
struct stats {
  int64_t start_ms, window_start_ms;
  int64_t sampling, iteration;
  int32_t *latencies;
  int64_t samples;
  int64_t count, bytes, total_latency;
  int32_t max_latency;
  int64_t window_count, window_bytes, window_total_latency;
  int32_t window_max_latency;
  int64_t failed;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double elapsed_ms(int64_t from, int64_t to) { return to > from ? (double)(to - from) : 1.0; }

static double average(int64_t total, int64_t count) {
  return count ? (double)total / (double)count : 0.0;
}

static void print_window(const struct stats *s, int64_t now) {
  double ms = elapsed_ms(s->window_start_ms, now);
  printf("%" PRId64 " records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, "
         "%.1f ms max latency.\n",
         s->window_count, 1000.0 * (double)s->window_count / ms,
         1000.0 * (double)s->window_bytes / ms / (1024.0 * 1024.0),
         average(s->window_total_latency, s->window_count), (double)s->window_max_latency);
  fflush(stdout);
}

static void record_ack(struct stats *s, int32_t latency, int32_t bytes, int64_t now) {
  s->count++;
  s->bytes += bytes;
  s->total_latency += latency;
  if (latency > s->max_latency) s->max_latency = latency;
  s->window_count++;
  s->window_bytes += bytes;
  s->window_total_latency += latency;
  if (latency > s->window_max_latency) s->window_max_latency = latency;
  if (s->iteration % s->sampling == 0) s->latencies[s->samples++] = latency;
  s->iteration++;
  if (now - s->window_start_ms >= kReportingIntervalMs) {
    print_window(s, now);
    s->window_start_ms = now;
    s->window_count = s->window_bytes = s->window_total_latency = 0;
    s->window_max_latency = 0;
  }
}

static int compare_int32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

static int32_t percentile(const struct stats *s, double p) {
  return s->samples ? s->latencies[(int64_t)(p * (double)s->samples)] : 0;
}

static void print_total(struct stats *s, int64_t now) {
  double ms = elapsed_ms(s->start_ms, now);
  qsort(s->latencies, (size_t)s->samples, sizeof(int32_t), compare_int32);
  printf("%" PRId64 " records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, "
         "%.2f ms max latency, %" PRId32 " ms 50th, %" PRId32 " ms 95th, %" PRId32
         " ms 99th, %" PRId32 " ms 99.9th.\n",
         s->count, 1000.0 * (double)s->count / ms,
         1000.0 * (double)s->bytes / ms / (1024.0 * 1024.0),
         average(s->total_latency, s->count), (double)s->max_latency, percentile(s, 0.5),
         percentile(s, 0.95), percentile(s, 0.99), percentile(s, 0.999));
  fflush(stdout);
}

// Delivery report: the record's opaque is its send time in ms.
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  struct stats *s = opaque;
  int64_t now = now_ms();
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    record_ack(s, (int32_t)(now - (int64_t)(intptr_t)m->_private), (int32_t)m->len, now);
  } else if (++s->failed <= kErrorsPrinted) {
    fprintf(stderr, "Error when sending message: %s\n", rd_kafka_err2str(m->err));
  }
}

// The perf test's value bytes (tools/gregor_producer_perf_test.cpp).
static void make_payload(char *p, size_t n) {
  uint32_t x = 0x9e3779b9u;
  for (size_t i = 0; i < n; i++) {
    x = x * 1664525u + 1013904223u;
    p[i] = (char)('A' + (x >> 24) % 26);
  }
}

static int usage(const char *why) {
  fprintf(stderr,
          "rdkafka_producer: %s\n"
          "usage: rdkafka_producer -b H:P -t TOPIC -n RECORDS -s SIZE [-p PARTITION]"
          " [-X key=value ...]\n",
          why);
  return 2;
}

int main(int argc, char **argv) {
  const char *brokers = NULL, *topic = NULL;
  int64_t n = 0;
  long size = 0;
  int32_t partition = RD_KAFKA_PARTITION_UA;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  int opt;
  while ((opt = getopt(argc, argv, "b:t:n:s:p:X:")) != -1) {
    switch (opt) {
      case 'b': brokers = optarg; break;
      case 't': topic = optarg; break;
      case 'n': n = strtoll(optarg, NULL, 10); break;
      case 's': size = strtol(optarg, NULL, 10); break;
      case 'p': partition = (int32_t)strtol(optarg, NULL, 10); break;
      case 'X': {
        char *eq = strchr(optarg, '=');
        if (!eq) return usage("-X needs key=value");
        *eq = '\0';
        if (rd_kafka_conf_set(conf, optarg, eq + 1, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
          return usage(errstr);
        }
        break;
      }
      default: return usage("unknown option");
    }
  }
  if (!brokers || !topic || n <= 0 || size <= 0) {
    return usage("-b, -t, -n > 0 and -s > 0 are required");
  }
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK) {
    return usage(errstr);
  }

  struct stats s;
  memset(&s, 0, sizeof s);
  s.sampling = n / (n < kMaxSamples ? n : kMaxSamples);
  s.latencies = calloc((size_t)(n / s.sampling + 1), sizeof(int32_t));
  char *payload = malloc((size_t)size);
  if (!s.latencies || !payload) return 1;
  make_payload(payload, (size_t)size);

  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &s);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rdkafka_producer: %s\n", errstr);
    return 1;
  }
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

  s.start_ms = s.window_start_ms = now_ms();
  for (int64_t i = 0; i < n; i++) {
    // Latency counts from the first attempt, as a Send() that blocks on a
    // full buffer counts its wait.
    int64_t sent_ms = now_ms();
    while (rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, payload, (size_t)size, NULL, 0,
                            (void *)(intptr_t)sent_ms) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fprintf(stderr, "rdkafka_producer: produce failed: %s\n",
                rd_kafka_err2str(rd_kafka_last_error()));
        return 1;
      }
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
  }
  while (rd_kafka_outq_len(rk) > 0) rd_kafka_flush(rk, 1000);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  print_total(&s, now_ms());

  int failed = s.failed > 0;
  if (failed) fprintf(stderr, "%" PRId64 " of %" PRId64 " records failed\n", s.failed, n);
  free(payload);
  free(s.latencies);
  return failed;
}
