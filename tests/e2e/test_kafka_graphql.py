"""test_kafka_graphql.py -- end to end, the GraphQL side of the Kafka entity platform (seed 004,
issue 4) on a real entityd: a realistic mixed batch (four providers, two tenants, every entity
type) goes in through POST /v1/events, then the seed's GetKafkaEntities runs verbatim (nodes,
metrics, relationships with both ends named, every filter), a second document pages with
first/after and totalCount, the seed's CreateSyntheticKafkaEntity runs verbatim with and without
permission and with every invalid field, deleteSyntheticKafkaEntity, entity lookups and tenants.
"""
import base64
import os
import re
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, read_api, tap  # noqa: E402

GET = read_api("GetKafkaEntities.graphql")
CREATE = read_api("CreateSyntheticKafkaEntity.graphql")

ENTITY_FIELDS = """guid accountId name type provider clusterName tenant externalId reporting lastSeen createdAt
  synthetic expiresAt alertSeverity metadata
  metrics { throughputIn throughputOut consumerLag updatedAt }
  relationships { source { guid name type } target { guid name type } type }"""

PAGED = """query Paged($accountId: Int!, $filter: KafkaEntityFilter, $first: Int, $after: String) {
  actor { account(id: $accountId) { kafka {
    entities(filter: $filter, first: $first, after: $after) {
      nodes { guid name }
      pageInfo { hasNextPage endCursor }
      totalCount
    } } } } }"""

LOOKUP = """query Lookup($accountId: Int!, $guid: ID!) {
  actor {
    entity(guid: $guid) { %s }
    account(id: $accountId) { kafka { entity(guid: $guid) { guid name } } }
  } }""" % ENTITY_FIELDS

TENANTS = """query T($accountId: Int!) { actor { account(id: $accountId) {
  tenants { id firstSeen lastSeen entityCount } } } }"""

DELETE = """mutation D($guid: ID!) { deleteSyntheticKafkaEntity(guid: $guid) { success errors { message field } } }"""

UPDATE_ACCOUNT = """mutation U($id: Int!, $input: AccountInput!) {
  updateAccount(id: $id, input: $input) { success errors { message field } } }"""

CREATE_KEY = """mutation K($accountId: Int!, $level: AuthorizationLevel!, $name: String!) {
  createApiKey(accountId: $accountId, level: $level, name: $name) { key id success errors { message } } }"""

DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def rec(key, provider, etype, cluster, ts, **extra):
    value = {"provider": provider, "entityType": etype, "accountId": 1, "clusterName": cluster}
    value.update(extra)
    r = {"value": value, "timestamp": iso(ts)}
    if key is not None:
        r["key"] = key
    return r


def batch(now):
    old = now - timedelta(hours=2)
    arn = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-main/6f1c"
    return [
        # tenant af-10: the on-host integration on a self-managed cluster
        rec("af-10::c1", "ohi", "KAFKA_CLUSTER", "payments", now, agentId="agent-42"),
        rec("af-10::b1", "ohi", "KAFKA_BROKER", "payments", now, agentId="agent-42", brokerId="1",
            hostname="kafka-1.internal",
            metrics={"broker.bytesInPerSec": 1024.5, "broker.bytesOutPerSec": 2048.0}),
        rec("af-10::b2", "ohi", "KAFKA_BROKER", "payments", now, agentId="agent-42", brokerId="2",
            hostname="kafka-2.internal", metrics={"broker.bytesInPerSec": 10.0}),
        rec("af-10::t1", "ohi", "KAFKA_TOPIC", "payments", now, agentId="agent-42", topic="orders"),
        rec("af-10::g1", "ohi", "KAFKA_CONSUMER_GROUP", "payments", now, agentId="agent-42",
            consumerGroup="billing", topics=["orders"], metrics={"consumer.totalLag": 150000}),
        # tenant af-20: AWS MSK (legacy AWSMSK* types) and Azure Event Hubs
        rec("af-20::m1", "aws-msk", "KAFKA_CLUSTER", "msk-main", now, externalId=arn),
        rec("af-20::m2", "aws-msk", "KAFKA_BROKER", "msk-main", now, brokerId="1",
            metrics={"provider.bytesInPerSec.Average": 300.0, "provider.bytesOutPerSec.Average": 600.0}),
        rec("af-20::m3", "aws-msk", "KAFKA_TOPIC", "msk-main", old, topic="clicks"),
        rec("af-20::e1", "azure-eventhubs", "KAFKA_CLUSTER", "eh-ns", now),
        rec("af-20::e2", "azure-eventhubs", "KAFKA_TOPIC", "eh-ns", now, topic="telemetry",
            metrics={"IncomingBytes": 6000.0, "ConsumerLag": 20000}),
        # tenant af-10 again, Confluent Cloud
        rec("af-10::k1", "confluent-cloud", "KAFKA_CLUSTER", "lkc-123", now),
        rec("af-10::k2", "confluent-cloud", "KAFKA_TOPIC", "lkc-123", now, topic="payments_events",
            metrics={"io.confluent.kafka.server/received_bytes": 600.0}),
    ]


