"""test_ingest.py -- end to end, POST /v1/events (shared/api/events.md; seeds 003 and 004, issue 4) on a
real entityd: a mixed batch of every provider, two tenants and every entity type, with GUIDs recomputed
here from the documented identity rule and looked up through GraphQL; every rejection path with its
status and body (per record: index, reason, message; per body: 400, 401, 413); NDJSON; key levels and
account capabilities; the rejection and cleanup metrics; the cleanup thread with short thresholds from
flags; and durability: kill -9 right after a 202, the records are in the database file and served
after a restart.
"""
import base64
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, tap  # noqa: E402

UPDATE_ACCOUNT = """mutation U($id: Int!, $input: AccountInput!) {
  updateAccount(id: $id, input: $input) { success errors { message field } } }"""
CREATE_KEY = """mutation K($accountId: Int!, $level: AuthorizationLevel!, $name: String!) {
  createApiKey(accountId: $accountId, level: $level, name: $name) { key success errors { message } } }"""
ENTITY = """query E($guid: ID!) { actor { entity(guid: $guid) {
  guid accountId name type provider clusterName tenant externalId synthetic reporting alertSeverity metadata
  metrics { throughputIn throughputOut consumerLag }
  relationships { source { guid name type } target { guid name type } type } } } }"""


def esc(s):
    return s.replace("\\", "\\\\").replace("|", "\\|")


def guid(account, etype, tenant, provider, cluster, member=None):
    """docs/entities.md: {accountId}|INFRA|{type}|base64(tenant|provider|cluster[|member]), each part escaped."""
    parts = [esc(tenant or ""), esc(provider), esc(cluster)] + ([esc(member)] if member is not None else [])
    return f"{account}|INFRA|{etype}|" + base64.b64encode("|".join(parts).encode()).decode()


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def rec(key, provider, etype, cluster, ts=None, account=1, **extra):
    value = {"provider": provider, "entityType": etype, "accountId": account, "clusterName": cluster}
    value.update(extra)
    r = {"value": value}
    if ts is not None:
        r["timestamp"] = iso(ts)
    if key is not None:
        r["key"] = key
    return r


def entity(s, g):
    st, body = s.gql(ENTITY, {"guid": g})
    try:
        return body["data"]["actor"]["entity"]
    except (TypeError, KeyError):
        return None


def metric_value(text, name, labels=None):
    want = f"{name}{{{labels}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(want + " "):
            return float(line.split()[-1])
    return None


def metrics_text(s):
    st, _, body = s.request("GET", "/metrics")
    return body.decode("utf-8", "replace") if st == 200 else ""


def mixed_batch(now):
    arn = "arn:aws:kafka:eu-west-1:210987654321:cluster/orders/0a1b"
    return [
        rec("af-10::c", "ohi", "KAFKA_CLUSTER", "payments", now, agentId="agent-42"),
        rec("af-10::b1", "ohi", "KAFKA_BROKER", "payments", now, agentId="agent-42", brokerId="1",
            hostname="kafka-1.internal", metrics={"broker.bytesInPerSec": 1024.5, "broker.bytesOutPerSec": 2048,
                                                  "broker.messagesInPerSec": 12}, metadata={"version": "3.7.0"}),
        rec("af-10::t", "ohi", "KAFKA_TOPIC", "payments", now, agentId="agent-42", topic="orders"),
        rec("af-10::g", "ohi", "KAFKA_CONSUMER_GROUP", "payments", now, agentId="agent-42", consumerGroup="billing",
            topics=["orders"], metrics={"consumer.totalLag": 20000}),
        rec("af-20::m", "aws-msk", "KAFKA_CLUSTER", "orders", now, externalId=arn),
        rec("af-20::mb", "aws-msk", "AWSMSKBROKER", "orders", now, brokerId=2,
            metrics={"provider.bytesInPerSec.Average": 300.0}),
        rec("af-20::mt", "aws-msk", "KAFKA_TOPIC", "orders", now, topic="clicks"),
        rec("af-20::mg", "aws-msk", "KAFKA_CONSUMER_GROUP", "orders", now, consumerGroup="shipping",
            topics=["clicks"], metrics={"provider.sumOffsetLag.Average": 250000}),
        rec(None, "azure-eventhubs", "KAFKA_TOPIC", "eh-ns", now, topic="telemetry",
            metrics={"IncomingBytes": 6000, "OutgoingBytes": 1200}),
        rec(None, "confluent-cloud", "KAFKA_CLUSTER", "lkc-1", now),
        rec("af-10::k", "confluent-cloud", "KAFKA_TOPIC", "lkc-1", now, topic="payments_events",
            metrics={"io.confluent.kafka.server/sent_bytes": 600}),
        rec("af-10::a", "api", "KAFKA_BROKER", "lab", now, brokerId="9", metrics={"throughputIn": 5}),
    ]


