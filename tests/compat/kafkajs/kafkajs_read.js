// SPDX-License-Identifier: Apache-2.0
// kafkajs 2.2.4 reads every record of a topic's partitions from a real
// gregor-server, driven by gregor_producer_kafkajs_test.py (what Gregor's own
// producer wrote). Every kafkajs consumer joins a group (chapter 06), so this
// uses the package's lower-level Broker over a ConnectionPool: ApiVersions,
// then Fetch (READ_UNCOMMITTED) per partition from offset 0 until the high
// watermark. kafkajs decodes the record batches and decompresses them (gzip
// built in, snappy through kafkajs-snappy; lz4 and zstd have no codec here).
//
// usage: node kafkajs_read.js <bootstrap> <topic> <partitions> <out.json>
//   out.json: {"high_watermarks": [hw per partition], "fetches": [Fetch requests
//              per partition], "records": [{partition,
//              offset, key_b64|null, value_b64|null, headers: [[k, v_b64|null]],
//              timestamp, timestamp_type}, ...]}
'use strict'

const fs = require('fs')
const { CompressionTypes, CompressionCodecs } = require('kafkajs')
const Broker = require('kafkajs/src/broker')
const ConnectionPool = require('kafkajs/src/network/connectionPool')
const socketFactory = require('kafkajs/src/network/socketFactory')
const { createLogger, LEVELS } = require('kafkajs/src/loggers')
const LoggerConsole = require('kafkajs/src/loggers/console')
const ISOLATION_LEVEL = require('kafkajs/src/protocol/isolationLevel')
const SnappyCodec = require('kafkajs-snappy')

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec

// Well under a partition's size, so each is read in several Fetch requests
// (the next one starting mid-stream, possibly inside a batch).
const PARTITION_MAX_BYTES = 256 * 1024

// Never hang: whatever happens, give up after 4 minutes.
setTimeout(() => {
  console.error('kafkajs_read.js: timed out')
  process.exit(2)
}, 240000).unref()

function fail (msg) {
  throw new Error(msg)
}

function b64 (buf) {
  return buf === null || buf === undefined ? null : buf.toString('base64')
}

function int (s, what) {
  const n = Number(s)
  if (!Number.isSafeInteger(n)) fail(`${what} ${s} is not a safe integer`)
  return n
}

// kafkajs folds a record's headers into an object (a repeated name becomes an
// array of its values, in order); unfold it into [[name, value_b64], ...].
function headerList (headers) {
  const out = []
  for (const [name, v] of Object.entries(headers)) {
    for (const one of Array.isArray(v) ? v : [v]) out.push([name, b64(one)])
  }
  return out
}

async function main () {
  const [bootstrap, topic, partitionsArg, outFile] = process.argv.slice(2)
  const partitions = Number(partitionsArg)
  const colon = bootstrap.lastIndexOf(':')
  const logger = createLogger({ level: LEVELS.WARN, logCreator: LoggerConsole })
  const connectionPool = new ConnectionPool({
    host: bootstrap.slice(0, colon),
    port: Number(bootstrap.slice(colon + 1)),
    logger,
    socketFactory: socketFactory(),
    clientId: 'gregor-compat-kafkajs-read',
    connectionTimeout: 10000,
    requestTimeout: 30000
  })
  const broker = new Broker({ connectionPool, logger, allowAutoTopicCreation: false })
  await broker.connect()
  const result = { high_watermarks: [], fetches: [], records: [] }
  try {
    for (let p = 0; p < partitions; p++) {
      let next = 0
      let hw = -1
      let fetches = 0
      while (hw < 0 || next < hw) {
        const resp = await broker.fetch({
          isolationLevel: ISOLATION_LEVEL.READ_UNCOMMITTED,
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: 2 * PARTITION_MAX_BYTES,
          topics: [{ topic, partitions: [{ partition: p, fetchOffset: String(next), maxBytes: PARTITION_MAX_BYTES }] }]
        })
        fetches++
        const part = resp.responses[0].partitions[0]
        if (resp.responses[0].topicName !== topic || part.partition !== p) {
          fail(`fetch ${topic}-${p}: answer for ${resp.responses[0].topicName}-${part.partition}`)
        }
        if (part.errorCode !== 0) fail(`fetch ${topic}-${p} at ${next}: error ${part.errorCode}`)
        hw = int(part.highWatermark, 'high watermark')
        const before = next
        for (const m of part.messages) {
          if (m.isControlRecord) continue
          const offset = int(m.offset, 'offset')
          if (offset < next) continue // a batch can start before the fetch offset
          if (offset !== next) fail(`${topic}-${p}: offset ${offset} after ${next - 1}, a gap`)
          result.records.push({
            partition: p,
            offset,
            key_b64: b64(m.key),
            value_b64: b64(m.value),
            headers: headerList(m.headers),
            timestamp: int(m.timestamp, 'timestamp'),
            timestamp_type: m.batchContext.timestampType
          })
          next = offset + 1
        }
        if (next === before && next < hw) fail(`${topic}-${p}: no progress at offset ${next} (high watermark ${hw})`)
      }
      result.high_watermarks.push(hw)
      result.fetches.push(fetches)
      console.log(`kafkajs_read ${topic}-${p}: ${next} records in ${fetches} fetches, high watermark ${hw}`)
    }
  } finally {
    await broker.disconnect()
  }
  fs.writeFileSync(outFile, JSON.stringify(result))
}

main().then(() => process.exit(0), err => {
  console.error('kafkajs_read.js failed:', err && err.stack ? err.stack : err)
  process.exit(1)
})
