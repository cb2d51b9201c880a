// SPDX-License-Identifier: Apache-2.0
#include "server/log_cleaner_metrics.h"

namespace gregor {

void RegisterLogCleanerMetrics(MetricsRegistry& r, LogCleaner& cleaner, Clock& clock) {
  const LogCleanerStats& s = cleaner.stats();
  r.AddGauge("kafka_log_logcleaner_cleaner_recopy_percent",
             "Bytes written / bytes read by the last cleaning pass, in percent.",
             [&s] { return s.last_recopy_percent.load(); });
  r.AddGauge("kafka_log_logcleaner_max_clean_time_secs", "Duration of the last cleaning pass.",
             [&s] { return s.last_clean_time_secs.load(); });
  r.AddGauge("kafka_log_logcleaner_max_buffer_utilization_percent",
             "OffsetMap fill at the end of the last cleaning pass, in percent.",
             [&s] { return s.last_buffer_utilization_percent.load(); });
  r.AddGauge("kafka_log_logcleaner_time_since_last_run_ms",
             "Milliseconds since the last cleaning pass ended (or the cleaner started).",
             [&s, &clock] { return double(clock.NowMs() - s.last_run_ms.load()); });
  r.AddGauge("kafka_log_logcleanermanager_max_dirty_percent",
             "Highest dirty ratio among compacted logs at the last check, in percent.",
             [&cleaner] { return cleaner.manager().max_dirty_percent(); });
  r.AddGauge(
      "kafka_log_logcleaner_bytes_read_total", "Log bytes read by cleaning passes.",
      [&s] { return double(s.bytes_read.load()); }, /*monotonic=*/true);
  r.AddGauge(
      "kafka_log_logcleaner_bytes_written_total", "Log bytes written by cleaning passes.",
      [&s] { return double(s.bytes_written.load()); }, /*monotonic=*/true);
}

}  // namespace gregor
