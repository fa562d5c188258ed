"""test_federation.py -- end to end, ADX federation (seeds 000 and 001, issue 8 "Tests and proof") on a real
entityd and three Kusto test servers on 127.0.0.1 (tests/kusto/kusto_server.py): two partition clusters
heartbeat into one hub; the hub's entity groups and functions are checked by reading the test server's state
(not entityd's log); a partition leaves when its heartbeats age out (both clocks moved: /_test/clock and
ENTITYD_TEST_NOW_FILE); zero heartbeats change nothing; one failing database leaves the others correct; a
malicious table name in a heartbeat never reaches a command; 429 then success; an expiring managed-identity
token is refreshed; configured databases are checked (missing one reported, retention set); --adx-config good
and bad files; the GraphQL configuration with per-field errors, authorization and write-only secrets.

Reconciles are triggered with reconcileFederation (the reconcile interval is an hour); heartbeats run every
second. Every wait is bounded.
"""
import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import SRCDIR, Server, tap  # noqa: E402

sys.path.insert(0, os.path.join(SRCDIR, "tests", "kusto"))
from kusto_fixture import KustoServer  # noqa: E402

T0 = 1893456000  # 2030-01-01T00:00:00Z
HOUR = 3600

UPSERT = """mutation U($i: AdxClusterInput!) { upsertAdxCluster(input: $i) {
  success errors { field message }
  cluster { name endpoint role authKind source heartbeatTTL functionPrefix bestEffort folder
            lastHeartbeatSentAt lastError
            federatedClusters { endpoint heartbeatDatabase heartbeatTable lastHeartbeatSentAt lastError } } } }"""
DELETE = "mutation D($n: String!) { deleteAdxCluster(name: $n) { success errors { field message } } }"
STATUS_FIELDS = """lastReconcileAt lastReconcileSucceeded zeroHeartbeatProtection
  partitions { endpoint lastHeartbeat live databases { name tables views } partitionMetadata }
  entityGroups { name database members updatedAt }
  functions { name database table endpoints updatedAt }
  errors { at scope message }"""
RECONCILE = "mutation { reconcileFederation { %s } }" % STATUS_FIELDS
FEDERATION = "{ adx { federation { %s } } }" % STATUS_FIELDS
CLUSTERS = """{ adx { clusters { name endpoint role source authKind lastError lastHeartbeatSentAt
  databases { databaseName telemetryType retentionInDays exists actualRetentionInDays lastError }
  federatedClusters { endpoint lastError lastHeartbeatSentAt } } } }"""

MUTATING = re.compile(r"^\s*\.(create|alter|drop|create-or-alter)\s+(entity_group|function)|^\s*\.execute\s|"
                      r"^\s*\.(create-or-alter|drop)\s+function")


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def ref(k, db):
    return f"cluster('{k.endpoint}').database('{db}')"


def body(endpoints, db, table, fuzzy=True):
    refs = ", ".join(f"cluster('{e}').database('{db}')" for e in sorted(endpoints))
    quoted = table if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table) else "['%s']" % table
    return "{ macro-expand %sentity_group [%s] as X ( X.%s ) }" % ("isfuzzy=true " if fuzzy else "", refs, quoted)


def kusto_mgmt(k, db, csl):
    """A command sent straight to a test server (to prepare state a partition could never produce)."""
    req = urllib.request.Request(k.endpoint + "/v1/rest/mgmt", method="POST",
                                 data=json.dumps({"db": db, "csl": csl}).encode(),
                                 headers={"Content-Type": "application/json", "Accept": "application/json",
                                          "x-ms-client-request-id": "test;" + str(uuid.uuid4())})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def csv_row(*fields):
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def data(r, *path):
    status, b = r
    d = (b or {}).get("data")
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def codes(r):
    return [((e.get("extensions") or {}).get("code")) for e in (r[1] or {}).get("errors") or []]


