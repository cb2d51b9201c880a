# SPDX-License-Identifier: Apache-2.0
"""kafka-python's own encoders for the protocol compat test.

Prints one line per message and version that both kafka-python 2.0.2 and
Gregor implement: "<Kind> <version> <hex of the encoded body>". The values
mirror tests/unit/protocol/samples.h, with the fields a version lacks left
out, so Gregor's encoding of its sample must equal these bytes exactly.
One exception: kafka-python 2.0.2 cannot encode a non-empty Fetch
forgotten_topics_data (its schema names the String class, not an
instance), so that list is empty here and the C++ side clears it too.
"""
from kafka.protocol.admin import (ApiVersionResponse, CreateTopicsRequest,
                                  CreateTopicsResponse, DeleteTopicsRequest,
                                  DeleteTopicsResponse)
from kafka.protocol.fetch import FetchRequest, FetchResponse
from kafka.protocol.metadata import MetadataRequest, MetadataResponse
from kafka.protocol.offset import OffsetRequest, OffsetResponse
from kafka.protocol.produce import ProduceRequest, ProduceResponse


def records(seed):
    return bytes([seed, 1, 2, 3, 4, 5, 6, 7, 8])


def emit(kind, v, obj):
    print(kind, v, obj.encode().hex())


def since(v, first, value):
    return [value] if v >= first else []


for v in range(0, 3):
    # What the broker advertises (api_keys.cpp kSupported), in key order.
    keys = [(0, 3, 7), (1, 4, 11), (2, 1, 3), (3, 0, 6), (8, 2, 7), (9, 1, 5), (10, 0, 2),
            (11, 0, 5), (12, 0, 3), (13, 0, 3), (14, 0, 3), (15, 0, 4), (16, 0, 2),
            (18, 0, 3), (19, 0, 4), (20, 0, 3), (42, 0, 1)]
    emit("ApiVersionsResponse", v, ApiVersionResponse[v](35, keys, *since(v, 1, 7)))

for v in range(0, 6):
    emit("MetadataRequest", v,
         MetadataRequest[v](["orders", "payments"], *since(v, 4, False)))
    p = (5, 4, 1, [1, 2], [1], *since(v, 5, [2]))
    brokers = [(1, "broker-1", 9092, *since(v, 1, "rack-a")),
               (2, "broker-2", 9093, *since(v, 1, None))]
    topics = [(0, "orders", *since(v, 1, True), [p, p]),
              (3, "missing", *since(v, 1, False), [])]
    emit("MetadataResponse", v,
         MetadataResponse[v](*since(v, 3, 3), brokers, *since(v, 2, "cluster-xyz"),
                             *since(v, 1, 2), topics))

for v in range(3, 8):
    emit("ProduceRequest", v,
         ProduceRequest[v]("txn-1", -1, 30000,
                           [("orders", [(0, records(1)), (3, None)]), ("empty", [])]))
    parts = [(0, 0, 100, *since(v, 2, 1700000000000), *since(v, 5, 5)),
             (3, 6, -1, *since(v, 2, -1), *since(v, 5, 0))]
    emit("ProduceResponse", v, ProduceResponse[v]([("orders", parts)], 11))

for v in range(4, 12):
    parts = [(0, *since(v, 9, 5), 42, *since(v, 5, 7), 1048576),
             (1, *since(v, 9, 5), 0, *since(v, 5, 0), 65536)]
    emit("FetchRequest", v,
         FetchRequest[v](-1, 500, 1, 52428800, 1, *since(v, 7, 0), *since(v, 7, -1),
                         [("orders", parts)], *since(v, 7, []),
                         *since(v, 11, "rack-a")))
    a = (0, 0, 100, 90, *since(v, 5, 10), [(7, 91), (8, 95)], *since(v, 11, 2), records(9))
    b = (1, 1, 5, 5, *since(v, 5, 0), None, *since(v, 11, -1), None)
    emit("FetchResponse", v,
         FetchResponse[v](2, *since(v, 7, 70), *since(v, 7, 0), [("orders", [a, b])]))

for v in range(1, 4):
    emit("ListOffsetsRequest", v,
         OffsetRequest[v](-1, *since(v, 2, 1), [("orders", [(0, -1), (1, 1700000000000)])]))
    emit("ListOffsetsResponse", v,
         OffsetResponse[v](*since(v, 2, 4),
                           [("orders", [(0, 0, 1700000000000, 77), (1, 3, -1, -1)])]))

for v in range(0, 4):
    topics = [("orders", 3, 2, [], [("cleanup.policy", "compact"), ("retention.ms", None)]),
              ("manual", -1, -1, [(0, [1, 2]), (1, [2, 1])], [])]
    emit("CreateTopicsRequest", v,
         CreateTopicsRequest[v](topics, 15000, *since(v, 1, True)))
    results = [("orders", 0, *since(v, 1, None)),
               ("manual", 36, *since(v, 1, "Topic 'manual' already exists."))]
    emit("CreateTopicsResponse", v, CreateTopicsResponse[v](*since(v, 2, 9), results))
    emit("DeleteTopicsRequest", v, DeleteTopicsRequest[v](["orders", "payments"], 15000))
    emit("DeleteTopicsResponse", v,
         DeleteTopicsResponse[v](*since(v, 1, 6), [("orders", 0), ("payments", 3)]))
