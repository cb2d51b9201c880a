// SPDX-License-Identifier: Apache-2.0
// rdkafka_consume: the librdkafka peer of gregor-consumer-perf-test for
// chapter 06's end-to-end comparison (bench/run_consumer.py).
//
//   rdkafka_consume -b H:P -t TOPIC -n RECORDS [-p PARTITION] [-o OFFSET]
//                   [-B BATCH] [-T IDLE_SECONDS] [-X key=value ...]
//
// No group: it starts fetching PARTITION (default 0) of TOPIC at OFFSET
// (default 0) with librdkafka's simple (legacy) consumer API,
// rd_kafka_consume_start(), which kcat -C uses too (the high-level
// consumer's rd_kafka_assign() wants a group.id in librdkafka 2.0), and
// reads until RECORDS records have come back, touching nothing per record
// but the count and the key and value sizes. It takes up to BATCH
// (default 500, Kafka's max.poll.records) messages per
// rd_kafka_consume_batch() call; -B 0 takes one per rd_kafka_consume()
// call instead. On librdkafka 2.0.2 against gregor-server the one-by-one
// loop reads 100-byte records some 20 times slower (about 250,000/s against
// 5,000,000/s), and not for CPU: it spends most of its time waiting, its
// fetcher idle between fetches (queued.min.messages=1000000 halves the gap).
//
// The fetch settings are Kafka's consumer defaults unless -X overrides
// them, and are printed on stderr before the run:
//   fetch.max.bytes=52428800, max.partition.fetch.bytes=1048576,
//   fetch.min.bytes=1, fetch.wait.max.ms=500 (Kafka: fetch.max.wait.ms),
//   queued.max.messages.kbytes=65536 (librdkafka's prefetch queue, which
//   Kafka's consumer does not have), check.crcs=false (Kafka: true; the
//   broker's record batches are CRC-checked on the way in).
//
// The clock starts before rd_kafka_consume_start() (as Kafka's
// ConsumerPerformance starts before subscribe) and stops at the last
// record. One line at the end, key=value pairs, MB is 2^20 bytes:
//
//   rdkafka_consume records=N bytes=B elapsed_ms=E first_record_ms=F
//   records_per_sec=R mb_per_sec=M
//
// Exit status: 0 when RECORDS came back, 1 on a consumer error or when
// IDLE_SECONDS (default 30) pass without a record, 2 on bad usage.
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kPollMs = 100, kMaxBatch = 100000 };

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int usage(const char *why) {
  fprintf(stderr,
          "rdkafka_consume: %s\n"
          "usage: rdkafka_consume -b H:P -t TOPIC -n RECORDS [-p PARTITION] [-o OFFSET]"
          " [-B BATCH] [-T IDLE_SECONDS] [-X key=value ...]\n",
          why);
  return 2;
}

static int set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "rdkafka_consume: %s=%s: %s\n", key, value, errstr);
    return -1;
  }
  return 0;
}

// The settings the comparison states; -X may override each of them later.
static const char *const kDefaults[][2] = {
    {"fetch.max.bytes", "52428800"},
    {"max.partition.fetch.bytes", "1048576"},
    {"fetch.min.bytes", "1"},
    {"fetch.wait.max.ms", "500"},
    {"queued.max.messages.kbytes", "65536"},
    {"check.crcs", "false"},
    {"enable.partition.eof", "false"},
};

