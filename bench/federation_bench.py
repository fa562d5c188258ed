#!/usr/bin/env python3
"""federation_bench.py -- one federation reconcile at fleet scale (issue 8 "Tests and proof"): 200 partitions x
10 databases x 100 tables (200,000 partition-table pairs; 1,000 functions, 100 per database, each over all 200
partitions) against the Kusto test server on 127.0.0.1, then the same reconcile with nothing changed, which must
send no function or group command at all.

    python3 bench/federation_bench.py [--partitions 200] [--databases 10] [--tables 100] [--bin build/src/entityd]

The heartbeat rows are written straight into the hub test server's heartbeat table (/_test/setup), so no
partition cluster runs; entityd only talks to the hub. Prints, per reconcile: wall time (the reconcileFederation
mutation, which waits for the run), entityd CPU time (user + system, from /proc), the commands entityd sent and
their bytes (the `csl` texts, from the test server's command log), the groups and functions changed, and
entityd's peak RSS (VmHWM). Exits 1 if the unchanged reconcile sent any group or function command, or if the
first one did not create every group and function. Loopback only; every wait is bounded.
"""
import argparse
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "kusto"))
import harness  # noqa: E402
from harness import Server  # noqa: E402
from kusto_fixture import KustoServer  # noqa: E402

MUTATING = re.compile(r"^\s*\.(create|alter|drop)\s+entity_group|^\s*\.execute\s|^\s*\.(create-or-alter|drop)\s+"
                      r"function")
RECONCILE = """mutation { reconcileFederation { lastReconcileSucceeded zeroHeartbeatProtection
  partitions { endpoint } entityGroups { name } functions { name } errors { scope message } } }"""


def proc_stats(pid):
    """(cpu seconds user+system, peak RSS in KiB) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return cpu, hwm


def reconcile(s, hub):
    mark = hub.commands(0)["next"]
    cpu0, _ = proc_stats(s.proc.pid)
    t0 = time.monotonic()
    status, body = s.gql(RECONCILE)
    wall = time.monotonic() - t0
    cpu1, hwm = proc_stats(s.proc.pid)
    cmds = hub.commands(mark)["commands"]
    st = (body or {}).get("data", {}).get("reconcileFederation") if status == 200 else None
    if st is None:
        sys.exit(f"reconcileFederation failed: {status} {body}")
    return {"wall": wall, "cpu": cpu1 - cpu0, "hwm": hwm, "commands": len(cmds),
            "bytes": sum(len(c["csl"].encode()) for c in cmds),
            "mutating": [c["csl"][:120] for c in cmds if MUTATING.search(c["csl"])],
            "scripts": sum(1 for c in cmds if c["csl"].startswith(".execute")),
            "groups": sum(1 for c in cmds if re.match(r"\.(create|alter) entity_group", c["csl"])),
            "status": st}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--partitions", type=int, default=200)
    ap.add_argument("--databases", type=int, default=10)
    ap.add_argument("--tables", type=int, default=100)
    ap.add_argument("--bin", default=harness.BIN)
    args = ap.parse_args()
    harness.BIN = args.bin
    dbs = [f"Db{d:02d}" for d in range(args.databases)]
    tables = [f"Table{t:03d}" for t in range(args.tables)]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    schema = [{"database": d, "tables": tables, "views": []} for d in dbs]
    rows = [[now, f"https://partition{p:03d}.westeurope.kusto.windows.net", schema, {"index": str(p)}]
            for p in range(args.partitions)]
    with KustoServer() as hub:
        t0 = time.monotonic()
        spec = {d: {} for d in dbs}
        spec["FleetDiscovery"] = {
            "tables": {"Heartbeats": "Timestamp:datetime,ClusterEndpoint:string,Schema:dynamic,"
                                     "PartitionMetadata:dynamic"},
            "rows": {"Heartbeats": rows}}
        hub.setup(spec)
        print(f"hub prepared: {args.partitions} heartbeat rows, {args.databases} databases "
              f"({time.monotonic() - t0:.1f} s)")
        # The reconcile thread must not run on its own; the request may wait up to 10 minutes for it.
        with Server(extra_args=["--reconcile-interval", "86400", "--heartbeat-interval", "86400",
                                "--request-timeout", "605", "--kusto-timeout", "600", "--log-level", "info"]) as s:
            r = s.gql("""mutation U($i: AdxClusterInput!) { upsertAdxCluster(input: $i) { success errors { message } } }""",
                      {"i": {"name": "hub", "endpoint": hub.endpoint, "role": "FEDERATED",
                             "heartbeatDatabase": "FleetDiscovery", "heartbeatTable": "Heartbeats",
                             "macroExpand": {"functionPrefix": "fed_"}}})
            if not (r[1] or {}).get("data", {}).get("upsertAdxCluster", {}).get("success"):
                sys.exit(f"upsert failed: {r}")
            first = reconcile(s, hub)
            second = reconcile(s, hub)
    want_fns = args.databases * args.tables
    pairs = args.partitions * args.databases * args.tables
    print(f"\n{args.partitions} partitions x {args.databases} databases x {args.tables} tables = {pairs:,} "
          f"partition-table pairs; {want_fns:,} functions, {args.databases} entity groups\n")
    print("| reconcile | wall s | entityd CPU s | commands | scripts | bytes sent | groups sent | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, x in (("changed (first)", first), ("unchanged", second)):
        print(f"| {name} | {x['wall']:.2f} | {x['cpu']:.2f} | {x['commands']} | {x['scripts']} | "
              f"{x['bytes']:,} | {x['groups']} | {x['hwm'] / 1024:.1f} |")
    st1 = first["status"]
    ok = True
    if len(st1["functions"]) != want_fns or len(st1["entityGroups"]) != args.databases:
        print(f"\nFAIL: the first reconcile left {len(st1['functions'])} functions and {len(st1['entityGroups'])} "
              f"groups in place (want {want_fns} and {args.databases}); errors: {st1['errors'][:3]}")
        ok = False
    if second["mutating"]:
        print(f"\nFAIL: the unchanged reconcile sent {len(second['mutating'])} group/function commands, e.g. "
              f"{second['mutating'][:3]}")
        ok = False
    else:
        print("\nunchanged reconcile: no group or function command sent")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
