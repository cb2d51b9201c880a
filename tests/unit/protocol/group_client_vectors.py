# SPDX-License-Identifier: Apache-2.0
"""Prints the real-client bytes pasted into group_messages_test.cpp and
consumer_protocol_test.cpp (the tests themselves need no Python). Not run
by CTest; rerun by hand when a vector is questioned:

  python3 group_client_vectors.py kafka-python
      kafka-python 2.0.2's encoders (JoinGroup v2, SyncGroup v1, ...).
  python3 group_client_vectors.py librdkafka [port]
      a throwaway broker on 127.0.0.1 that answers just enough (ApiVersions,
      Metadata, FindCoordinator, JoinGroup, SyncGroup, OffsetFetch, ...)
      for a confluent-kafka (system librdkafka) consumer to join group "g",
      get t[0] and commit offset 42; prints every request body as hex.
  python3 group_client_vectors.py kafkajs <path to node_modules/kafkajs/src>
      kafkajs 2.2.4's request encoders (JoinGroup v5, OffsetCommit v5, ...).
"""
import io
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time


def kafka_python():
    from kafka.coordinator.protocol import (ConsumerProtocolMemberAssignment,
                                            ConsumerProtocolMemberMetadata)
    from kafka.protocol.admin import DeleteGroupsRequest, ListGroupsResponse
    from kafka.protocol.commit import (GroupCoordinatorResponse, OffsetCommitRequest,
                                       OffsetFetchResponse)
    from kafka.protocol.group import (HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
                                      SyncGroupResponse)
    # kafka-python's encode() holds its struct weakly: keep the structs alive.
    meta_struct = ConsumerProtocolMemberMetadata(0, ["t"], b"")
    asg_struct = ConsumerProtocolMemberAssignment(0, [("t", [0, 1])], b"")
    meta, asg = meta_struct.encode(), asg_struct.encode()
    structs = [
            ("JoinGroupRequest[2]", JoinGroupRequest[2]("g", 10000, 30000, "", "consumer",
                                                        [("range", meta)])),
            ("SyncGroupResponse[1]", SyncGroupResponse[1](0, 0, asg)),
            ("OffsetCommitRequest[2]", OffsetCommitRequest[2](
                "g", 3, "m", -1, [("t", [(0, 42, None), (1, 7, "x")])])),
            ("OffsetFetchResponse[3]", OffsetFetchResponse[3](
                0, [("t", [(0, 42, "", 0), (1, -1, None, 0)])], 0)),
            ("GroupCoordinatorResponse[0]", GroupCoordinatorResponse[0](15, -1, "", -1)),
            ("LeaveGroupRequest[1]", LeaveGroupRequest[1]("g", "m")),
            ("HeartbeatRequest[1]", HeartbeatRequest[1]("g", 3, "m")),
            ("DeleteGroupsRequest[1]", DeleteGroupsRequest[1](["a", "b"])),
            ("ListGroupsResponse[2]", ListGroupsResponse[2](0, 0, [("g", "consumer")]))]
    for name, obj in structs:
        print(name, obj.encode().hex())
    print("ConsumerProtocolMemberMetadata v0", meta.hex())
    print("ConsumerProtocolMemberAssignment v0", asg.hex())


def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)
def s16(s): return i16(-1) if s is None else i16(len(s.encode())) + s.encode()
def arr(items): return i32(len(items)) + b"".join(items)
def byt(b): return i32(len(b)) + b


# (key, min, max) advertised by the throwaway broker.
APIS = [(0, 3, 7), (1, 4, 11), (2, 1, 2), (3, 0, 4), (8, 2, 7), (9, 1, 5), (10, 0, 2),
        (11, 0, 5), (12, 0, 3), (13, 0, 1), (14, 0, 3), (18, 0, 3)]
NAMES = {1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
         10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup",
         14: "SyncGroup", 18: "ApiVersions"}


