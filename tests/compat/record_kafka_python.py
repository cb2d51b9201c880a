#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-checks Gregor's record batches against kafka-python's.

  write  BATCHES EXPECTED   kafka-python's DefaultRecordBatchBuilder builds
                            batches with every codec (>= 10,000 records
                            each) into BATCHES; the records go to EXPECTED.
  verify BATCHES EXPECTED   kafka-python's DefaultRecordBatch decodes the
                            batches in BATCHES (Gregor wrote them) and checks
                            each batch and record against EXPECTED.

EXPECTED is line-oriented so the C++ side needs no JSON parser:
  B <codec> <baseOffset> <recordsCount> <producerId> <producerEpoch> <baseSequence> <timestampType>
  R <offset> <timestamp> <key> <value> <headerCount> {<headerKey> <headerValue>}
bytes are "x" + hex ("x" alone is empty), "~" is null.

Exit status: 0 all good; 1 a mismatch (the message says where); 2 a codec
missing from this Python (a failure, not a skip: the cross-check would be
incomplete).
"""
import random
import struct
import sys

import kafka.codec as codec
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder

CODECS = [("none", 0), ("gzip", 1), ("snappy", 2), ("lz4", 3), ("zstd", 4)]
MIN_RECORDS_PER_CODEC = 10000


def require_codecs():
    have = {"gzip": codec.has_gzip(), "snappy": codec.has_snappy(),
            "lz4": codec.has_lz4(), "zstd": codec.has_zstd()}
    missing = [name for name, ok in have.items() if not ok]
    if missing:
        print("kafka-python lacks codecs: %s (install python3-snappy, python3-lz4, "
              "python3-zstandard)" % ", ".join(missing))
        sys.exit(2)


def enc(b):
    return "~" if b is None else "x" + bytes(b).hex()


def dec(s):
    if s == "~":
        return None
    assert s.startswith("x"), s
    return bytes.fromhex(s[1:])


def make_record(rng, i, base_ts):
    ts = base_ts + rng.randint(-5000, 5000)
    key = None if rng.random() < 0.1 else ("key-%d-%d" % (i, rng.randint(0, 999))).encode()
    if rng.random() < 0.05:
        value = None
    else:
        value = (b"value %d of the cross-check; " % i) * rng.randint(0, 12)
        value += bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 6)))
    headers = []
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        hkey = rng.choice(["trace-id", "content-type", "\u043a\u043b\u044e\u0447", ""])
        hval = None if rng.random() < 0.2 else ("h%d" % rng.randint(0, 99999)).encode()
        headers.append((hkey, hval))
    return ts, key, value, headers


def write(batches_path, expected_path):
    rng = random.Random(20240601)
    offset = 0
    with open(batches_path, "wb") as out, open(expected_path, "w") as exp:
        for name, codec_id in CODECS:
            count_for_codec = 0
            for b in range(10):
                n = 1000 + 37 * b
                idempotent = b % 2 == 1
                pid, epoch, seq = (4000 + b, 3, count_for_codec) if idempotent else (-1, -1, -1)
                builder = DefaultRecordBatchBuilder(
                    magic=2, compression_type=codec_id, is_transactional=0,
                    producer_id=pid, producer_epoch=epoch, base_sequence=seq,
                    batch_size=1 << 30)
                base_ts = 1700000000000 + offset
                records = []
                for i in range(n):
                    ts, key, value, headers = make_record(rng, offset + i, base_ts)
                    if builder.append(i, timestamp=ts, key=key, value=value,
                                      headers=headers) is None:
                        raise SystemExit("builder refused record %d" % i)
                    records.append((offset + i, ts, key, value, headers))
                buf = builder.build()
                struct.pack_into(">q", buf, 0, offset)  # the broker's stamp, outside the CRC
                attributes = struct.unpack_from(">h", buf, 21)[0]
                if attributes & 0x07 != codec_id:
                    raise SystemExit("kafka-python did not compress with %s" % name)
                out.write(buf)
                exp.write("B %s %d %d %d %d %d 0\n" % (name, offset, n, pid, epoch, seq))
                for off, ts, key, value, headers in records:
                    fields = ["R", str(off), str(ts), enc(key), enc(value), str(len(headers))]
                    for hk, hv in headers:
                        fields += [enc(hk.encode("utf-8")), enc(hv)]
                    exp.write(" ".join(fields) + "\n")
                offset += n
                count_for_codec += n
    print("kafka-python wrote %d records, %d per codec at least" % (offset, MIN_RECORDS_PER_CODEC))


def read_expected(path):
    batches = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            if parts[0] == "B":
                batches.append({"codec": parts[1], "base_offset": int(parts[2]),
                                "count": int(parts[3]), "producer_id": int(parts[4]),
                                "producer_epoch": int(parts[5]),
                                "base_sequence": int(parts[6]),
                                "timestamp_type": int(parts[7]), "records": []})
            elif parts[0] == "R":
                nh = int(parts[5])
                headers = [(dec(parts[6 + 2 * h]).decode("utf-8"), dec(parts[7 + 2 * h]))
                           for h in range(nh)]
                batches[-1]["records"].append(
                    (int(parts[1]), int(parts[2]), dec(parts[3]), dec(parts[4]), headers))
            else:
                raise SystemExit("bad expected line: " + line)
    return batches


def fail(msg):
    print("MISMATCH: " + msg)
    sys.exit(1)


def verify(batches_path, expected_path):
    expected = read_expected(expected_path)
    data = open(batches_path, "rb").read()
    codec_ids = dict(CODECS)
    per_codec = {name: 0 for name, _ in CODECS}
    pos = 0
    for i, want in enumerate(expected):
        if pos + 12 > len(data):
            fail("batch %d missing (file ends at %d)" % (i, len(data)))
        length = struct.unpack_from(">i", data, pos + 8)[0]
        batch = DefaultRecordBatch(data[pos:pos + 12 + length])
        where = "batch %d at byte %d" % (i, pos)
        if batch.magic != 2:
            fail("%s: magic %d" % (where, batch.magic))
        if not batch.validate_crc():
            fail("%s: kafka-python says the CRC is wrong" % where)
        if batch.compression_type != codec_ids[want["codec"]]:
            fail("%s: codec %d, expected %s" % (where, batch.compression_type, want["codec"]))
        if batch.base_offset != want["base_offset"]:
            fail("%s: baseOffset %d, expected %d" % (where, batch.base_offset,
                                                      want["base_offset"]))
        if batch.timestamp_type != want["timestamp_type"]:
            fail("%s: timestamp type %d" % (where, batch.timestamp_type))
        header = DefaultRecordBatch.HEADER_STRUCT.unpack_from(data, pos)
        if (header[9], header[10], header[11]) != (want["producer_id"], want["producer_epoch"],
                                                   want["base_sequence"]):
            fail("%s: producer fields %r" % (where, header[9:12]))
        got = [(r.offset, r.timestamp, r.key, r.value, list(r.headers)) for r in batch]
        if len(got) != want["count"] or len(got) != len(want["records"]):
            fail("%s: %d records, expected %d" % (where, len(got), want["count"]))
        for j, (g, w) in enumerate(zip(got, want["records"])):
            if g != w:
                fail("%s record %d: got %r, expected %r" % (where, j, g, w))
        per_codec[want["codec"]] += len(got)
        pos += 12 + length
    if pos != len(data):
        fail("%d bytes after the last expected batch" % (len(data) - pos))
    short = [n for n, c in per_codec.items() if c < MIN_RECORDS_PER_CODEC]
    if short:
        fail("fewer than %d records for %s" % (MIN_RECORDS_PER_CODEC, short))
    print("kafka-python decoded %d batches: %s" % (
        len(expected), ", ".join("%s=%d" % kv for kv in per_codec.items())))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "verify"):
        print(__doc__)
        sys.exit(64)
    require_codecs()
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    else:
        verify(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
