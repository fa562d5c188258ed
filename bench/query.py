#!/usr/bin/env python3
"""query.py -- GetKafkaEntities latency (seed 004 Entity Query API, issue 4 "Tests and proof") on a
store of N Kafka entities (default 1,000,000) that this script generates by writing SQLite directly.

    python3 bench/query.py [--entities N] [--seconds S] [--keep DIR] [--bin path/to/entityd]

Steps: start entityd once on a fresh data directory (migrations, admin key), stop it, insert the
entities and their relationships in one transaction (clusters, brokers, topics and consumer groups
over four providers, AWS MSK with legacy AWSMSK* types, two tenants), start entityd again on
127.0.0.1 and send the seed's GetKafkaEntities document verbatim (page of 50 with metrics and
relationships) for a few filter shapes, each for a bounded time, one request at a time. Prints
p50/p99/mean latency and requests/s per shape, and the store size on disk. Loopback only.
"""
import argparse
import base64
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402
from harness import Server, read_api  # noqa: E402

PROVIDERS = [("ohi", "OHI"), ("aws-msk", "AWS_MSK"), ("azure-eventhubs", "AZURE_EVENTHUBS"),
             ("confluent-cloud", "CONFLUENT_CLOUD")]
GENERIC = {"cluster": "KAFKA_CLUSTER", "broker": "KAFKA_BROKER", "topic": "KAFKA_TOPIC",
           "group": "KAFKA_CONSUMER_GROUP"}
LEGACY = {"cluster": "AWSMSKCLUSTER", "broker": "AWSMSKBROKER", "topic": "AWSMSKTOPIC",
          "group": "KAFKA_CONSUMER_GROUP"}
PER_CLUSTER = {"broker": 6, "topic": 300, "group": 193}  # + the cluster itself = 500 entities


def esc(s):
    return s.replace("\\", "\\\\").replace("|", "\\|")


def guid(account, etype, tenant, provider, cluster, member):
    ident = "|".join(esc(x) for x in (tenant or "", provider, cluster) + ((member,) if member else ()))
    return f"{account}|INFRA|{etype}|{base64.b64encode(ident.encode()).decode()}"