def answer(port, key, ver, body):
    """The response body for one request, or None to hang up."""
    if key == 18:  # ApiVersions; v3 is flexible (compact array, tags)
        if ver >= 3:
            keys = b"".join(struct.pack(">hhh", *a) + b"\0" for a in APIS)
            return i16(0) + bytes([len(APIS) + 1]) + keys + i32(0) + b"\0"
        return i16(0) + arr([struct.pack(">hhh", *a) for a in APIS]) + (i32(0) if ver else b"")
    if key == 3:  # Metadata v1-4: one broker, topic t with partition 0
        part = i16(0) + i32(0) + i32(1) + arr([i32(1)]) + arr([i32(1)])
        return (i32(0) + arr([i32(1) + s16("127.0.0.1") + i32(port) + s16(None)]) + s16("c")
                + i32(1) + arr([i16(0) + s16("t") + b"\0" + arr([part])]))
    if key == 10:  # FindCoordinator v1-2: this broker
        return i32(0) + i16(0) + s16(None) + i32(1) + s16("127.0.0.1") + i32(port)
    if key == 11:  # JoinGroup v2-5: the joiner leads; echo its metadata back
        r = io.BytesIO(body)
        def rstr():
            n = struct.unpack(">h", r.read(2))[0]
            return r.read(max(n, 0))
        rstr(); r.read(8 if ver >= 1 else 4); rstr()
        if ver >= 5:
            rstr()
        rstr(); r.read(4); rstr()
        meta = r.read(struct.unpack(">i", r.read(4))[0])
        member = s16("m-1") + (s16(None) if ver >= 5 else b"") + byt(meta)
        return (i32(0) + i16(0) + i32(1) + s16("range") + s16("m-1") + s16("m-1")
                + arr([member]))
    if key == 14:  # SyncGroup v1-3: t[0], assignment v1 with null user_data
        return i32(0) + i16(0) + byt(i16(1) + arr([s16("t") + arr([i32(0)])]) + i32(-1))
    if key == 9:  # OffsetFetch v5: nothing committed
        return i32(0) + arr([s16("t") + arr([i32(0) + i64(-1) + i32(-1) + s16("") + i16(0)])]) \
            + i16(0)
    if key == 8:  # OffsetCommit v3+
        return i32(0) + arr([s16("t") + arr([i32(0) + i16(0)])])
    if key == 12:  # Heartbeat v1+
        return i32(0) + i16(0)
    if key == 2:  # ListOffsets v2
        return i32(0) + arr([s16("t") + arr([i32(0) + i16(0) + i64(-1) + i64(5)])])
    if key == 1:  # Fetch v11: empty partition after a short wait
        time.sleep(0.2)
        p = i32(0) + i16(0) + i64(5) + i64(5) + i64(0) + i32(-1) + i32(-1) + i32(-1)
        return i32(0) + i16(0) + i32(0) + arr([s16("t") + arr([p])])
    return None


def librdkafka(port):
    from confluent_kafka import Consumer, TopicPartition

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            while True:
                size = sock.recv(4, socket.MSG_WAITALL)
                if len(size) < 4:
                    return
                data = sock.recv(struct.unpack(">i", size)[0], socket.MSG_WAITALL)
                key, ver, corr, client_len = struct.unpack(">hhih", data[:10])
                body = data[10 + max(client_len, 0) + (1 if key == 18 and ver >= 3 else 0):]
                print("REQ", NAMES.get(key, key), "v%d" % ver, body.hex(), flush=True)
                resp = answer(port, key, ver, body)
                if resp is None:
                    return
                out = i32(corr) + resp
                try:
                    sock.sendall(i32(len(out)) + out)
                except OSError:
                    return

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    c = Consumer({"bootstrap.servers": "127.0.0.1:%d" % port, "group.id": "g",
                  "group.instance.id": "i-1", "session.timeout.ms": 10000,
                  "max.poll.interval.ms": 30000, "enable.auto.commit": False,
                  "partition.assignment.strategy": "range"})
    c.subscribe(["t"])
    deadline = time.time() + 10
    while time.time() < deadline and not c.assignment():
        c.poll(0.5)
    if c.assignment():
        c.commit(offsets=[TopicPartition("t", 0, 42)], asynchronous=False)
    c.close()
    server.shutdown()


KAFKAJS = """
const K = process.argv[2]
const { MemberMetadata } = require(K + '/consumer/assignerProtocol')
const req = (api, v) => require(K + '/protocol/requests/' + api + '/v' + v + '/request')
const show = async (name, r) => console.log(name, (await r.encode()).buffer.toString('hex'))
;(async () => {
  const meta = MemberMetadata.encode({ version: 0, topics: ['t'] })
  console.log('MemberMetadata v0', meta.toString('hex'))
  await show('JoinGroup v5', req('joinGroup', 5)({ groupId: 'g', sessionTimeout: 10000,
    rebalanceTimeout: 30000, memberId: 'm', groupInstanceId: 'i-1', protocolType: 'consumer',
    groupProtocols: [{ name: 'range', metadata: meta }] }))
  await show('OffsetCommit v5', req('offsetCommit', 5)({ groupId: 'g', groupGenerationId: 3,
    memberId: 'm', topics: [{ topic: 't', partitions: [{ partition: 0, offset: '42' }] }] }))
  await show('LeaveGroup v3', req('leaveGroup', 3)({ groupId: 'g',
    members: [{ memberId: 'm', groupInstanceId: null }] }))
})()
"""


def kafkajs(src):
    with tempfile.NamedTemporaryFile("w", suffix=".js") as f:
        f.write(KAFKAJS)
        f.flush()
        subprocess.run(["node", f.name, src], check=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "kafka-python"
    if mode == "kafka-python":
        kafka_python()
    elif mode == "librdkafka":
        librdkafka(int(sys.argv[2]) if len(sys.argv) > 2 else 39399)
    elif mode == "kafkajs":
        kafkajs(sys.argv[2])
    else:
        sys.exit(__doc__)
