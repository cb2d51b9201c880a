// SPDX-License-Identifier: Apache-2.0
// One kafkajs 2.2.4 consumer-group member, driven by run_kafkajs_groups_test.py
// through groups_harness.py's JSON lines (chapter 06).
//
// usage: node kafkajs_groups_test.js <bootstrap> <topic> <group> <client id> <session ms>
//
// stdout, one JSON object a line: {"ev": "ready"}, {"ev": "assigned", "parts": [..]}
// after every join (the GROUP_JOIN event, emitted before any fetch of the new
// generation), {"ev": "recs", "recs": [[partition, offset, value], ...]} from
// eachMessage, {"ev": "committed", "offsets": {...}}, {"ev": "closed"},
// {"ev": "error", "msg": ...}. stdin, one command a line: go (resume: until
// then every assigned partition is paused), commit (commitOffsets of the
// next offset of every assigned partition read from), close (disconnect:
// LeaveGroup). autoCommit is off: only "commit" commits.
'use strict'

const readline = require('readline')
const { Kafka, logLevel } = require('kafkajs')

const HEARTBEAT_MS = 300

// Never outlive a stuck test.
setTimeout(() => process.exit(3), 300000).unref()

function emit (event) {
  process.stdout.write(JSON.stringify(event) + '\n')
}

async function main () {
  const [bootstrap, topic, groupId, clientId, sessionMs] = process.argv.slice(2)
  const kafka = new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 5 }
  })
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: Number(sessionMs),
    heartbeatInterval: HEARTBEAT_MS,
    rebalanceTimeout: 20000,
    maxWaitTimeInMs: 100
  })
  let go = false
  let assigned = []
  const next = new Map() // partition -> next offset, for partitions read from

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = (payload.memberAssignment[topic] || []).slice().sort((a, b) => a - b)
    for (const p of [...next.keys()]) if (!assigned.includes(p)) next.delete(p)
    if (!go && assigned.length) consumer.pause([{ topic, partitions: assigned }])
    emit({ ev: 'assigned', parts: assigned })
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    emit({ ev: 'error', msg: `crash: ${payload.error && payload.error.message}` })
  })

  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      next.set(partition, Number(message.offset) + 1)
      emit({ ev: 'recs', recs: [[partition, Number(message.offset), message.value.toString()]] })
    }
  })
  emit({ ev: 'ready' })

  const commands = readline.createInterface({ input: process.stdin })
  for await (const cmd of commands) {
    try {
      if (cmd === 'go') {
        go = true
        consumer.resume([{ topic }])
      } else if (cmd === 'commit' || cmd === 'commit_async') {
        const offsets = {}
        const list = []
        for (const p of assigned) {
          if (next.has(p)) {
            offsets[p] = next.get(p)
            list.push({ topic, partition: p, offset: String(next.get(p)) })
          }
        }
        await consumer.commitOffsets(list)
        emit({ ev: 'committed', offsets })
      } else if (cmd === 'close') {
        break
      }
    } catch (e) {
      emit({ ev: 'error', msg: `${cmd}: ${e.message}` })
    }
  }
  await consumer.disconnect()
  emit({ ev: 'closed' })
  process.exit(0)
}

main().catch(e => {
  emit({ ev: 'error', msg: `main: ${e.stack}` })
  process.exit(1)
})
