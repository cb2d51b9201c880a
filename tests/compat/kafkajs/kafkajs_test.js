// SPDX-License-Identifier: Apache-2.0
// kafkajs 2.2.4 against a real gregor-server, driven by run_kafkajs_test.py,
// which starts the broker, hands over the records to send and reads them
// back with kafka-python (every kafkajs consumer joins a group: chapter 06).
//
// usage: node kafkajs_test.js <bootstrap> <records.json> <result.json>
//   records.json: {"<codec>": {"topic": ..., "records": [[key_b64|null,
//                  value_b64|null, [[header, value_b64], ...], timestamp_ms], ...]}}
//   result.json:  what the admin calls returned and, per codec, the
//                 (partition, baseOffset) of every acknowledged send.
//
// Admin: createTopics (and again: false, the topic exists), fetchTopicMetadata,
// listTopics, deleteTopics on a scratch topic. Producer: send() in chunks with an
// explicit partition (record i -> i % 3), headers and timestamp per message.
'use strict'

const fs = require('fs')
const { Kafka, logLevel, CompressionTypes, CompressionCodecs, Partitioners } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec

const PARTITIONS = 3
const CHUNK = 500
const CODECS = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy
}

// Never hang: whatever happens, give up after 4 minutes.
setTimeout(() => {
  console.error('kafkajs_test.js: timed out')
  process.exit(2)
}, 240000).unref()

function fail (msg) {
  throw new Error(msg)
}

function b64 (s) {
  return s === null ? null : Buffer.from(s, 'base64')
}

async function main () {
  const [bootstrap, recordsFile, resultFile] = process.argv.slice(2)
  const plan = JSON.parse(fs.readFileSync(recordsFile, 'utf8'))
  const kafka = new Kafka({
    clientId: 'gregor-compat-kafkajs',
    brokers: [bootstrap],
    logLevel: logLevel.WARN,
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 3 }
  })
  const result = { admin: {}, sends: {} }
  const admin = kafka.admin()
  await admin.connect()
  try {
    const topics = Object.values(plan).map(p => p.topic)
    const created = await admin.createTopics({
      topics: topics.map(topic => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
      waitForLeaders: true,
      timeout: 30000
    })
    if (created !== true) fail(`createTopics returned ${created}`)
    const again = await admin.createTopics({ topics: [{ topic: topics[0], numPartitions: PARTITIONS }] })
    if (again !== false) fail(`createTopics of an existing topic returned ${again}, not false`)
    const meta = await admin.fetchTopicMetadata({ topics })
    for (const t of meta.topics) {
      const leaders = t.partitions.map(p => p.leader)
      if (t.partitions.length !== PARTITIONS || leaders.some(l => l !== 1)) {
        fail(`fetchTopicMetadata ${t.name}: ${JSON.stringify(t.partitions)}`)
      }
    }
    if (meta.topics.length !== topics.length) fail(`fetchTopicMetadata: ${meta.topics.length} topics`)
    result.admin.metadata = meta.topics.map(t => [t.name, t.partitions.length])

    const scratch = 'kafkajs-scratch'
    await admin.createTopics({ topics: [{ topic: scratch, numPartitions: 1 }], waitForLeaders: true })
    if (!(await admin.listTopics()).includes(scratch)) fail('listTopics lacks the scratch topic')
    await admin.deleteTopics({ topics: [scratch], timeout: 30000 })
    const listed = await admin.listTopics()
    if (listed.includes(scratch)) fail('listTopics still has the scratch topic after deleteTopics')
    if (!topics.every(t => listed.includes(t))) fail(`listTopics ${listed} lacks ${topics}`)
    result.admin.listed = listed.sort()
    console.log(`kafkajs admin: createTopics x${topics.length} (then false on a duplicate), ` +
                `fetchTopicMetadata ${PARTITIONS} partitions led by node 1, listTopics, deleteTopics`)
  } finally {
    await admin.disconnect()
  }

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    for (const [codec, { topic, records }] of Object.entries(plan)) {
      const compression = CODECS[codec]
      if (compression === undefined) fail(`unknown codec ${codec}`)
      const t0 = Date.now()
      const sends = []
      for (let start = 0, n = 0; start < records.length; start += CHUNK, n++) {
        const messages = records.slice(start, start + CHUNK).map(([k, v, hs, ts], j) => {
          const headers = {}
          for (const [name, hv] of hs) headers[name] = b64(hv)
          return { key: b64(k), value: b64(v), headers, timestamp: String(ts), partition: (start + j) % PARTITIONS }
        })
        const acks = n % 2 ? 1 : -1
        const md = await producer.send({ topic, messages, compression, acks, timeout: 30000 })
        for (const m of md) {
          if (m.errorCode !== 0) fail(`${topic}: send error ${m.errorCode}`)
          sends.push([start, m.partition, Number(m.baseOffset)])
        }
      }
      result.sends[codec] = sends
      console.log(`kafkajs ${codec.padEnd(6)}: sent ${records.length} records in ` +
                  `${Math.ceil(records.length / CHUNK)} send() calls (acks -1/1) in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    }
  } finally {
    await producer.disconnect()
  }
  fs.writeFileSync(resultFile, JSON.stringify(result))
}

main().then(() => process.exit(0), err => {
  console.error('kafkajs_test.js failed:', err && err.stack ? err.stack : err)
  process.exit(1)
})