def wait_until(fn, timeout=20.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


class Clock:
    """Moves entityd's clock (ENTITYD_TEST_NOW_FILE) and the hub's (/_test/clock) together."""

    def __init__(self, path, hub):
        self.path, self.hub, self.now = path, hub, T0

    def set(self, t):
        self.now = t
        with open(self.path + ".tmp", "w") as f:
            f.write(iso(t))
        os.replace(self.path + ".tmp", self.path)
        self.hub.set_clock(iso(t))


def heartbeat_rows(hub):
    t = hub.state()["databases"].get("FleetDiscovery", {}).get("tables", {}).get("Heartbeats")
    return (t or {}).get("rows") or []


def hub_objects(hub):
    """{db: (entity groups, {function: (folder, body)})} from the hub test server's own state."""
    out = {}
    for db, d in hub.state()["databases"].items():
        out[db] = ({g: sorted(m) for g, m in d.get("entity_groups", {}).items()},
                   {n: (f.get("folder"), f.get("body")) for n, f in d.get("functions", {}).items()})
    return out


def mutating_commands(hub, since):
    return [c["csl"][:160] for c in hub.commands(since)["commands"] if MUTATING.search(c["csl"])]


def command_count(hub):
    return hub.commands(0)["next"]


def by_name(items):
    return {i["name"]: i for i in items or []}


def new_errors(status, before):
    return status["errors"][:max(0, len(status["errors"]) - before)] if status else []


def main():
    tmp = tempfile.mkdtemp(prefix="fed-e2e-")
    now_file = os.path.join(tmp, "now")
    with KustoServer() as p1, KustoServer() as p2, KustoServer() as hub:
        clock = Clock(now_file, hub)
        clock.set(T0)
        p1.setup({"Metrics": {"tables": {"Cpu": "Timestamp:datetime,Value:real", "Mem": "Timestamp:datetime,Value:real"},
                              "views": {"CpuView": "Value:real"}},
                  "Logs": {"tables": {"App": "Message:string"}}})
        p2.setup({"Metrics": {"tables": {"Cpu": "Timestamp:datetime,Value:real", "Disk": "Free:long"}},
                  "Logs": {"tables": {"App": "Message:string", "Audit": "Who:string"}}})
        hub.setup({"FleetDiscovery": {}, "Metrics": {"retentionDays": 10, "entity_groups": {
                       "Other_Partitions": ["cluster('https://x.kusto.windows.net').database('Metrics')"]}},
                   "Logs": {}})
        # Somebody else's functions on the hub: one in another folder with a name we would generate.
        kusto_mgmt(hub, "Logs", '.create-or-alter function with (folder="mine") fed_Audit() { print 1 }')
        kusto_mgmt(hub, "Metrics", '.create-or-alter function with (folder="mine") UserFn() { print 2 }')
        imds = hub.endpoint + "/metadata/identity/oauth2/token"
        args = ["--heartbeat-interval", "1", "--reconcile-interval", "3600", "--kusto-max-attempts", "3",
                "--imds-url", imds, "--aad-url", hub.endpoint]
        with Server(extra_args=args, env={"ENTITYD_TEST_NOW_FILE": now_file}) as s:
            run(s, p1, p2, hub, clock)
    config_files(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    tap.done()


def run(s, p1, p2, hub, clock):
    # ---- configuration over GraphQL: per-field errors, authorization, secrets ----
    r = s.gql(UPSERT, {"i": {"name": "bad name", "endpoint": "ftp://x", "role": "FEDERATED", "heartbeatTable": "a b",
                             "heartbeatTTL": "0s", "macroExpand": {"functionPrefix": "x-"}}})
    p = data(r, "upsertAdxCluster") or {}
    fields = sorted(e["field"] for e in p.get("errors") or [])
    tap.eq(fields, ["input.endpoint", "input.heartbeatDatabase", "input.heartbeatTTL", "input.heartbeatTable",
                    "input.macroExpand.functionPrefix", "input.name"], "upsertAdxCluster reports every bad field")
    tap.ok(p.get("success") is False and p.get("cluster") is None, "a refused upsert stores nothing", detail=r)
    r = s.gql(UPSERT, {"i": {"name": "t", "endpoint": "http://kusto.example.com", "auth": {"kind": "TOKEN",
                                                                                           "token": "x"}}})
    tap.eq([e["field"] for e in data(r, "upsertAdxCluster", "errors") or []], ["input.endpoint"],
           "a token over plain http to a non-loopback host is refused")
    r = s.gql(UPSERT, {"i": {"name": "x", "endpoint": "https://x.y"}}, key=None)
    tap.ok("UNAUTHENTICATED" in codes(r), "no API key: UNAUTHENTICATED", detail=r)
    r = s.gql("""mutation { createApiKey(accountId: 1, level: SYNTHETIC, name: "low") { key } }""")
    low = data(r, "createApiKey", "key")
    r = s.gql(UPSERT, {"i": {"name": "x", "endpoint": "https://x.y"}}, key=low)
    tap.ok("FORBIDDEN" in codes(r), "a non-ADMIN key may not change ADX clusters", detail=r)
    r = s.gql("{ adx { clusters { name } } }", key=low)
    tap.ok(data(r, "adx", "clusters") == [], "any valid key may read adx", detail=r)
    r = s.gql(RECONCILE, key=low)
    tap.ok("FORBIDDEN" in codes(r), "a non-ADMIN key may not trigger a reconcile", detail=r)

    hub_input = {"name": "hub", "endpoint": hub.endpoint.upper().replace("HTTP://", "http://") + "/",
                 "role": "FEDERATED", "heartbeatDatabase": "FleetDiscovery", "heartbeatTable": "Heartbeats",
                 "heartbeatTTL": "1h", "macroExpand": {"functionPrefix": "fed_"},
                 "databases": [{"databaseName": "Metrics", "telemetryType": "Metrics", "retentionInDays": 30},
                               {"databaseName": "Traces", "telemetryType": "Traces"}]}
    r = s.gql(UPSERT, {"i": hub_input})
    c = data(r, "upsertAdxCluster", "cluster") or {}
    tap.ok(data(r, "upsertAdxCluster", "success") and c.get("endpoint") == hub.endpoint and
           c.get("heartbeatTTL") == "1h" and c.get("folder") == "federation_facades" and c.get("bestEffort") is True
           and c.get("functionPrefix") == "fed_" and c.get("source") == "api" and c.get("role") == "FEDERATED",
           "hub stored: endpoint normalized, defaults applied", detail=r)

    # ---- zero heartbeats before any partition: the table is made, nothing else ----
    mark = command_count(hub)
    r = s.gql(RECONCILE)
    st = data(r, "reconcileFederation")
    tap.ok(st and st["zeroHeartbeatProtection"] is True and st["lastReconcileAt"] == iso(T0) and
           st["entityGroups"] == [] and st["functions"] == [], "first reconcile: zero-heartbeat protection", detail=r)
    tap.ok("Heartbeats" in hub.state()["databases"]["FleetDiscovery"]["tables"],
           "the hub's heartbeat table is created (.create-merge table)")
    tap.eq(mutating_commands(hub, mark), [], "no group or function command without heartbeats")

    # Configured databases: Metrics' retention set from 10 to 30 days, Traces missing and reported.
    r = s.gql(CLUSTERS)
    dbs = {d["databaseName"]: d for d in (by_name(data(r, "adx", "clusters")).get("hub") or {}).get("databases", [])}
    tap.ok(dbs.get("Metrics", {}).get("exists") is True and dbs["Metrics"].get("actualRetentionInDays") == 30 and
           hub.state()["databases"]["Metrics"].get("retentionDays") == 30,
           "database check: retention altered to retentionInDays", detail=dbs)
    tap.ok(dbs.get("Traces", {}).get("exists") is False and "does not exist" in (dbs["Traces"].get("lastError") or ""),
           "database check: a missing database is reported", detail=dbs)
    tap.ok(any(e["scope"] == "cluster hub database Traces" for e in st["errors"]),
           "the missing database is in the federation errors", detail=st["errors"])

    # ---- two partitions heartbeat into the hub ----
    for name, k, geo in (("p1", p1, "EU"), ("p2", p2, "US")):
        r = s.gql(UPSERT, {"i": {"name": name, "endpoint": k.endpoint, "partitioning": {"geo": geo},
                                 "federatedClusters": [{"endpoint": hub.endpoint, "heartbeatDatabase": "FleetDiscovery",
                                                        "heartbeatTable": "Heartbeats"}]}})
        tap.ok(data(r, "upsertAdxCluster", "success"), f"partition {name} stored", detail=r)
    got = wait_until(lambda: {row[1] for row in heartbeat_rows(hub)} >= {p1.endpoint, p2.endpoint})
    tap.ok(got, "both partitions' heartbeats reach the hub's table")
    row = next((r_ for r_ in heartbeat_rows(hub) if r_[1] == p1.endpoint), None)
    schema = row[2] if row and not isinstance(row[2], str) else json.loads(row[2]) if row else None
    tap.ok(row and str(row[0]).startswith("2030-01-01T00:00:00") and
           schema == [{"database": "Logs", "tables": ["App"], "views": []},
                      {"database": "Metrics", "tables": ["Cpu", "Mem"], "views": ["CpuView"]}] and
           (row[3] if not isinstance(row[3], str) else json.loads(row[3])) == {"geo": "EU"},
           "heartbeat row: Timestamp, endpoint, Schema with tables and views, PartitionMetadata", detail=row)
    r = s.gql(CLUSTERS)
    cl = by_name(data(r, "adx", "clusters"))
    tap.ok(cl.get("p1", {}).get("lastHeartbeatSentAt") == iso(T0) and cl["p1"].get("lastError") is None and
           cl["p1"]["federatedClusters"][0]["lastHeartbeatSentAt"] == iso(T0),
           "lastHeartbeatSentAt recorded, no lastError", detail=cl.get("p1"))

    mark = command_count(hub)
    r = s.gql(RECONCILE)
    st = data(r, "reconcileFederation")
    tap.ok(st and st["zeroHeartbeatProtection"] is False and st["lastReconcileSucceeded"] is True, "reconcile ran",
           detail=r)
    parts = {p["endpoint"]: p for p in (st or {}).get("partitions", [])}
    tap.ok(set(parts) == {p1.endpoint, p2.endpoint} and all(p["live"] for p in parts.values()) and
           parts[p1.endpoint]["partitionMetadata"] == {"geo": "EU"} and
           parts[p1.endpoint]["databases"][1] == {"name": "Metrics", "tables": ["Cpu", "Mem"], "views": ["CpuView"]},
           "status: two live partitions with their databases", detail=parts)
    objs = hub_objects(hub)
    tap.eq(objs["Metrics"][0], {"Metrics_Partitions": sorted([ref(p1, "Metrics"), ref(p2, "Metrics")]),
                                "Other_Partitions": ["cluster('https://x.kusto.windows.net').database('Metrics')"]},
           "hub Metrics: Metrics_Partitions holds both partitions; another group untouched")
    tap.eq(objs["Logs"][0], {"Logs_Partitions": sorted([ref(p1, "Logs"), ref(p2, "Logs")])},
           "hub Logs: Logs_Partitions holds both partitions")
    tap.eq(objs["FleetDiscovery"], ({}, {}), "nothing created in the heartbeat database")
    ff = "federation_facades"
    want_metrics = {"fed_Cpu": (ff, body([p1.endpoint, p2.endpoint], "Metrics", "Cpu")),
                    "fed_Mem": (ff, body([p1.endpoint], "Metrics", "Mem")),
                    "fed_CpuView": (ff, body([p1.endpoint], "Metrics", "CpuView")),
                    "fed_Disk": (ff, body([p2.endpoint], "Metrics", "Disk")),
                    "UserFn": ("mine", "{ print 2 }")}
    tap.eq(objs["Metrics"][1], want_metrics, "hub Metrics functions: one per table and view, only its endpoints")
    tap.eq(objs["Logs"][1], {"fed_App": (ff, body([p1.endpoint, p2.endpoint], "Logs", "App")),
                             "fed_Audit": ("mine", "{ print 1 }")},
           "hub Logs functions; a same-named function outside our folder is not replaced")
    tap.ok(any("fed_Audit exists outside folder" in e["message"] for e in st["errors"]),
           "the name clash is reported", detail=st["errors"])
    cmds = hub.commands(mark)["commands"]
    scripts = [c for c in cmds if c["csl"].startswith(".execute database script with (ContinueOnErrors=true)")]
    tap.ok(len(scripts) == 2 and {c["db"] for c in scripts} == {"Metrics", "Logs"},
           "functions sent as one .execute database script per database", detail=[c["csl"][:80] for c in cmds])
    tap.eq(sum(1 for c in cmds if c["csl"] == ".show entity_groups"), 3,
           ".show entity_groups once per hub database per reconcile")
    fns = by_name(st["functions"])
    tap.ok(sorted(fns) == ["fed_App", "fed_Cpu", "fed_CpuView", "fed_Disk", "fed_Mem"] and
           fns["fed_Cpu"]["endpoints"] == sorted([p1.endpoint, p2.endpoint]) and fns["fed_Disk"]["table"] == "Disk",
           "status lists the functions with their endpoints", detail=st["functions"])
    groups = by_name(st["entityGroups"])
    tap.ok(sorted(groups) == ["Logs_Partitions", "Metrics_Partitions"] and
           groups["Metrics_Partitions"]["members"] == sorted([ref(p1, "Metrics"), ref(p2, "Metrics")]),
           "status lists the entity groups with their members", detail=st["entityGroups"])

    # ---- nothing changed: no group or function command at all ----
    mark = command_count(hub)
    st2 = data(s.gql(RECONCILE), "reconcileFederation")
    tap.eq(mutating_commands(hub, mark), [], "an unchanged reconcile sends no group or function command")
    tap.ok(st2 and hub_objects(hub) == objs and by_name(st2["entityGroups"])["Metrics_Partitions"]["updatedAt"] ==
           groups["Metrics_Partitions"]["updatedAt"], "and changes nothing")

    # ---- p2 leaves: its heartbeats age out ----
    tap.ok(data(s.gql(DELETE, {"n": "p2"}), "deleteAdxCluster", "success"), "deleteAdxCluster p2")
    # Let any heartbeat run that still had p2 in hand finish: two new p1 rows after the delete.
    n1 = sum(1 for r_ in heartbeat_rows(hub) if r_[1] == p1.endpoint)
    wait_until(lambda: sum(1 for r_ in heartbeat_rows(hub) if r_[1] == p1.endpoint) >= n1 + 2)
    clock.set(T0 + 2 * HOUR)
    fresh = wait_until(lambda: any(r_[1] == p1.endpoint and str(r_[0]).startswith("2030-01-01T02:00:00")
                                   for r_ in heartbeat_rows(hub)))
    tap.ok(fresh, "p1 heartbeats at the new time")
    st = data(s.gql(RECONCILE), "reconcileFederation")
    parts = {p["endpoint"]: p for p in (st or {}).get("partitions", [])}
    tap.ok(parts.get(p1.endpoint, {}).get("live") is True and parts.get(p2.endpoint, {}).get("live") is False,
           "status: p2 no longer live (kept, live: false)", detail=parts)
    objs = hub_objects(hub)
    tap.eq(objs["Metrics"][0]["Metrics_Partitions"], [ref(p1, "Metrics")], "Metrics_Partitions altered to p1 only")
    tap.eq(objs["Logs"][0]["Logs_Partitions"], [ref(p1, "Logs")], "Logs_Partitions altered to p1 only")
    tap.ok("fed_Disk" not in objs["Metrics"][1] and objs["Metrics"][1]["fed_Cpu"] == (ff, body([p1.endpoint],
                                                                                                "Metrics", "Cpu")),
           "fed_Disk (only p2 had it) dropped; fed_Cpu narrowed to p1", detail=objs["Metrics"][1])
    tap.ok(objs["Metrics"][1].get("UserFn") == ("mine", "{ print 2 }") and
           objs["Logs"][1].get("fed_Audit") == ("mine", "{ print 1 }"),
           "functions outside our folder are never dropped")
    status, _, raw = s.request("GET", "/metrics")
    metrics = raw.decode()
    tap.ok(re.search(r'entityd_federation_missed_heartbeats_total\{cluster="hub"\} 1(\.0)?\b', metrics),
           "/metrics counts the missed heartbeat", detail="\n".join(l for l in metrics.splitlines() if "federation" in l))

    # ---- zero heartbeats: everything ages out, nothing is changed or dropped ----
    tap.ok(data(s.gql(DELETE, {"n": "p1"}), "deleteAdxCluster", "success"), "deleteAdxCluster p1")
    time.sleep(1.5)  # a heartbeat run that still had p1 finishes before the clock moves
    clock.set(T0 + 4 * HOUR)
    before = hub_objects(hub)
    mark = command_count(hub)
    st = data(s.gql(RECONCILE), "reconcileFederation")
    tap.ok(st and st["zeroHeartbeatProtection"] is True and st["lastReconcileAt"] == iso(T0 + 4 * HOUR),
           "no live heartbeat: zeroHeartbeatProtection", detail=st)
    tap.eq(hub_objects(hub), before, "zero heartbeats: the hub's groups and functions are unchanged")
    tap.eq(mutating_commands(hub, mark), [], "zero heartbeats: no group or function command")
    tap.ok(len(st["entityGroups"]) == 2 and len(st["functions"]) == 4 and
           all(not p["live"] for p in st["partitions"]), "the status keeps what is in place; no partition live",
           detail=st)
    # A live heartbeat that lists no database would drop everything just the same: protected too.
    kusto_mgmt(hub, "FleetDiscovery", ".ingest inline into table Heartbeats <| " +
               csv_row(iso(clock.now), "http://empty.example.com", "[]", "{}"))
    mark = command_count(hub)
    st = data(s.gql(RECONCILE), "reconcileFederation")
    tap.ok(st and st["zeroHeartbeatProtection"] is True and
           [p["endpoint"] for p in st["partitions"] if p["live"]] == ["http://empty.example.com"],
           "live heartbeats without any database: zeroHeartbeatProtection", detail=st)
    tap.eq((hub_objects(hub), mutating_commands(hub, mark)), (before, []), "and nothing changed or dropped")

    # ---- both back; one database fails, the others stay correct ----
    p2.setup({"Traces": {"tables": {"Spans": "Id:string"}}})  # a database the hub does not have
    for name, k in (("p1", p1), ("p2", p2)):
        s.gql(UPSERT, {"i": {"name": name, "endpoint": k.endpoint, "federatedClusters": [
            {"endpoint": hub.endpoint, "heartbeatDatabase": "FleetDiscovery", "heartbeatTable": "Heartbeats"}]}})
    tap.ok(wait_until(lambda: {r_[1] for r_ in heartbeat_rows(hub) if str(r_[0]).startswith("2030-01-01T04:")} >=
                      {p1.endpoint, p2.endpoint}), "both partitions heartbeat again")
    hub.faults([{"path": "/v1/rest/mgmt", "db": "Logs", "match": r"^\.execute database script", "status": 400,
                 "count": 1}])
    nerr = len(data(s.gql(FEDERATION), "adx", "federation", "errors") or [])
    st = data(s.gql(RECONCILE), "reconcileFederation")
    errs = new_errors(st, nerr)
    tap.ok(any(e["scope"] == "database Logs" and "script" in e["message"] for e in errs) and
           any(e["scope"] == "database Traces" and "does not exist" in e["message"] for e in errs),
           "the failing Logs script and the missing Traces database are recorded", detail=errs)
    objs = hub_objects(hub)
    tap.eq(objs["Metrics"][0]["Metrics_Partitions"], sorted([ref(p1, "Metrics"), ref(p2, "Metrics")]),
           "Metrics group correct despite the other failures")
    tap.ok(objs["Metrics"][1].get("fed_Disk") == (ff, body([p2.endpoint], "Metrics", "Disk")) and
           objs["Metrics"][1].get("fed_Cpu") == (ff, body([p1.endpoint, p2.endpoint], "Metrics", "Cpu")),
           "Metrics functions correct despite the other failures", detail=objs["Metrics"][1])
    tap.eq(objs["Logs"][0]["Logs_Partitions"], sorted([ref(p1, "Logs"), ref(p2, "Logs")]),
           "Logs group still updated (group commands are separate from the failed script)")
    tap.ok("fed_App" not in [f["name"] for f in st["functions"]] and
           "fed_Cpu" in [f["name"] for f in st["functions"]], "status: fed_App (failed) is not listed, fed_Cpu is",
           detail=st["functions"])
    st = data(s.gql(RECONCILE), "reconcileFederation")
    objs = hub_objects(hub)
    tap.eq(objs["Logs"][1].get("fed_App"), (ff, body([p1.endpoint, p2.endpoint], "Logs", "App")),
           "the next reconcile repairs Logs")

    # ---- a malicious heartbeat row: names rejected, never in a command ----
    evil_schema = json.dumps([{"database": "Metrics", "tables": ["Good", "Bad') } | .drop table Heartbeats //"],
                               "views": ["V\"; .drop database Metrics"]},
                              {"database": "Logs') }; .drop function fed_App", "tables": ["T"]}])
    kusto_mgmt(hub, "FleetDiscovery", ".ingest inline into table Heartbeats <| " +
               csv_row(iso(clock.now), "http://evil.example.com", evil_schema, "{}"))
    kusto_mgmt(hub, "FleetDiscovery", ".ingest inline into table Heartbeats <| " +
               csv_row(iso(clock.now), "https://x') | take 1 //", "[]", "{}"))
    mark = command_count(hub)
    nerr = len(data(s.gql(FEDERATION), "adx", "federation", "errors") or [])
    st = data(s.gql(RECONCILE), "reconcileFederation")
    errs = new_errors(st, nerr)
    msgs = " | ".join(e["scope"] + ": " + e["message"] for e in errs)
    tap.ok("Bad') } | .drop table Heartbeats //" in msgs and "is not a valid Kusto name" in msgs,
           "the malicious table name is reported", detail=msgs)
    tap.ok("Logs') }; .drop function fed_App" in msgs and "ClusterEndpoint is not a cluster endpoint" in msgs,
           "the malicious database name and endpoint are reported", detail=msgs)
    sent = [c["csl"] for c in hub.commands(mark)["commands"]]
    tap.ok(not any(".drop table" in c or ".drop database" in c or "Bad'" in c or "x')" in c or "V\"" in c
                   for c in sent), "no command carries the malicious text",
           detail=[c[:200] for c in sent if "drop" in c])
    objs = hub_objects(hub)
    tap.ok("Heartbeats" in hub.state()["databases"]["FleetDiscovery"]["tables"] and
           objs["Logs"][1].get("fed_App") is not None, "the heartbeat table and fed_App still exist")
    tap.eq(objs["Metrics"][1].get("fed_Good"), (ff, body(["http://evil.example.com"], "Metrics", "Good")),
           "the row's valid table still gets its function")

    # ---- throttling: 429 (Retry-After) then success ----
    hub.faults([{"path": "/v1/rest/mgmt", "match": r"^\.show entity_groups$", "status": 429, "retry_after": 1,
                 "count": 1}])
    mark = command_count(hub)
    nerr = len(data(s.gql(FEDERATION), "adx", "federation", "errors") or [])
    st = data(s.gql(RECONCILE), "reconcileFederation")
    shows = [c for c in hub.commands(mark)["commands"] if c["csl"] == ".show entity_groups"]
    tap.ok(len(shows) == 4 and shows[0].get("status") == 429 and all(c.get("status") == 200 for c in shows[1:]) and
           shows[0]["db"] == shows[1]["db"], "a 429 is retried and then succeeds",
           detail=[(c["db"], c.get("status")) for c in shows])
    tap.ok(st["lastReconcileSucceeded"] and not [e for e in new_errors(st, nerr) if "429" in e["message"] or
                                                  "THROTTLED" in e["message"]],
           "the throttled reconcile records no error", detail=new_errors(st, nerr))

    # ---- an expiring managed-identity token is refreshed ----
    hub.auth(require=True, token_ttl_s=2)
    hub_input["auth"] = {"kind": "MANAGED_IDENTITY"}
    hub_input.pop("databases")
    r = s.gql(UPSERT, {"i": hub_input})
    tap.ok(data(r, "upsertAdxCluster", "cluster", "authKind") == "MANAGED_IDENTITY", "hub switched to MANAGED_IDENTITY",
           detail=r)
    for name, k in (("p1", p1), ("p2", p2)):  # heartbeats to the hub go with a managed identity too
        s.gql(UPSERT, {"i": {"name": name, "endpoint": k.endpoint, "federatedClusters": [
            {"endpoint": hub.endpoint, "heartbeatDatabase": "FleetDiscovery", "heartbeatTable": "Heartbeats",
             "managedIdentityClientId": "0000-heartbeat"}]}})
    mark = command_count(hub)
    st = data(s.gql(RECONCILE), "reconcileFederation")
    first = [c for c in hub.commands(mark)["commands"] if c["csl"].startswith(".create-merge table")]
    time.sleep(2.5)
    mark2 = command_count(hub)
    st = data(s.gql(RECONCILE), "reconcileFederation")
    second = [c for c in hub.commands(mark2)["commands"] if c["csl"].startswith(".create-merge table")]
    statuses = {c.get("status") for c in hub.commands(mark)["commands"]
                if c["path"] == "/v1/rest/mgmt" and not c["csl"].startswith(".ingest")}
    tap.ok(first and second and first[0]["authorization"] and second[0]["authorization"] and
           first[0]["authorization"] != second[0]["authorization"] and 401 not in statuses and
           st["lastReconcileSucceeded"], "the token is refreshed before it expires (no 401)",
           detail=(first[:1], second[:1], statuses))
    reqs = hub.state().get("token_requests", [])
    tap.ok(any(t.get("client_id") == "0000-heartbeat" and t.get("status") == 200 for t in reqs),
           "heartbeats fetch a token for their managedIdentityClientId", detail=reqs)
    tap.ok(sum(1 for t in reqs if t.get("endpoint") == "imds" and t.get("client_id") is None and
               t.get("status") == 200) >= 2, "the hub's own token was fetched again (IMDS)", detail=reqs)
    rows_before = len(heartbeat_rows(hub))
    tap.ok(wait_until(lambda: len(heartbeat_rows(hub)) > rows_before + 1), "authenticated heartbeats still arrive")
    hub.auth(require=False)

    # ---- /metrics ----
    _, _, raw = s.request("GET", "/metrics")
    m = raw.decode()
    for name in ('entityd_federation_heartbeats_sent_total{cluster="p1"}',
                 'entityd_federation_reconcile_runs_total{cluster="hub"}',
                 'entityd_federation_entity_groups_changed_total{cluster="hub",action="create"}',
                 'entityd_federation_entity_groups_changed_total{cluster="hub",action="alter"}',
                 'entityd_federation_functions_changed_total{cluster="hub",action="create_or_alter"}',
                 'entityd_federation_functions_changed_total{cluster="hub",action="drop"}',
                 'entityd_federation_reconcile_duration_seconds_count{cluster="hub"}'):
        tap.ok(name in m, f"/metrics has {name}")

    # ---- secrets are never returned ----
    s.gql(UPSERT, {"i": {"name": "secret", "endpoint": "https://127.0.0.1:9",
                         "auth": {"kind": "CLIENT_SECRET", "tenantId": "t", "clientId": "c",
                                  "clientSecret": "s3cr3t-value"}}})
    r = s.gql("""{ adx { cluster(name: "secret") { name authKind } clusters { name authKind } } }""")
    tap.ok(data(r, "adx", "cluster", "authKind") == "CLIENT_SECRET" and "s3cr3t" not in json.dumps(r[1]),
           "the secret is stored but never returned", detail=r)
    r = s.gql("""{ __type(name: "AdxCluster") { fields { name } } }""")
    names = {f["name"] for f in (data(r, "__type", "fields") or [])}
    tap.ok(names and not names & {"token", "clientSecret", "auth"}, "AdxCluster has no secret field", detail=names)
    r = s.gql(UPSERT, {"i": {"name": "secret", "endpoint": "https://127.0.0.1:9",
                             "auth": {"kind": "CLIENT_SECRET", "tenantId": "t", "clientId": "c"}}})
    tap.ok(data(r, "upsertAdxCluster", "success"), "re-upsert without the secret keeps the stored one", detail=r)
    r = s.gql(DELETE, {"n": "nope"})
    tap.eq([e["field"] for e in data(r, "deleteAdxCluster", "errors") or []], ["name"],
           "deleting an unknown cluster is a UserError")

    # ---- shutdown is prompt even while a Kusto call hangs (the client is cancelled first) ----
    mark = command_count(hub)
    hub.faults([{"path": "/v1/rest/mgmt", "match": r"^\.create-merge table", "delay_ms": 20000, "count": 1}])
    threading.Thread(target=lambda: s.gql(RECONCILE), daemon=True).start()
    tap.ok(wait_until(lambda: any(c["csl"].startswith(".create-merge") for c in hub.commands(mark)["commands"])),
           "a reconcile is waiting on a slow Kusto answer")
    t0 = time.monotonic()
    rc = s.stop()
    took = time.monotonic() - t0
    tap.ok(rc == 0 and took < 5, f"SIGTERM stops entityd promptly ({took:.1f} s, exit {rc})", detail=s.read_log()[-2000:])


def doc_examples():
    """The blocks of docs/federation.md marked <!-- example --> (GraphQL) and <!-- example: adx-config --> (JSON)."""
    with open(os.path.join(SRCDIR, "docs", "federation.md")) as f:
        text = f.read()
    blocks = re.findall(r"<!-- example(: adx-config)? -->\n```(\w+)\n(.*?)\n```", text, re.S)
    graphql = [b for tag, lang, b in blocks if not tag and lang == "graphql"]
    config = [b for tag, lang, b in blocks if tag and lang == "json"]
    return graphql, config[0] if config else None


def config_files(tmp):
    """--adx-config with the documentation's example file, the documentation's GraphQL examples run on it, and a
    bad file. Every cluster in the examples uses MANAGED_IDENTITY: the token endpoint (127.0.0.1:9) refuses, so
    no Kusto request ever leaves the machine."""
    graphql, config = doc_examples()
    tap.ok(len(graphql) >= 4 and config, "docs/federation.md has its examples", detail=(len(graphql), config))
    good = os.path.join(tmp, "adx.json")
    with open(good, "w") as f:
        f.write(config or "{}")
    args = ["--adx-config", good, "--heartbeat-interval", "3600", "--reconcile-interval", "3600",
            "--kusto-max-attempts", "1", "--kusto-timeout", "5", "--imds-url", "http://127.0.0.1:9/token",
            "--aad-url", "http://127.0.0.1:9"]
    with Server(extra_args=args, keep_data=True) as s:
        r = s.gql(CLUSTERS)
        cl = by_name(data(r, "adx", "clusters"))
        tap.ok(set(cl) == {"hub", "us-partition"} and all(c["source"] == good for c in cl.values()),
               "--adx-config (the documented example): clusters listed with the file as their source", detail=r)
        r = s.gql("""{ adx { cluster(name: "hub") { heartbeatTTL functionPrefix authKind role folder } } }""")
        tap.eq(data(r, "adx", "cluster"), {"heartbeatTTL": "1h", "functionPrefix": "federated_",
                                           "authKind": "MANAGED_IDENTITY", "role": "FEDERATED",
                                           "folder": "federation_facades"}, "--adx-config: fields as written")
        data_dir = s.data_dir
        tap.ok("changed=2" in s.read_log(), "--adx-config applied at start", detail=s.read_log()[-1500:])
        for i, doc in enumerate(graphql):
            r = s.gql(doc)
            first_line = doc.strip().splitlines()[0]
            payload = next(iter((data(r) or {}).values()), None) if doc.lstrip().startswith("mutation") else None
            tap.ok(r[0] == 200 and not (r[1] or {}).get("errors") and data(r) and
                   (not isinstance(payload, dict) or payload.get("success", True) is not False),
                   f"docs/federation.md example {i + 1} runs ({first_line})", detail=r)
        r = s.gql(CLUSTERS)
        cl = by_name(data(r, "adx", "clusters"))
        tap.ok(set(cl) == {"hub", "us-partition", "eu-partition"} and cl["hub"]["source"] == "api" and
               cl["us-partition"]["source"] == good, "an API upsert takes a file's cluster over (source: api)",
               detail=r)
    # The same file again on the same data: idempotent.
    with open(os.path.join(data_dir, "server.log"), "w"):
        pass
    with Server(extra_args=args, data_dir=data_dir) as s:
        tap.ok("changed=1" in s.read_log(), "--adx-config applied again rewrites only the cluster the API changed",
               detail=s.read_log()[-1500:])
    with open(os.path.join(data_dir, "server.log"), "w"):
        pass
    with Server(extra_args=args, data_dir=data_dir) as s:
        tap.ok("changed=0" in s.read_log(), "and a third start changes nothing", detail=s.read_log()[-1500:])
        r = s.gql("{ adx { clusters { name } } }")
        tap.eq(sorted(c["name"] for c in data(r, "adx", "clusters") or []), ["eu-partition", "hub", "us-partition"],
               "each cluster is there once")
    shutil.rmtree(data_dir, ignore_errors=True)
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        json.dump({"clusters": [{"name": "ok", "endpoint": "https://ok.x"},
                                {"name": "hub", "endpoint": "https://hub.x", "role": "FEDERATED",
                                 "heartbeatDatabase": "FleetDiscovery", "heartbeatTable": "Heart-beats"}]}, f)
    srv = Server(extra_args=["--adx-config", bad])
    try:
        srv.start()
        srv.stop()
        tap.ok(False, "a bad --adx-config file refuses to start")
        msg = ""
    except RuntimeError as e:
        msg = str(e)
        tap.ok("exited with 2" in msg or "exited with 1" in msg, "a bad --adx-config file refuses to start", detail=msg)
    finally:
        shutil.rmtree(srv.data_dir, ignore_errors=True)
    tap.ok('cluster "hub" (clusters[1])' in msg and "clusters[1].heartbeatTable" in msg,
           "the refusal names the cluster and the field", detail=msg)


if __name__ == "__main__":
    main()
