"""test_response_limits.py -- the response budget and the cost estimate (issue 11 item 1) against the real
entityd: a response that grows past --max-response-bytes stops with RESPONSE_TOO_LARGE and no data, a
document whose estimated cost (fields x page sizes, `first` counts, aliases add up) passes --max-cost is
refused with MAX_COST_EXCEEDED before it runs, and ordinary queries and GraphiQL's introspection still run.
Small limits set by flags keep it fast."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, tap  # noqa: E402

BUDGET = 64 * 1024
ARGS = ["--max-response-bytes", str(BUDGET), "--max-cost", "5000", "--cost-list-size", "10"]
PAGE = "{ actor { account(id: 1) { kafka { entities(first: %d) { nodes { guid metadata } } } } } }"


def code(body):
    try:
        return body["errors"][0]["extensions"]["code"]
    except (TypeError, KeyError, IndexError):
        return None


def main():
    with Server(extra_args=ARGS) as s:
        pad = "m" * 2000
        recs = [{"key": f"c{i}", "value": {"provider": "azure-eventhubs", "entityType": "KAFKA_CLUSTER",
                                           "accountId": 1, "clusterName": f"cluster-{i:03d}", "metadata": {"pad": pad}}}
                for i in range(60)]
        st, body = s.events(recs)
        tap.ok(st == 202 and body.get("accepted") == 60, "60 entities with 2 KB of metadata each ingested",
               detail=f"{st} {body}")

        st, body = s.gql(PAGE % 10)
        nodes = (((((body or {}).get("data") or {}).get("actor") or {}).get("account") or {}).get("kafka") or {})
        nodes = ((nodes.get("entities") or {}).get("nodes")) or []
        tap.ok(st == 200 and len(nodes) == 10 and "metadata" in json.dumps(nodes[0]) and "errors" not in body,
               "a page of 10 (about 20 KB) is answered whole", detail=json.dumps(body)[:500])

        st, body = s.gql(PAGE % 60)
        tap.ok(st == 200 and code(body) == "RESPONSE_TOO_LARGE" and "data" not in body
               and str(BUDGET) in body["errors"][0]["message"],
               f"a page of 60 (about 120 KB) stops at --max-response-bytes {BUDGET}: RESPONSE_TOO_LARGE, no data",
               detail=json.dumps(body)[:500])
        status, headers, raw = s.request("POST", "/graphql", json.dumps({"query": PAGE % 60}),
                                         {"Content-Type": "application/json", "API-Key": s.admin_key})
        tap.ok(len(raw) < 1024, f"...and the answer is small ({len(raw)} bytes)")

        aliases = " ".join(f"a{i}: entities(first: 500) {{ nodes {{ metadata }} }}" for i in range(20))
        st, body = s.gql("{ actor { account(id: 1) { kafka { %s } } } }" % aliases)
        tap.ok(st == 200 and code(body) == "MAX_COST_EXCEEDED" and "data" not in body
               and "5000" in body["errors"][0]["message"] and body["errors"][0].get("locations"),
               "20 aliases of entities(first: 500): refused before running, MAX_COST_EXCEEDED",
               detail=json.dumps(body)[:500])
        q = "query($n: Int) { actor { account(id: 1) { kafka { entities(first: $n) { nodes { guid name } } } } } }"
        st, body = s.gql(q, {"n": 3000})
        tap.eq(code(body), "MAX_COST_EXCEEDED", "a page size given by a variable counts too")
        st, body = s.gql(q, {"n": 5})
        tap.ok(st == 200 and "errors" not in body, "...and a small one runs", detail=json.dumps(body)[:300])
        nested = ("{ actor { account(id: 1) { kafka { entities(first: 100) { nodes { guid "
                  "relationships { source { guid } target { guid } type } } } } } } }")
        st, body = s.gql(nested)
        tap.eq(code(body), "MAX_COST_EXCEEDED", "lists without first count --cost-list-size each, nested lists multiply")

        intro = ("query IntrospectionQuery { __schema { queryType { name } mutationType { name } types { ...T } "
                 "directives { name locations args { ...I } } } } fragment T on __Type { kind name description "
                 "fields(includeDeprecated: true) { name args { ...I } type { ...R } isDeprecated } "
                 "inputFields { ...I } interfaces { ...R } enumValues(includeDeprecated: true) { name } "
                 "possibleTypes { ...R } } fragment I on __InputValue { name type { ...R } defaultValue } "
                 "fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name "
                 "ofType { kind name } } } } }")
        st, body = s.gql(intro)
        tap.ok(st == 200 and "errors" not in body and len(body["data"]["__schema"]["types"]) > 20,
               "GraphiQL's introspection query runs under both limits", detail=json.dumps(body)[:500])
    with Server(extra_args=["--max-response-bytes", "0", "--max-cost", "0"]) as s:
        aliases = " ".join(f"a{i}: entities(first: 500) {{ nodes {{ guid }} }}" for i in range(20))
        st, body = s.gql("{ actor { account(id: 1) { kafka { %s } } } }" % aliases)
        tap.ok(st == 200 and "errors" not in body, "0 turns both limits off", detail=json.dumps(body)[:300])
    tap.done()


if __name__ == "__main__":
    main()