def check_mixed(s, now):
    records = mixed_batch(now)
    st, body = s.events(records)
    tap.ok(st == 202 and body == {"accepted": len(records), "rejected": 0, "errors": []},
           "mixed batch: 4 providers + api, 2 tenants, every entity type: 202, all accepted", detail=(st, body))
    st, body = s.events(records)
    tap.ok(st == 202 and body.get("accepted") == len(records), "the same batch again is accepted", detail=body)

    b1 = entity(s, guid(1, "KAFKA_BROKER", "af-10", "ohi", "payments", "1")) or {}
    tap.eq((b1.get("name"), b1.get("type"), b1.get("provider"), b1.get("tenant"), b1.get("clusterName")),
           ("broker-1", "KAFKA_BROKER", "OHI", "af-10", "payments"), "OHI broker stored under the documented GUID")
    tap.eq(b1.get("metrics"), {"throughputIn": 1024.5, "throughputOut": 2048.0, "consumerLag": None},
           "OHI broker metrics mapped to canonical names")
    md = b1.get("metadata") or {}
    if isinstance(md, str):
        md = json.loads(md)
    tap.ok(md.get("unmappedMetrics", {}).get("broker.messagesInPerSec") == 12 and md.get("version") == "3.7.0",
           "unknown metric names and record metadata kept in metadata", detail=md)
    rels = {(r["type"], r["source"]["guid"], r["target"]["guid"]) for r in b1.get("relationships") or []}
    host = f"1|INFRA|HOST|{base64.b64encode(b'kafka-1.internal').decode()}"
    tap.ok(("RUNS_ON", b1.get("guid"), host) in rels and
           ("CONTAINS", guid(1, "KAFKA_CLUSTER", "af-10", "ohi", "payments"), b1.get("guid")) in rels,
           "broker RUNS_ON host and is CONTAINed by its cluster", detail=b1.get("relationships"))

    msk = entity(s, guid(1, "AWSMSKCLUSTER", "af-20", "aws-msk", "orders")) or {}
    tap.eq((msk.get("type"), msk.get("provider")), ("AWSMSKCLUSTER", "AWS_MSK"), "aws-msk cluster is AWSMSKCLUSTER")
    managed = [r for r in msk.get("relationships") or [] if r["type"] == "MANAGED_BY"]
    aws = f"1|INFRA|AWS_ACCOUNT|{base64.b64encode(b'210987654321').decode()}"
    tap.ok(len(managed) == 1 and managed[0]["target"]["guid"] == aws and managed[0]["target"]["name"] == "210987654321",
           "MSK cluster MANAGED_BY the AWS account from its ARN", detail=msk.get("relationships"))
    mg = entity(s, guid(1, "KAFKA_CONSUMER_GROUP", "af-20", "aws-msk", "orders", "shipping")) or {}
    tap.eq((mg.get("type"), mg.get("alertSeverity"), (mg.get("metrics") or {}).get("consumerLag")),
           ("KAFKA_CONSUMER_GROUP", "CRITICAL", 250000.0), "MSK consumer group stays generic; lag over critical")
    tap.ok(any(r["type"] == "CONSUMES" and r["target"]["guid"] == guid(1, "AWSMSKTOPIC", "af-20", "aws-msk", "orders",
                                                                        "clicks")
               for r in mg.get("relationships") or []), "consumer group CONSUMES its topic", detail=mg)
    tap.eq((entity(s, guid(1, "AWSMSKBROKER", "af-20", "aws-msk", "orders", "2")) or {}).get("type"), "AWSMSKBROKER",
           "integer brokerId, AWSMSKBROKER accepted from aws-msk")
    g = entity(s, guid(1, "KAFKA_CONSUMER_GROUP", "af-10", "ohi", "payments", "billing")) or {}
    tap.eq(g.get("alertSeverity"), "WARNING", "lag between warning and critical: WARNING")
    eh = entity(s, guid(1, "KAFKA_TOPIC", None, "azure-eventhubs", "eh-ns", "telemetry")) or {}
    tap.eq(((eh.get("metrics") or {}).get("throughputIn"), (eh.get("metrics") or {}).get("throughputOut"),
            eh.get("tenant")), (100.0, 20.0, None), "Azure per-minute bytes to bytes/s; no key and no default: no tenant")
    k = entity(s, guid(1, "KAFKA_TOPIC", "af-10", "confluent-cloud", "lkc-1", "payments_events")) or {}
    tap.eq((k.get("metrics") or {}).get("throughputOut"), 10.0, "Confluent sent_bytes mapped to throughputOut")
    api = entity(s, guid(1, "KAFKA_BROKER", "af-10", "api", "lab", "9")) or {}
    tap.eq((api.get("provider"), api.get("synthetic")), ("API", True), "api records are synthetic entities")


