// SPDX-License-Identifier: Apache-2.0
// The log cleaner's metrics (Kafka's LogCleaner and LogCleanerManager
// gauges), read from LogCleanerStats at each scrape:
//
//   kafka.log:type=LogCleaner,name=cleaner-recopy-percent
//                                -> kafka_log_logcleaner_cleaner_recopy_percent
//   ...name=max-clean-time-secs  -> kafka_log_logcleaner_max_clean_time_secs
//   ...name=max-buffer-utilization-percent
//                                -> kafka_log_logcleaner_max_buffer_utilization_percent
//   ...name=time-since-last-run-ms
//                                -> kafka_log_logcleaner_time_since_last_run_ms
//   kafka.log:type=LogCleanerManager,name=max-dirty-percent
//                                -> kafka_log_logcleanermanager_max_dirty_percent
// and two totals Kafka keeps only per pass in its log:
//   kafka_log_logcleaner_bytes_read_total, kafka_log_logcleaner_bytes_written_total.
// Kafka's "max" gauges take the maximum over the threads' last passes;
// here they are the last pass of any thread.
#pragma once

#include "common/clock.h"
#include "server/metrics.h"
#include "storage/log_cleaner.h"

namespace gregor {

/// Registers the gauges above. REQUIRES: `cleaner` and `clock` outlive
/// every Render of `registry`.
void RegisterLogCleanerMetrics(MetricsRegistry& registry, LogCleaner& cleaner, Clock& clock);

}  // namespace gregor
