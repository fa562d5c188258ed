"""graphql_bench.py -- requests/s and p50/p99 latency of three GraphQL requests, against entityd and
against graphql-js (npm graphql + graphql-http on Node, same SDL, in-memory resolvers returning the
same data), in the same run, with the ratio entityd / graphql-js.

    /usr/bin/python3 bench/graphql_bench.py [--seconds 5] [--connections 32] [--entities 200]

Needs wrk (apt-get install wrk) and ./setup.sh run once (web/node_modules has graphql and
graphql-http). Traffic goes to 127.0.0.1 only; each run is bounded by --seconds.
The three requests: a small query, the seed's GetKafkaEntities (a page of 50 with metrics and
relationships), and the introspection query GraphiQL sends.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from harness import SRCDIR, Server, free_port, read_api  # noqa: E402

MODULES = os.path.join(SRCDIR, "web", "node_modules")

SMALL = "{ actor { accounts { id name } } }"


def deep_merge(a, b):
    for k, v in b.items():
        if k in a and isinstance(a[k], dict) and isinstance(v, dict):
            deep_merge(a[k], v)
        else:
            a[k] = v
    return a


def seed(server, n):
    server.gql('mutation { updateAccount(id: 1, input: {infrastructureAgents: ["agent-1"]}) { success } }')
    records = [{"key": "bench::c", "value": {"provider": "ohi", "entityType": "KAFKA_CLUSTER", "accountId": 1,
                                           "clusterName": "payments", "agentId": "agent-1"}}]
    for i in range(n):
        records.append({"key": f"bench::b{i}", "value": {
            "provider": "ohi", "entityType": "KAFKA_BROKER", "accountId": 1, "clusterName": "payments",
            "brokerId": str(i), "hostname": f"kafka-{i}.internal", "agentId": "agent-1",
            "metrics": {"broker.bytesInPerSec": 100.0 + i, "broker.bytesOutPerSec": 50.0 + i}}})
    status, body = server.events(records)
    if status != 202:
        raise SystemExit(f"seeding failed: {status} {body}")


def wrk(port, body_file, key, seconds, connections):
    env = dict(os.environ, WRK_BODY=body_file, WRK_KEY=key or "")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", os.path.join(HERE, "wrk_post.lua"), f"http://127.0.0.1:{port}/graphql"],
                         env=env, capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000.0 if unit == "us" else v * 1000.0 if unit == "s" else v

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "errors": int(non2xx.group(1)) if non2xx else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--entities", type=int, default=200)
    a = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if not os.path.isdir(os.path.join(MODULES, "graphql-http")):
        raise SystemExit("web/node_modules lacks graphql-http: run ./setup.sh first")

    tmp = tempfile.mkdtemp(prefix="entityd-bench-")
    node = None
    try:
        with Server(extra_args=["--log-level", "warn"]) as server:
            seed(server, a.entities)
            intro_q = subprocess.run(
                ["node", "-e", "const g=require(process.argv[1]);process.stdout.write(g.getIntrospectionQuery("
                 "{descriptions:true,specifiedByUrl:true,directiveIsRepeatable:true,schemaDescription:true,"
                 "inputValueDeprecation:true}))", os.path.join(MODULES, "graphql")],
                capture_output=True, text=True, check=True).stdout
            cases = [
                ("small query", {"query": SMALL}),
                ("GetKafkaEntities (50 nodes)", {"query": read_api("GetKafkaEntities.graphql"),
                                                 "variables": {"accountId": 1, "filter": {"clusterName": "payments"}}}),
                ("introspection", {"query": intro_q}),
            ]
            answers = {}
            for name, payload in cases:
                status, body = server.gql(payload["query"], variables=payload.get("variables"))
                if status != 200 or body.get("errors"):
                    raise SystemExit(f"{name}: entityd answered {status} {json.dumps(body)[:500]}")
                if name != "introspection":
                    deep_merge(answers, body["data"])
            with open(os.path.join(tmp, "answers.json"), "w") as f:
                json.dump([answers], f)

            port = free_port()
            node = subprocess.Popen(["node", os.path.join(HERE, "graphql_js_server.mjs"), MODULES,
                                     os.path.join(SRCDIR, "schema"), os.path.join(tmp, "answers.json"), str(port)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/graphql?query=%7B__typename%7D", timeout=1)
                    break
                except Exception:  # noqa: BLE001 - waiting for the baseline to listen
                    time.sleep(0.1)

            print(f"entityd vs graphql-js, {a.seconds}s per run, {a.connections} connections, 2 wrk threads, "
                  f"loopback, {os.cpu_count()} CPUs")
            print(f"{'request':32} {'server':10} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
            for name, payload in cases:
                bf = os.path.join(tmp, "body.json")
                with open(bf, "w") as f:
                    json.dump(payload, f)
                e = wrk(server.port, bf, server.admin_key, a.seconds, a.connections)
                g = wrk(port, bf, None, a.seconds, a.connections)
                for label, r in (("entityd", e), ("graphql-js", g)):
                    err = f"  ({r['errors']} non-2xx!)" if r["errors"] else ""
                    print(f"{name:32} {label:10} {r['rps']:10.0f} {r['p50']:8.2f} {r['p99']:8.2f}{err}")
                print(f"{'':32} {'ratio':10} {e['rps'] / g['rps']:9.2f}x {e['p50'] / g['p50']:7.2f}x "
                      f"{e['p99'] / g['p99']:7.2f}x   (entityd / graphql-js)")
    finally:
        if node:
            node.terminate()
            node.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