int main(int argc, char **argv) {
  const char *brokers = NULL, *topic = NULL;
  int64_t n = 0, offset = 0;
  int32_t partition = 0;
  int batch = 500, idle_s = 30;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  for (size_t i = 0; i < sizeof kDefaults / sizeof kDefaults[0]; i++) {
    if (set(conf, kDefaults[i][0], kDefaults[i][1]) != 0) return 2;
  }
  int opt;
  while ((opt = getopt(argc, argv, "b:t:n:p:o:B:T:X:")) != -1) {
    switch (opt) {
      case 'b':
        brokers = optarg;
        break;
      case 't':
        topic = optarg;
        break;
      case 'n':
        n = strtoll(optarg, NULL, 10);
        break;
      case 'p':
        partition = (int32_t)strtol(optarg, NULL, 10);
        break;
      case 'o':
        offset = strtoll(optarg, NULL, 10);
        break;
      case 'B':
        batch = atoi(optarg);
        break;
      case 'T':
        idle_s = atoi(optarg);
        break;
      case 'X': {
        char *eq = strchr(optarg, '=');
        if (!eq) return usage("-X needs key=value");
        *eq = '\0';
        if (set(conf, optarg, eq + 1) != 0) return 2;
        break;
      }
      default:
        return usage("unknown option");
    }
  }
  if (!brokers || !topic || n <= 0 || batch < 0 || batch > kMaxBatch || idle_s <= 0) {
    return usage("-b, -t and -n > 0 are required; 0 <= -B <= 100000; -T > 0");
  }
  if (set(conf, "bootstrap.servers", brokers) != 0) return 2;
  for (size_t i = 0; i < sizeof kDefaults / sizeof kDefaults[0]; i++) {
    char value[512];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(conf, kDefaults[i][0], value, &size) == RD_KAFKA_CONF_OK) {
      fprintf(stderr, "%s%s=%s", i ? ", " : "rdkafka_consume settings: ", kDefaults[i][0], value);
    }
  }
  fprintf(stderr, "; %s\n", batch ? "rd_kafka_consume_batch" : "rd_kafka_consume");

  char errstr[512];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rdkafka_consume: %s\n", errstr);
    return 1;
  }
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  rd_kafka_message_t *one[1];
  rd_kafka_message_t **msgs = batch ? calloc((size_t)batch, sizeof *msgs) : one;

  int64_t start = now_us(), first = -1, last = start, bytes = 0, count = 0;
  if (rd_kafka_consume_start(rkt, partition, offset) != 0) {
    fprintf(stderr, "rdkafka_consume: consume_start: %s\n",
            rd_kafka_err2str(rd_kafka_last_error()));
    return 1;
  }
  int status = 0;
  while (count < n) {
    ssize_t got = 0;
    if (batch) {
      got = rd_kafka_consume_batch(rkt, partition, kPollMs, msgs, (size_t)batch);
      if (got < 0) {
        fprintf(stderr, "rdkafka_consume: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
        status = 1;
        break;
      }
    } else {
      one[0] = rd_kafka_consume(rkt, partition, kPollMs);
      got = one[0] ? 1 : 0;
    }
    int64_t now = now_us();
    for (ssize_t i = 0; i < got; i++) {
      if (msgs[i]->err) {
        fprintf(stderr, "rdkafka_consume: %s\n", rd_kafka_message_errstr(msgs[i]));
        status = 1;
      } else {
        count++;
        bytes += (int64_t)msgs[i]->len + (int64_t)msgs[i]->key_len;
      }
      rd_kafka_message_destroy(msgs[i]);
    }
    if (status) break;
    if (got > 0) {
      if (first < 0) first = now;
      last = now;
    } else if (now - last > (int64_t)idle_s * 1000000) {
      fprintf(stderr, "rdkafka_consume: no record for %d s after %" PRId64 " of %" PRId64 "\n",
              idle_s, count, n);
      status = 1;
      break;
    }
  }
  double ms = (double)(last - start) / 1000.0;
  if (ms <= 0) ms = 0.001;
  printf("rdkafka_consume records=%" PRId64 " bytes=%" PRId64
         " elapsed_ms=%.1f "
         "first_record_ms=%.1f records_per_sec=%.1f mb_per_sec=%.2f\n",
         count, bytes, ms, first < 0 ? -1.0 : (double)(first - start) / 1000.0,
         1000.0 * (double)count / ms, 1000.0 * (double)bytes / ms / (1024.0 * 1024.0));
  fflush(stdout);
  if (batch) free(msgs);
  rd_kafka_consume_stop(rkt, partition);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return status;
}