def data(r):
    status, body = r
    return (body or {}).get("data") if status == 200 else None


def nodes_of(s, filt=None, key="admin"):
    status, body = s.gql(GET, {"accountId": 1, "filter": filt}, key=key)
    try:
        return body["data"]["actor"]["account"]["kafka"]["entities"]["nodes"], body
    except (TypeError, KeyError):
        return None, body


def names(ns):
    return sorted(n["name"] for n in ns or [])


def codes(body):
    return [((e.get("extensions") or {}).get("code")) for e in (body or {}).get("errors") or []]


def main():
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with Server(extra_args=["--reporting-window", "300", "--max-page-size", "20",
                            "--synthetic-max-ttl", "3600"]) as s:
        # account 1 may send every provider (seed 004 Security Model)
        st, body = s.gql(UPDATE_ACCOUNT, {"id": 1, "input": {"awsIntegration": True,
                                                             "infrastructureAgents": ["agent-42"]}})
        tap.ok(st == 200 and body["data"]["updateAccount"]["success"], "updateAccount grants AWS and agent",
               detail=body)

        records = batch(now)
        st, body = s.events(records)
        tap.ok(st == 202 and body and body.get("accepted") == len(records) and body.get("rejected") == 0,
               "mixed batch of four providers and two tenants accepted", detail=body)

        # ---- GetKafkaEntities verbatim, no filter ----
        all_nodes, body = nodes_of(s)
        tap.ok(all_nodes is not None and not body.get("errors"), "GetKafkaEntities runs verbatim", detail=body)
        all_nodes = all_nodes or []
        tap.eq(len(all_nodes), len(records), "one entity per record")
        guids = [n["guid"] for n in all_nodes]
        tap.eq(guids, sorted(guids), "nodes ordered by guid")
        tap.ok(body["data"]["actor"]["account"]["kafka"]["entities"]["pageInfo"]["hasNextPage"] is False,
               "a single page: hasNextPage false", detail=body)
        by_name = {n["name"]: n for n in all_nodes}
        msk = by_name.get("msk-main") or {}
        tap.eq((msk.get("type"), msk.get("provider")), ("AWSMSKCLUSTER", "AWS_MSK"),
               "AWS MSK cluster keeps its legacy type")
        tap.eq({n["provider"] for n in all_nodes}, {"OHI", "AWS_MSK", "AZURE_EVENTHUBS", "CONFLUENT_CLOUD"},
               "four providers")
        tap.eq((by_name.get("clicks") or {}).get("reporting"), False, "old event: not reporting")
        tap.eq(sorted(n["name"] for n in all_nodes if not n["reporting"]), ["clicks"], "every other entity reports")

        brokers = [n for n in all_nodes if n["type"] == "KAFKA_BROKER"]
        b1 = next((b for b in brokers if b["metrics"]["throughputOut"] == 2048.0), None)
        tap.ok(b1 is not None and b1["metrics"]["throughputIn"] == 1024.5 and b1["metrics"]["consumerLag"] is None,
               "OHI broker metrics mapped to throughputIn/Out", detail=brokers)
        tap.eq((by_name.get("billing") or {}).get("metrics", {}).get("consumerLag"), 150000.0,
               "OHI consumer group lag")
        tap.eq((by_name.get("telemetry") or {}).get("metrics", {}).get("throughputIn"), 100.0,
               "Azure IncomingBytes per minute -> bytes per second")
        tap.eq((by_name.get("payments_events") or {}).get("metrics", {}).get("throughputIn"), 10.0,
               "Confluent received_bytes per minute -> bytes per second")
        mskb = next((n for n in all_nodes if n["type"] == "AWSMSKBROKER"), {})
        tap.eq(mskb.get("metrics"), {"throughputIn": 300.0, "throughputOut": 600.0, "consumerLag": None},
               "AWS MSK broker metrics")

        # relationships, both ends resolved
        def rels(n):
            return {(r["type"], r["source"]["name"], r["target"]["name"]) for r in n.get("relationships", [])}

        cluster = by_name.get("payments") or {}
        tap.ok(("HOSTS", "payments", "orders") in rels(cluster) and
               sum(1 for r in rels(cluster) if r[0] == "CONTAINS") == 2,
               "cluster CONTAINS two brokers and HOSTS its topic", detail=cluster.get("relationships"))
        tap.ok(b1 is not None and ("RUNS_ON", b1["name"], "kafka-1.internal") in rels(b1) and
               ("CONTAINS", "payments", b1["name"]) in rels(b1),
               "broker RUNS_ON its host (named) and is contained by its cluster",
               detail=(b1 or {}).get("relationships"))
        tap.ok(("CONSUMES", "billing", "orders") in rels(by_name.get("billing") or {}) and
               ("CONSUMES", "billing", "orders") in rels(by_name.get("orders") or {}),
               "consumer group CONSUMES topic, seen from both ends")
        managed = [r for r in msk.get("relationships", []) if r["type"] == "MANAGED_BY"]
        tap.ok(len(managed) == 1 and managed[0]["target"]["name"] == "123456789012" and
               managed[0]["source"]["guid"] == msk.get("guid"),
               "MSK cluster MANAGED_BY its AWS account (from the ARN)", detail=msk.get("relationships"))
        ok = all(r["source"]["guid"] and r["target"]["guid"] and r["source"]["name"] and r["target"]["name"]
                 for n in all_nodes for r in n["relationships"])
        tap.ok(ok, "every relationship end has a guid and a name")

        # ---- every filter, through the verbatim document ----
        def check_filter(filt, want, label):
            got, b = nodes_of(s, filt)
            tap.eq(names(got), sorted(want), f"filter {label}")

        check_filter({"type": ["KAFKA_CLUSTER"]}, ["payments", "msk-main", "eh-ns", "lkc-123"],
                     "type KAFKA_CLUSTER matches its legacy twin")
        check_filter({"type": ["AWSMSKBROKER"]}, [n["name"] for n in all_nodes if "BROKER" in n["type"]],
                     "type AWSMSKBROKER matches KAFKA_BROKER")
        check_filter({"type": ["KAFKA_CONSUMER_GROUP", "AWSMSKTOPIC"]},
                     ["billing", "orders", "clicks", "telemetry", "payments_events"], "type list")
        check_filter({"provider": ["AZURE_EVENTHUBS", "CONFLUENT_CLOUD"]},
                     ["eh-ns", "telemetry", "lkc-123", "payments_events"], "provider")
        check_filter({"clusterName": "msk-main"}, [n["name"] for n in all_nodes if n["provider"] == "AWS_MSK"],
                     "clusterName")
        check_filter({"nameContains": "ORDER"}, ["orders"], "nameContains (case-insensitive)")
        check_filter({"nameContains": "s_e"}, ["payments_events"], "nameContains with a literal _")
        check_filter({"nameContains": "%"}, [], "nameContains % is literal")
        check_filter({"reporting": False}, ["clicks"], "reporting false")
        check_filter({"reporting": True}, [n["name"] for n in all_nodes if n["name"] != "clicks"], "reporting true")
        check_filter({"tenant": "af-20"}, [n["name"] for n in all_nodes if n["provider"] in ("AWS_MSK",
                                                                                              "AZURE_EVENTHUBS")],
                     "tenant")
        check_filter({"synthetic": True}, [], "synthetic true (none yet)")
        check_filter({"synthetic": False}, [n["name"] for n in all_nodes], "synthetic false")
        check_filter({"alertSeverity": ["CRITICAL"]}, ["billing"], "alertSeverity CRITICAL")
        check_filter({"alertSeverity": ["WARNING"]}, ["telemetry"], "alertSeverity WARNING")
        check_filter({"tenant": "af-10", "type": ["KAFKA_TOPIC"], "reporting": True},
                     ["orders", "payments_events"], "filters combine with AND")

        # ---- paging with first/after, totalCount ----
        seen, after, pages, totals = [], None, 0, set()
        while pages < 20:
            st, b = s.gql(PAGED, {"accountId": 1, "first": 5, "after": after})
            conn = (data((st, b)) or {}).get("actor", {}).get("account", {}).get("kafka", {}).get("entities")
            if not conn:
                tap.ok(False, "paging request", detail=b)
                break
            pages += 1
            totals.add(conn["totalCount"])
            seen += [n["guid"] for n in conn["nodes"]]
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
        tap.eq(seen, guids, "pages of 5 cover every entity once, in order")
        tap.eq(pages, 3, "12 entities in pages of 5: three pages")
        tap.eq(totals, {len(records)}, "totalCount is the same on every page")
        st, b = s.gql(PAGED, {"accountId": 1, "first": 2, "filter": {"tenant": "af-20"}})
        conn = data((st, b))["actor"]["account"]["kafka"]["entities"]
        tap.ok(conn["totalCount"] == 5 and len(conn["nodes"]) == 2 and conn["pageInfo"]["hasNextPage"],
               "filtered page: totalCount counts all pages", detail=conn)
        st, b = s.gql(PAGED, {"accountId": 1, "first": 5, "after": base64.urlsafe_b64encode(b"garbage").decode()})
        tap.ok("BAD_USER_INPUT" in codes(b), "a cursor not made by the server is BAD_USER_INPUT", detail=b)
        for first in (0, -1, 21):
            st, b = s.gql(PAGED, {"accountId": 1, "first": first})
            tap.ok("BAD_USER_INPUT" in codes(b), f"first={first} outside 1..max-page-size is BAD_USER_INPUT",
                   detail=b)
        st, b = s.gql(PAGED, {"accountId": 1, "filter": {"type": ["KAFKA_TOPIC"] * 17}})
        tap.ok("BAD_USER_INPUT" in codes(b), "a filter list over 16 values is BAD_USER_INPUT", detail=b)
        st, b = s.gql(PAGED, {"accountId": 1, "filter": {"clusterName": "c" * 1025}})
        tap.ok("BAD_USER_INPUT" in codes(b), "a filter string over 1024 bytes is BAD_USER_INPUT", detail=b)
        st, b = s.gql(PAGED, {"accountId": 1, "filter": {"type": "KAFKA_CONSUMER_GROUP"}})
        tap.eq([n["name"] for n in data((st, b))["actor"]["account"]["kafka"]["entities"]["nodes"]], ["billing"],
               "a single enum value is coerced to a one-item list")
        st, b = s.gql(PAGED, {"accountId": 1, "first": 20})
        tap.ok(not b.get("errors"), "first = max-page-size is accepted", detail=b)
        st, b = s.gql(PAGED, {"accountId": 1, "first": None})
        tap.ok(not b.get("errors") and len(data((st, b))["actor"]["account"]["kafka"]["entities"]["nodes"]) == 12,
               "first: null means the default page (capped at max-page-size)", detail=b)

        # ---- lookups by GUID ----
        st, b = s.gql(LOOKUP, {"accountId": 1, "guid": msk.get("guid", "")})
        d = data((st, b)) or {}
        ent = (d.get("actor") or {}).get("entity") or {}
        tap.ok(ent.get("name") == "msk-main" and ent.get("externalId", "").startswith("arn:aws:kafka") and
               ent.get("tenant") == "af-20" and ent.get("accountId") == 1 and DATETIME_RE.match(ent["lastSeen"])
               and DATETIME_RE.match(ent["createdAt"]) and ent.get("expiresAt") is None and
               d["actor"]["account"]["kafka"]["entity"]["guid"] == msk.get("guid"),
               "entity(guid) from Actor and KafkaNamespace, RFC 3339 times", detail=b)
        st, b = s.gql(LOOKUP, {"accountId": 1, "guid": "1|INFRA|KAFKA_TOPIC|bm9wZQ=="})
        d = data((st, b)) or {}
        tap.ok(d.get("actor", {}).get("entity", 1) is None and not b.get("errors"), "unknown GUID: null",
               detail=b)

        # ---- tenants ----
        st, b = s.gql(TENANTS, {"accountId": 1})
        ts = {t["id"]: t for t in (data((st, b)) or {}).get("actor", {}).get("account", {}).get("tenants", [])}
        tap.ok(set(ts) == {"af-10", "af-20"} and ts["af-10"]["entityCount"] == 7 and ts["af-20"]["entityCount"] == 5,
               "Account.tenants lists both tenants with entity counts", detail=b)
        tap.ok(all(DATETIME_RE.match(t["firstSeen"]) and DATETIME_RE.match(t["lastSeen"]) for t in ts.values()),
               "tenant times are RFC 3339 UTC")

        # ---- CreateSyntheticKafkaEntity verbatim ----
        good = {"accountId": 1, "type": "KAFKA_TOPIC", "name": "synthetic-orders", "clusterName": "payments",
                "metadata": {"owner": "qa", "n": 1}, "ttl": 600}

        def create(inp, key="admin"):
            st, b = s.gql(CREATE, {"input": inp}, key=key)
            return ((b or {}).get("data") or {}).get("createSyntheticKafkaEntity"), b

        p, b = create(good)
        tap.ok(p and p["success"] is False and p["entity"] is None and
               any("syntheticPermission" in e["message"] for e in p["errors"]),
               "without the account's syntheticPermission: success false naming why", detail=b)

        st, kb = s.gql(CREATE_KEY, {"accountId": 1, "level": "OHI_ONLY", "name": "low"})
        low_key = (data((st, kb)) or {}).get("createApiKey", {}).get("key")
        st, kb = s.gql(CREATE_KEY, {"accountId": 1, "level": "SYNTHETIC", "name": "synth"})
        synth_key = (data((st, kb)) or {}).get("createApiKey", {}).get("key")
        tap.ok(low_key and synth_key, "createApiKey for OHI_ONLY and SYNTHETIC keys", detail=kb)

        st, body = s.gql(UPDATE_ACCOUNT, {"id": 1, "input": {"syntheticPermission": True}})
        tap.ok(body["data"]["updateAccount"]["success"], "grant syntheticPermission", detail=body)

        p, b = create(good, key=low_key)
        tap.ok(p and p["success"] is False and p["entity"] is None and
               any("SYNTHETIC" in e["message"] and "OHI_ONLY" in e["message"] for e in p["errors"]),
               "an OHI_ONLY key: success false naming the level", detail=b)
        st, b = s.gql(CREATE, {"input": good}, key=None)
        tap.ok("UNAUTHENTICATED" in codes(b), "no key: UNAUTHENTICATED", detail=b)

        t0 = int(time.time())
        p, b = create(good, key=synth_key)
        ent = (p or {}).get("entity") or {}
        tap.ok(p and p["success"] is True and p["errors"] == [] and ent.get("name") == "synthetic-orders" and
               ent.get("type") == "KAFKA_TOPIC" and ent.get("reporting") is True and ent.get("guid"),
               "a SYNTHETIC key creates the entity, reporting", detail=b)
        syn_guid = ent.get("guid")
        p2, b = create(dict(good, type="KAFKA_CLUSTER", name="synthetic-cluster", clusterName="synth-1"))
        tap.ok(p2 and p2["success"] is True, "an ADMIN key creates too", detail=b)
        cl_guid = ((p2 or {}).get("entity") or {}).get("guid")

        st, b = s.gql(LOOKUP, {"accountId": 1, "guid": syn_guid or ""})
        ent = ((data((st, b)) or {}).get("actor") or {}).get("entity") or {}
        exp = ent.get("expiresAt") or ""
        exp_t = int(datetime.strptime(exp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()) \
            if DATETIME_RE.match(exp) else 0
        tap.ok(ent.get("synthetic") is True and ent.get("provider") == "API" and ent.get("metadata") == good[
            "metadata"] and t0 + 600 - 5 <= exp_t <= t0 + 600 + 5 and ent.get("clusterName") == "payments",
            "synthetic entity: provider API, metadata kept, expiresAt = now + ttl", detail=b)

        p, b = create(dict(good, name="default-ttl", ttl=None))
        st, b2 = s.gql(LOOKUP, {"accountId": 1, "guid": ((p or {}).get("entity") or {}).get("guid", "")})
        exp = (((data((st, b2)) or {}).get("actor") or {}).get("entity") or {}).get("expiresAt") or ""
        exp_t = int(datetime.strptime(exp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()) \
            if DATETIME_RE.match(exp) else 0
        tap.ok(p and p["success"] and abs(exp_t - (int(time.time()) + 3600)) <= 5,
               "ttl absent: --synthetic-max-ttl", detail=(b, b2))

        p3, b = create(dict(good, type="KAFKA_BROKER", name="synthetic-broker", clusterName="synth-1"), key=synth_key)
        br_guid = ((p3 or {}).get("entity") or {}).get("guid")
        st, b = s.gql(LOOKUP, {"accountId": 1, "guid": br_guid or ""})
        rl = (((data((st, b)) or {}).get("actor") or {}).get("entity") or {}).get("relationships") or []
        tap.ok(p3 and p3["success"] and [(r["type"], r["source"]["guid"], r["source"]["name"], r["target"]["name"])
                                         for r in rl] == [("CONTAINS", cl_guid, "synthetic-cluster",
                                                           "synthetic-broker")],
               "a synthetic broker is CONTAINed by the synthetic cluster of its clusterName", detail=b)

        got, b = nodes_of(s, {"synthetic": True})
        tap.eq(names(got), ["default-ttl", "synthetic-broker", "synthetic-cluster", "synthetic-orders"],
               "filter synthetic true")
        got, b = nodes_of(s, {"provider": ["API"], "type": ["AWSMSKCLUSTER"]})
        tap.eq(names(got), ["synthetic-cluster"], "synthetic cluster matched through the legacy twin")

        # every invalid field, reported with its field, nothing created
        bad_cases = [
            ({"name": ""}, "input.name"),
            ({"name": "   "}, "input.name"),
            ({"name": "x" * 256}, "input.name"),
            ({"clusterName": "bad name!"}, "input.clusterName"),
            ({"clusterName": ""}, "input.clusterName"),
            ({"clusterName": "c" * 256}, "input.clusterName"),
            ({"ttl": 0}, "input.ttl"),
            ({"ttl": -5}, "input.ttl"),
            ({"ttl": 3601}, "input.ttl"),
            ({"metadata": [1, 2]}, "input.metadata"),
            ({"metadata": "text"}, "input.metadata"),
            ({"metadata": 3}, "input.metadata"),
        ]
        for change, field in bad_cases:
            p, b = create(dict(good, **change))
            tap.ok(p and p["success"] is False and p["entity"] is None and
                   [e["field"] for e in p["errors"]] == [field],
                   f"invalid {field} {str(change)[:40]}: success false with the field", detail=b)
        p, b = create(dict(good, name="", clusterName="a b", ttl=0, metadata=[]))
        tap.eq(sorted(e["field"] for e in (p or {}).get("errors", [])),
               ["input.clusterName", "input.metadata", "input.name", "input.ttl"],
               "every invalid field is reported at once")
        got, b = nodes_of(s, {"synthetic": True})
        tap.eq(len(got or []), 4, "invalid inputs created nothing")

        # ---- deleteSyntheticKafkaEntity ----
        def delete(guid, key="admin"):
            st, b = s.gql(DELETE, {"guid": guid}, key=key)
            return ((b or {}).get("data") or {}).get("deleteSyntheticKafkaEntity"), b

        p, b = delete(msk.get("guid", ""))
        tap.ok(p and p["success"] is False and p["errors"][0]["field"] == "guid" and
               "not synthetic" in p["errors"][0]["message"], "deleting a reported entity is refused", detail=b)
        p, b = delete("1|INFRA|KAFKA_TOPIC|bm9wZQ==")
        tap.ok(p and p["success"] is False and p["errors"][0]["field"] == "guid", "deleting an unknown GUID",
               detail=b)
        p, b = delete(syn_guid or "", key=low_key)
        tap.ok(p and p["success"] is False and "SYNTHETIC" in p["errors"][0]["message"],
               "an OHI_ONLY key may not delete", detail=b)
        p, b = delete(syn_guid or "", key=synth_key)
        tap.ok(p and p["success"] is True and p["errors"] == [], "a SYNTHETIC key deletes a synthetic entity",
               detail=b)
        st, b = s.gql(LOOKUP, {"accountId": 1, "guid": syn_guid or ""})
        tap.ok(((data((st, b)) or {}).get("actor") or {}).get("entity", 1) is None, "deleted entity is gone",
               detail=b)
        p, b = delete(syn_guid or "")
        tap.ok(p and p["success"] is False, "deleting twice reports not found", detail=b)
        p, b = delete(cl_guid or "")
        tap.ok(p and p["success"] is True, "an ADMIN key deletes too", detail=b)
        st, b = s.gql(LOOKUP, {"accountId": 1, "guid": br_guid or ""})
        rl = (((data((st, b)) or {}).get("actor") or {}).get("entity") or {}).get("relationships")
        tap.eq(rl, [], "relationships go with the deleted cluster")

        # a key of the account with the lowest level still reads its own account
        got, b = nodes_of(s, {"clusterName": "payments"}, key=low_key)
        tap.eq(len(got or []), 6, "an OHI_ONLY key reads its own account's entities")

        # ---- bad filter strings get a message that says what is wrong ----
        q = "query($f: KafkaEntityFilter) { actor { account(id: 1) { kafka { entities(filter: $f) { totalCount } } } } }"
        # (in a document literal: JSON bodies refuse \u0000 before GraphQL sees them, see test_http.py)
        st, b = s.gql('{ actor { account(id: 1) { kafka { entities(filter: {nameContains: "a\\u0000b"}) '
                      '{ totalCount } } } } }')
        msgs = [e.get("message") for e in (b or {}).get("errors", [])]
        tap.eq(msgs, ["filter.nameContains must not contain NUL characters"], "a NUL in a filter string is named")
        st, b = s.gql(q, {"f": {"nameContains": "a\u0000b"}})
        msgs = [e.get("message") for e in (b or {}).get("errors", [])]
        tap.ok(st == 400 and len(msgs) == 1 and "must not contain \\u0000" in msgs[0],
               "a NUL in a JSON body is refused with a reason a client can act on", detail=msgs)
        st, b = s.gql(q, {"f": {"clusterName": "x" * 5000}})
        msgs = [e.get("message") for e in (b or {}).get("errors", [])]
        tap.ok(len(msgs) == 1 and msgs[0].startswith("filter.clusterName must be at most "),
               "an over-long filter string is named with the bound", detail=msgs)
        st, b = s.gql('{ actor { entity(guid: "g\\u0000") { guid } } }')
        msgs = [e.get("message") for e in (b or {}).get("errors", [])]
        tap.eq(msgs, ["guid must not contain NUL characters"], "a NUL in a guid is named")

        # ---- DateTime keeps four-digit years (RFC 3339) for any stored time ----
        db = sqlite3.connect(os.path.join(s.data_dir, "entityd.db"), timeout=10)
        with db:
            db.execute("UPDATE entities SET created_at = ? WHERE name = 'payments'",
                       (int(datetime(999, 6, 1, tzinfo=timezone.utc).timestamp()),))
        db.close()
        st, b = s.gql("{ actor { account(id: 1) { kafka { entities(filter: {nameContains: \"payments\", "
                      "type: [KAFKA_CLUSTER]}) { nodes { name createdAt } } } } } }")
        got = [n for n in (((data((st, b)) or {}).get("actor") or {}).get("account") or {}).get("kafka", {})
               .get("entities", {}).get("nodes", [])]
        tap.eq([n.get("createdAt") for n in got], ["0999-06-01T00:00:00Z"], "a year before 1000 prints as 0999",
               )
    tap.done()


if __name__ == "__main__":
    main()
