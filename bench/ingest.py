#!/usr/bin/env python3
"""ingest.py -- POST /v1/events throughput (issue 4 "Tests and proof"): records/s with batches of
1,000 against a real entityd on 127.0.0.1, with data this script generates.

    python3 bench/ingest.py [--records N] [--seconds S] [--batch B] [--clients C] [--bin path/to/entityd]

Starts entityd on a fresh data directory, grants account 1 every provider, then runs two bounded
phases (each stops at N records or S seconds, whichever comes first):
  create  -- every record is a new entity (brokers, topics, consumer groups over four providers,
             two tenants, with metrics and relationships);
  update  -- the same entities again with new metrics (the steady state of a telemetry feed).
Prints records/s, batch latency p50/p99, the entity and relationship counts and the store size on
disk (database + WAL). Loopback only; every wait is bounded.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402
from harness import Server  # noqa: E402

UPDATE_ACCOUNT = """mutation { updateAccount(id: 1, input: {awsIntegration: true, syntheticPermission: true,
  infrastructureAgents: ["agent-1"]}) { success errors { message } } }"""


def make_record(i, ts, generation):
    """Record i of a deterministic population: 4 providers, 2 tenants, 100 clusters, every type."""
    provider = ("ohi", "aws-msk", "azure-eventhubs", "confluent-cloud")[i % 4]
    tenant = ("af-10", "af-20")[(i // 4) % 2]
    cluster = f"cluster-{(i // 8) % 100:03d}"
    kind = (i // 800) % 3
    value = {"provider": provider, "accountId": 1, "clusterName": cluster}
    lag = float((i * 37 + generation * 1000) % 200000)
    if provider == "ohi":
        value["agentId"] = "agent-1"
    if kind == 0:
        value.update(entityType="KAFKA_BROKER", brokerId=str(i))
        if provider == "ohi":
            value["hostname"] = f"host-{i % 500}.internal"
    elif kind == 1:
        value.update(entityType="KAFKA_TOPIC", topic=f"topic-{i}")
    else:
        value.update(entityType="KAFKA_CONSUMER_GROUP", consumerGroup=f"group-{i}",
                     topics=[f"topic-{i - 800}", f"topic-{i - 801}"])
    metrics = {
        "ohi": {"broker.bytesInPerSec": 1000.0 + generation, "broker.bytesOutPerSec": 2000.0,
                "consumer.totalLag": lag},
        "aws-msk": {"provider.bytesInPerSec.Average": 1000.0 + generation, "provider.sumOffsetLag.Average": lag},
        "azure-eventhubs": {"IncomingBytes": 60000.0 + generation, "ConsumerLag": lag},
        "confluent-cloud": {"io.confluent.kafka.server/received_bytes": 60000.0 + generation,
                            "io.confluent.kafka.server/consumer_lag_offsets": lag},
    }[provider]
    value["metrics"] = metrics
    return {"key": f"{tenant}::{i}", "timestamp": ts, "value": value}


def body_for(start, count, generation):
    ts = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps([make_record(i, ts, generation) for i in range(start, start + count)]).encode()


def run_phase(port, key, label, total, seconds, batch, clients, generation):
    """Posts batches until `total` records or `seconds` elapse. Returns a result dict."""
    lock = threading.Lock()
    state = {"next": 0, "accepted": 0, "rejected": 0, "errors": 0, "lat": [], "bytes": 0}
    deadline = time.monotonic() + seconds
    # Bodies are built before timing so that JSON encoding in Python is not measured.
    bodies = {}
    for start in range(0, total, batch):
        bodies[start] = body_for(start, min(batch, total - start), generation)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                start = state["next"]
                if start >= total or time.monotonic() >= deadline:
                    break
                state["next"] += batch
            body = bodies[start]
            t0 = time.monotonic()
            try:
                conn.request("POST", "/v1/events", body, {"Content-Type": "application/json", "API-Key": key})
                resp = conn.getresponse()
                raw = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, raw = 0, b""
            dt = time.monotonic() - t0
            with lock:
                state["lat"].append(dt)
                state["bytes"] += len(body)
                if status == 202:
                    r = json.loads(raw)
                    state["accepted"] += r["accepted"]
                    state["rejected"] += r["rejected"]
                else:
                    state["errors"] += 1
        conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - t0
    lat = sorted(state["lat"])
    return {
        "phase": label,
        "records": state["accepted"],
        "rejected": state["rejected"],
        "failed_batches": state["errors"],
        "seconds": elapsed,
        "records_per_s": state["accepted"] / elapsed if elapsed > 0 else 0.0,
        "mib_per_s": state["bytes"] / elapsed / (1 << 20) if elapsed > 0 else 0.0,
        "batch_p50_ms": statistics.median(lat) * 1000 if lat else 0.0,
        "batch_p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0.0,
        "batches": len(lat),
    }


def store_size(data_dir):
    """(database bytes, WAL bytes)."""
    sizes = []
    for name in ("entityd.db", "entityd.db-wal"):
        p = os.path.join(data_dir, name)
        sizes.append(os.path.getsize(p) if os.path.exists(p) else 0)
    return tuple(sizes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=200000, help="records per phase (default 200000)")
    ap.add_argument("--seconds", type=float, default=60.0, help="time bound per phase (default 60)")
    ap.add_argument("--batch", type=int, default=1000, help="records per POST (default 1000)")
    ap.add_argument("--clients", type=int, default=2, help="concurrent HTTP clients (default 2)")
    ap.add_argument("--bin", help="entityd binary (default: $ENTITYD_BIN or build/src/entityd)")
    args = ap.parse_args()
    if args.bin:
        harness.BIN = args.bin
    if args.records <= 0 or args.batch <= 0 or args.clients <= 0 or args.seconds <= 0:
        ap.error("--records, --batch, --clients and --seconds must be positive")

    server_args = ["--max-batch-events", str(max(args.batch, 1000)), "--max-body-bytes", str(64 << 20),
                   "--log-level", "warn"]
    with Server(extra_args=server_args) as s:
        st, body = s.gql(UPDATE_ACCOUNT)
        if st != 200 or not (((body or {}).get("data") or {}).get("updateAccount") or {}).get("success"):
            print(f"updateAccount failed: {st} {body}", file=sys.stderr)
            return 1
        results = []
        for gen, label in ((0, "create"), (1, "update")):
            results.append(run_phase(s.port, s.admin_key, label, args.records, args.seconds, args.batch,
                                     args.clients, gen))
        _, _, raw = s.request("GET", "/metrics")
        size = store_size(s.data_dir)
        import sqlite3
        con = sqlite3.connect(os.path.join(s.data_dir, "entityd.db"), timeout=10)
        n_ent = con.execute("SELECT count(*) FROM entities").fetchone()[0]
        n_rel = con.execute("SELECT count(*) FROM relationships").fetchone()[0]
        con.close()

    print(f"# POST /v1/events, batches of {args.batch}, {args.clients} client(s), 127.0.0.1")
    print(f"{'phase':8} {'records':>9} {'seconds':>8} {'records/s':>10} {'MiB/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'rejected':>8} {'failed':>6}")
    for r in results:
        print(f"{r['phase']:8} {r['records']:9d} {r['seconds']:8.2f} {r['records_per_s']:10.0f} {r['mib_per_s']:7.2f} "
              f"{r['batch_p50_ms']:8.1f} {r['batch_p99_ms']:8.1f} {r['rejected']:8d} {r['failed_batches']:6d}")
    if results[0]["records_per_s"] > 0:
        print(f"update/create throughput ratio: {results[1]['records_per_s'] / results[0]['records_per_s']:.2f}")
    print(f"entities: {n_ent}  relationships: {n_rel}")
    db, wal = size
    print(f"store size on disk: {(db + wal) / (1 << 20):.1f} MiB (database {db / (1 << 20):.1f} MiB, "
          f"WAL {wal / (1 << 20):.1f} MiB; {db / max(n_ent, 1):.0f} database bytes per entity)")
    bad = any(r["rejected"] or r["failed_batches"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