def rejection_cases():
    good = rec(None, "azure-eventhubs", "KAFKA_CLUSTER", "good-one")
    v = {"provider": "ohi", "entityType": "KAFKA_CLUSTER", "accountId": 1, "clusterName": "c", "agentId": "agent-42"}

    def val(**kw):
        d = dict(v)
        for k2, x in kw.items():
            if x is None:
                d.pop(k2, None)
            else:
                d[k2] = x
        return {"value": d}
    cases = [
        ("not an object", 7, "invalid", "JSON object"),
        ("no value", {"key": "af-10::x"}, "invalid", "value must be a JSON object"),
        ("key not a string", dict(val(), key=12), "invalid", "key must be a string"),
        ("bad timestamp", dict(val(), timestamp="24/11/2026"), "invalid", "RFC 3339"),
        ("no provider", val(provider=None), "invalid", "value.provider is required"),
        ("unknown provider", val(provider="kafka-rest"), "invalid", "is not one of"),
        ("unknown entityType", val(entityType="KAFKA_PRODUCER"), "invalid", "not a valid entity type"),
        ("legacy type from ohi", val(entityType="AWSMSKCLUSTER"), "invalid", "not a valid entity type for provider ohi"),
        ("no accountId", val(accountId=None), "invalid", "value.accountId is required"),
        ("accountId zero", val(accountId=0), "invalid", "positive integer"),
        ("no clusterName", val(clusterName=None), "invalid", "value.clusterName is required"),
        ("broker without brokerId", val(entityType="KAFKA_BROKER"), "invalid", "value.brokerId is required"),
        ("topic without topic", val(entityType="KAFKA_TOPIC"), "invalid", "value.topic is required"),
        ("group without consumerGroup", val(entityType="KAFKA_CONSUMER_GROUP"), "invalid",
         "value.consumerGroup is required"),
        ("topics not a list", val(entityType="KAFKA_CONSUMER_GROUP", consumerGroup="g", topics="t"), "invalid",
         "value.topics must be a list"),
        ("metric not numeric", val(metrics={"broker.bytesInPerSec": "1k"}), "invalid", "must be a number"),
        ("metadata not an object", val(metadata=[1]), "invalid", "value.metadata must be an object"),
        ("clusterName too long", val(clusterName="x" * 300), "invalid", "longer than 256 bytes"),
        ("ohi without agentId", val(agentId=None), "agent", "Invalid infrastructure agent"),
        ("ohi with unknown agent", val(agentId="agent-x"), "agent", "not registered"),
        ("msk without AWS integration", val(provider="aws-msk", accountId=2, agentId=None), "aws_integration",
         "AWS integration required"),
        ("api without synthetic permission", val(provider="api", accountId=2, agentId=None), "synthetic_permission",
         "Synthetic entity creation not allowed"),
        ("unknown account", val(accountId=424242), "unknown_account", "does not exist"),
    ]
    return good, cases