def generate(db_path, n_entities, now):
    """Writes about n_entities entities (whole clusters of 500) and their relationships."""
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    rnd = random.Random(42)
    n_clusters = max(1, n_entities // 500)
    ents, rels = [], []
    total = 0
    db.execute("BEGIN")
    ins_e = ("INSERT INTO entities (guid, account_id, type, provider, name, cluster_name, tenant, external_id, "
             "synthetic, created_at, last_seen, expires_at, metadata, throughput_in, throughput_out, consumer_lag, "
             "metrics_updated_at, alert_severity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    ins_r = ("INSERT OR IGNORE INTO relationships (account_id, source_guid, target_guid, type, source_name, "
             "source_type, target_name, target_type, created_at) VALUES (?,?,?,?,?,?,?,?,?)")
    for c in range(n_clusters):
        prov, prov_enum = PROVIDERS[c % 4]
        types = LEGACY if prov == "aws-msk" else GENERIC
        tenant = "af-10" if c % 2 == 0 else "af-20"
        cname = f"cluster-{c:05d}"
        last = now - (0 if rnd.random() < 0.9 else 3600)
        cg = guid(1, types["cluster"], tenant, prov, cname, None)
        ext = f"arn:aws:kafka:us-east-1:123456789012:cluster/{cname}/x" if prov == "aws-msk" else None
        ents.append((cg, 1, types["cluster"], prov_enum, cname, cname, tenant, ext, 0, now - 86400, last, None,
                     '{"version":"3.7.0"}', None, None, None, None, "NOT_ALERTING"))
        if ext:
            aws = f"1|INFRA|AWS_ACCOUNT|{base64.b64encode(b'123456789012').decode()}"
            rels.append((1, cg, aws, "MANAGED_BY", cname, types["cluster"], "123456789012", "AWS_ACCOUNT", now))
        topics = []
        for kind, count in PER_CLUSTER.items():
            for i in range(count):
                member = str(i) if kind == "broker" else f"{kind}-{i:04d}"
                name = f"broker-{i}" if kind == "broker" else member
                g = guid(1, types[kind], tenant, prov, cname, member)
                lag = rnd.random() * 200000 if kind == "group" else None
                sev = "CRITICAL" if lag and lag >= 100000 else "WARNING" if lag and lag >= 10000 else "NOT_ALERTING"
                ents.append((g, 1, types[kind], prov_enum, name, cname, tenant, None, 0, now - 86400, last, None,
                             None, rnd.random() * 1e6, rnd.random() * 1e6, lag, last, sev))
                if kind == "broker":
                    rels.append((1, cg, g, "CONTAINS", cname, types["cluster"], name, types[kind], now))
                    if prov == "ohi":
                        host = f"kafka-{c}-{i}.internal"
                        hg = f"1|INFRA|HOST|{base64.b64encode(host.encode()).decode()}"
                        rels.append((1, g, hg, "RUNS_ON", name, types[kind], host, "HOST", now))
                elif kind == "topic":
                    topics.append((g, name))
                    rels.append((1, cg, g, "HOSTS", cname, types["cluster"], name, types[kind], now))
                else:
                    tg, tn = topics[i % len(topics)]
                    rels.append((1, g, tg, "CONSUMES", name, types[kind], tn, types["topic"], now))
        if len(ents) >= 50000:
            db.executemany(ins_e, ents)
            db.executemany(ins_r, rels)
            total += len(ents)
            ents, rels = [], []
    db.executemany(ins_e, ents)
    db.executemany(ins_r, rels)
    total += len(ents)
    db.execute("INSERT OR IGNORE INTO tenants (account_id, id, first_seen, last_seen) VALUES "
               "(1, 'af-10', ?, ?), (1, 'af-20', ?, ?)", (now - 86400, now, now - 86400, now))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return total, n_clusters


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=5.0, help="time per query shape (bounded)")
    ap.add_argument("--bin", default=harness.BIN)
    ap.add_argument("--keep", help="keep the generated data directory here")
    args = ap.parse_args()
    harness.BIN = args.bin
    if not os.path.exists(args.bin):
        print(f"entityd binary not found: {args.bin} (build first, or pass --bin)", file=sys.stderr)
        return 2

    data_dir = args.keep or tempfile.mkdtemp(prefix="entityd-bench-query-")
    os.makedirs(data_dir, exist_ok=True)
    try:
        with Server(data_dir=data_dir, keep_data=True):
            pass  # migrations and the admin key
        db_path = os.path.join(data_dir, "entityd.db")
        now = int(time.time())
        t0 = time.time()
        n, n_clusters = generate(db_path, args.entities, now)
        gen_s = time.time() - t0
        size = os.path.getsize(db_path)
        print(f"store: {n} entities in {n_clusters} clusters, generated in {gen_s:.1f}s, "
              f"{size / 1e6:.1f} MB on disk ({size / max(n, 1):.0f} bytes/entity)")

        doc = read_api("GetKafkaEntities.graphql")
        mid = f"cluster-{n_clusters // 2:05d}"
        shapes = [
            ("no filter", None),
            ("type KAFKA_TOPIC (twin AWSMSKTOPIC)", {"type": ["KAFKA_TOPIC"]}),
            ("type KAFKA_BROKER + clusterName", {"type": ["KAFKA_BROKER"], "clusterName": mid}),
            ("clusterName", {"clusterName": mid}),
            ("tenant + alertSeverity CRITICAL", {"tenant": "af-20", "alertSeverity": ["CRITICAL"]}),
            ("nameContains", {"nameContains": "group-0042"}),
            ("provider AZURE_EVENTHUBS", {"provider": ["AZURE_EVENTHUBS"]}),
            ("reporting false", {"reporting": False}),
            ("synthetic true (none in the store)", {"synthetic": True}),
        ]
        with Server(data_dir=data_dir, keep_data=True, extra_args=["--log-level", "warn"]) as s:
            print(f"{'query (page of 50, metrics + relationships)':48} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} "
                  f"{'mean ms':>8} {'req/s':>8}")
            for label, filt in shapes:
                lat = []
                end = time.time() + args.seconds
                nodes = 0
                while time.time() < end:
                    t = time.perf_counter()
                    st, body = s.gql(doc, {"accountId": 1, "filter": filt})
                    lat.append(time.perf_counter() - t)
                    if st != 200 or not body or body.get("errors"):
                        print(f"  {label}: request failed: {st} {json.dumps(body)[:300]}")
                        break
                    nodes = len(body["data"]["actor"]["account"]["kafka"]["entities"]["nodes"])
                if lat:
                    print(f"{label:48} {len(lat):6d} {pct(lat, 50) * 1e3:8.2f} {pct(lat, 99) * 1e3:8.2f} "
                          f"{statistics.mean(lat) * 1e3:8.2f} {len(lat) / sum(lat):8.0f}   ({nodes} nodes)")
        print(f"store size on disk: {os.path.getsize(db_path) / 1e6:.1f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