def check_rejections(s):
    good, cases = rejection_cases()
    for name, bad, reason, part in cases:
        st, body = s.events([good, bad, good])
        errs = (body or {}).get("errors") or []
        tap.ok(st == 202 and body.get("accepted") == 2 and body.get("rejected") == 1 and len(errs) == 1 and
               errs[0].get("index") == 1 and errs[0].get("reason") == reason and part in errs[0].get("message", ""),
               f"rejected with 202, index and reason: {name}", detail=(st, body))
    n = metric_value(metrics_text(s), "entityd_ingest_rejected_total", 'reason="aws_integration"')
    tap.ok(n is not None and n >= 1, "rejections counted in entityd_ingest_rejected_total{reason}", detail=n)
    tap.ok("unauthorized entity creation attempt" in s.read_log(), "unauthorized records logged as warnings")


def check_bodies(s, admin):
    status, _, raw = s.request("POST", "/v1/events", "{this is not json",
                               {"Content-Type": "application/json", "API-Key": admin})
    tap.ok(status == 400 and b"not JSON" in raw, "400 for a body that is not JSON", detail=(status, raw))
    status, _, raw = s.request("POST", "/v1/events", '"just a string"',
                               {"Content-Type": "application/json", "API-Key": admin})
    tap.ok(status == 400, "400 for JSON that is not an array of records", detail=(status, raw))
    err = json.loads(raw)
    tap.ok(list(err) == ["errors"] and err["errors"][0]["extensions"]["code"] == "BAD_REQUEST" and
           "array" in err["errors"][0]["message"], "the 400 body has the one error shape of every endpoint",
           detail=err)
    status, body = s.events([])
    tap.ok(status == 202 and body == {"accepted": 0, "rejected": 0, "errors": []}, "an empty array: 202, nothing",
           detail=body)
    status, body = s.events([rec(None, "azure-eventhubs", "KAFKA_CLUSTER", "no-key")], key=None)
    tap.ok(status == 401, "401 without an API-Key", detail=(status, body))
    status, body = s.events([rec(None, "azure-eventhubs", "KAFKA_CLUSTER", "bad-key")], key="ek_" + "B" * 43)
    tap.ok(status == 401, "401 with an unknown key", detail=(status, body))
    many = [rec(None, "azure-eventhubs", "KAFKA_TOPIC", "too-many", topic=f"t{i}") for i in range(101)]
    status, body = s.events(many)
    tap.ok(status == 413 and "limit is 100" in json.dumps(body), "413 over --max-batch-events", detail=(status, body))
    status, body = s.events(many, ndjson=True)
    tap.ok(status == 413, "413 over --max-batch-events in NDJSON", detail=(status, body))
    status, body = s.events(many[:100])
    tap.ok(status == 202 and body.get("accepted") == 100, "exactly --max-batch-events records: accepted",
           detail=body)
    big = json.dumps([rec(None, "azure-eventhubs", "KAFKA_CLUSTER", "big", metadata={"pad": "x" * 300000})])
    status, _, raw = s.request("POST", "/v1/events", big, {"Content-Type": "application/json", "API-Key": admin})
    tap.ok(status == 413, "413 over --max-body-bytes", detail=(status, raw[:200]))


def check_ndjson(s):
    lines = [rec("af-30::a", "azure-eventhubs", "KAFKA_CLUSTER", "nd-1"),
             rec("af-30::b", "azure-eventhubs", "KAFKA_TOPIC", "nd-1", topic="x"),
             rec("af-30::c", "azure-eventhubs", "KAFKA_TOPIC", "nd-1")]
    body = json.dumps(lines[0]) + "\n\n" + "{broken json\n" + json.dumps(lines[1]) + "\r\n" + json.dumps(lines[2])
    status, _, raw = s.request("POST", "/v1/events", body,
                               {"Content-Type": "application/x-ndjson", "API-Key": s.admin_key})
    r = json.loads(raw) if raw else {}
    errs = r.get("errors") or []
    tap.ok(status == 202 and r.get("accepted") == 2 and r.get("rejected") == 2 and
           [e["index"] for e in errs] == [1, 3] and "invalid JSON" in errs[0]["message"],
           "NDJSON: blank lines skipped, a broken line and a bad record rejected by index", detail=(status, r))
    tap.ok(entity(s, guid(1, "KAFKA_TOPIC", "af-30", "azure-eventhubs", "nd-1", "x")) is not None,
           "NDJSON record stored")
    status, _, raw = s.request("POST", "/v1/events", "nope\nnope\n",
                               {"Content-Type": "application/x-ndjson", "API-Key": s.admin_key})
    tap.ok(status == 400, "NDJSON with no JSON line: 400", detail=(status, raw))


def check_key_levels(s):
    keys = {}
    for level in ("NONE", "OHI_ONLY", "CLOUD_INTEGRATED", "SYNTHETIC"):
        st, body = s.gql(CREATE_KEY, {"accountId": 1, "level": level, "name": f"ingest-{level.lower()}"})
        keys[level] = (((body or {}).get("data") or {}).get("createApiKey") or {}).get("key")
    tap.ok(all(keys.values()), "keys of every level created", detail=keys)
    batch = [rec(None, "ohi", "KAFKA_CLUSTER", "lvl", agentId="agent-42"),
             rec(None, "confluent-cloud", "KAFKA_CLUSTER", "lvl"),
             rec(None, "api", "KAFKA_CLUSTER", "lvl")]
    for level, want in (("NONE", 0), ("OHI_ONLY", 1), ("CLOUD_INTEGRATED", 2), ("SYNTHETIC", 3)):
        st, body = s.events(batch, key=keys[level])
        tap.ok(st == 202 and body.get("accepted") == want and
               all(e["reason"] == "key_level" for e in body.get("errors") or []),
               f"{level} key: {want} of 3 providers accepted, the rest key_level", detail=body)
    st, body = s.events([rec(None, "api", "KAFKA_CLUSTER", "other", account=2)], key=keys["SYNTHETIC"])
    errs = (body or {}).get("errors") or [{}]
    tap.ok(st == 202 and body.get("rejected") == 1 and errs[0].get("reason") == "account_mismatch",
           "a key writes only into its own account", detail=body)


def check_cleanup():
    """The cleanup thread with short thresholds from flags; events in the past instead of sleeping."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    old = now - timedelta(hours=3)
    args = ["--stale-threshold", "3600", "--tenant-ttl", "7200", "--cleanup-interval", "1", "--cleanup-batch", "2"]
    with Server(extra_args=args) as s:
        st, body = s.gql(UPDATE_ACCOUNT, {"id": 1, "input": {"awsIntegration": True, "syntheticPermission": True,
                                                             "infrastructureAgents": ["agent-42"]}})
        recs = [rec(None, "ohi", "KAFKA_BROKER", "old", old, agentId="agent-42", brokerId=str(i)) for i in range(5)]
        recs += [rec(None, "api", "KAFKA_CLUSTER", "old-api", old),
                 rec(None, "aws-msk", "KAFKA_CLUSTER", "old-cloud", old),
                 rec(None, "ohi", "KAFKA_BROKER", "fresh", now, agentId="agent-42", brokerId="1"),
                 rec("dead::x", "confluent-cloud", "KAFKA_CLUSTER", "dead-tenant", old),
                 rec("alive::x", "confluent-cloud", "KAFKA_CLUSTER", "live-tenant", now)]
        st, body = s.events(recs)
        tap.ok(st == 202 and body.get("accepted") == len(recs), "cleanup fixture accepted", detail=body)
        deadline = time.time() + 15
        gone = []
        while time.time() < deadline:
            gone = [entity(s, guid(1, "KAFKA_BROKER", None, "ohi", "old", "0")),
                    entity(s, guid(1, "KAFKA_CLUSTER", None, "api", "old-api")),
                    entity(s, guid(1, "KAFKA_CLUSTER", "dead", "confluent-cloud", "dead-tenant"))]
            if all(x is None for x in gone):
                break
            time.sleep(0.2)
        tap.ok(all(x is None for x in gone), "stale ohi/api entities and the dead tenant's entities deleted",
               detail=gone)
        kept = [entity(s, guid(1, "AWSMSKCLUSTER", None, "aws-msk", "old-cloud")),
                entity(s, guid(1, "KAFKA_BROKER", None, "ohi", "fresh", "1")),
                entity(s, guid(1, "KAFKA_CLUSTER", "alive", "confluent-cloud", "live-tenant"))]
        tap.ok(all(x is not None for x in kept), "cloud entities, fresh entities and live tenants kept", detail=kept)
        text = metrics_text(s)
        tap.ok((metric_value(text, "entityd_cleanup_deleted_total", 'reason="stale"') or 0) >= 6 and
               (metric_value(text, "entityd_cleanup_deleted_total", 'reason="tenant"') or 0) >= 1,
               "cleanup counts in /metrics", detail=[l for l in text.splitlines() if "cleanup" in l])
        tap.ok("kafka cleanup" in s.read_log(), "cleanup logs its counts")


def check_durability():
    """kill -9 right after a 202: the records are in the file, and served after a restart."""
    data_dir = tempfile.mkdtemp(prefix="entityd-e2e-ingest-")
    try:
        s = Server(data_dir=data_dir, keep_data=True).start()
        s.gql(UPDATE_ACCOUNT, {"id": 1, "input": {"infrastructureAgents": ["agent-42"]}})
        recs = [rec("af-90::x", "ohi", "KAFKA_TOPIC", "durable", agentId="agent-42", topic=f"t{i}") for i in range(50)]
        st, body = s.events(recs)
        s.kill9()
        tap.ok(st == 202 and body.get("accepted") == 50, "batch accepted before kill -9", detail=body)
        con = sqlite3.connect(os.path.join(data_dir, "entityd.db"))
        n = con.execute("SELECT count(*) FROM entities WHERE cluster_name = 'durable'").fetchone()[0]
        con.close()
        tap.eq(n, 50, "after kill -9 every accepted record is in the database file")
        s2 = Server(data_dir=data_dir, keep_data=True).start()
        try:
            e = entity(s2, guid(1, "KAFKA_TOPIC", "af-90", "ohi", "durable", "t49"))
            tap.ok(e is not None and e["name"] == "t49", "after a restart the records are served", detail=e)
        finally:
            s2.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with Server(extra_args=["--max-batch-events", "100", "--max-body-bytes", "262144"]) as s:
        st, body = s.gql("""mutation { createAccount(id: 2, input: {name: "two"}) { success } }""")
        # Account 1 starts without capabilities: the aws/api/agent rejections are checked on account 2.
        st, body = s.gql(UPDATE_ACCOUNT, {"id": 1, "input": {"awsIntegration": True, "syntheticPermission": True,
                                                             "infrastructureAgents": ["agent-42"]}})
        tap.ok(st == 200 and ((body or {}).get("data") or {}).get("updateAccount", {}).get("success"),
               "account 1 gets the AWS integration, synthetic permission and agent-42", detail=body)
        check_mixed(s, now)
        check_rejections(s)
        check_bodies(s, s.admin_key)
        check_ndjson(s)
        check_key_levels(s)
        text = metrics_text(s)
        tap.ok((metric_value(text, "entityd_ingest_records_total", 'result="accepted"') or 0) > 0,
               "accepted records counted in /metrics")
    check_cleanup()
    check_durability()
    tap.done()


if __name__ == "__main__":
    main()
