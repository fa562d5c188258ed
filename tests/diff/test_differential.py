"""test_differential.py -- entityd's GraphQL engine against graphql-js, the reference implementation.

For every document of tests/diff/corpus (valid and invalid, written for entityd's schema by
gen_corpus.mjs) it checks that entityd and graphql-js agree:
  - valid or invalid, both through `entityd gql validate` and over HTTP ("data" present or not),
  - the validation messages (same multiset),
  - for valid queries, the shape of `data` (keys, their order, __typename, nulls), by having
    graphql-js execute the same document over entityd's own answers (see oracle.mjs);
and that the schema survives the introspection round trip: graphql-js' buildClientSchema on
entityd's answer to the introspection query rebuilds the schema that buildSchema gives from
schema/*.graphql (no breaking or dangerous change, same printed SDL), and `entityd gql
print-schema` prints exactly what graphql-js' printSchema prints.

Two oracles: graphql-js (npm `graphql`, the reference implementation, installed in web/node_modules
by setup.sh) for everything, and graphql-core >= 3.2 (Python; the machine image's pip has it; Debian's
python3-graphql-core is 2.3.2, which predates the current spec) for validity and the introspection
round trip.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import BIN, SRCDIR, Server, tap  # noqa: E402

GRAPHQL_JS = os.path.join(SRCDIR, "web", "node_modules", "graphql")
NODE = os.environ.get("NODE") or "node"
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_FILES = sorted(glob.glob(os.path.join(SRCDIR, "schema", "*.graphql")))


def load_corpus():
    docs = []
    for path in sorted(glob.glob(os.path.join(HERE, "corpus", "*.graphql"))):
        with open(path) as f:
            first, _, rest = f.read().partition("\n")
        variables = json.loads(first[len("# variables: "):]) if first.startswith("# variables: ") else {}
        docs.append({"file": os.path.basename(path), "query": rest if first.startswith("#") else first + "\n" + rest,
                     "variables": variables})
    return docs


def cli_validate(doc_path):
    args = [BIN, "gql", "validate"]
    for s in SCHEMA_FILES:
        args += ["--schema", s]
    args += ["--document", doc_path]
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    try:
        errs = json.loads(p.stdout or "null")
    except ValueError:
        errs = None
    return p.returncode, errs


SEED_EVENTS = [
    {"key": "af-10::c1", "value": {"provider": "ohi", "entityType": "KAFKA_CLUSTER", "accountId": 1,
                                   "clusterName": "payments", "agentId": "agent-1"}},
    {"key": "af-10::b1", "value": {"provider": "ohi", "entityType": "KAFKA_BROKER", "accountId": 1,
                                   "clusterName": "payments", "brokerId": "1", "hostname": "kafka-1.internal",
                                   "agentId": "agent-1",
                                   "metrics": {"broker.bytesInPerSec": 10.5, "broker.bytesOutPerSec": 20}}},
    {"key": "af-10::t1", "value": {"provider": "ohi", "entityType": "KAFKA_TOPIC", "accountId": 1,
                                   "clusterName": "payments", "topic": "orders", "agentId": "agent-1"}},
]


def seed(server):
    """Gives the queries something to return; the comparison holds for any data."""
    server.gql('mutation { updateAccount(id: 1, input: {infrastructureAgents: ["agent-1"], '
               'syntheticPermission: true, awsIntegration: true}) { success } }')
    server.events(SEED_EVENTS)


def main():
    if not os.path.isdir(GRAPHQL_JS):
        # A source tarball has no web/node_modules: skip there, but never where everything is required.
        if not os.environ.get("ENTITYD_REQUIRE_ALL"):
            print("1..0 # SKIP graphql-js is not installed (cd web && npm ci --ignore-scripts)")
            sys.exit(0)
        tap.ok(False, "graphql-js is installed in web/node_modules (run ./setup.sh)")
        tap.done()
    docs = load_corpus()
    tap.ok(len(docs) >= 300, f"corpus has at least 300 documents ({len(docs)})")
    sdl = "\n".join(open(p).read() for p in SCHEMA_FILES)

    with Server() as server:
        seed(server)
        # the introspection query graphql-js (and GraphiQL) sends
        q = json.loads(run_oracle({"sdl": sdl, "docs": [], "wantIntrospectionQuery": True}))["introspectionQuery"]
        status, intro = server.gql(q)
        tap.ok(status == 200 and intro and "data" in intro and not intro.get("errors"),
               "introspection query answers", detail=json.dumps(intro)[:2000] if intro else status)

        for d in docs:
            path = os.path.join(HERE, "corpus", d["file"])
            rc, errs = cli_validate(path)
            d["cli"] = {"rc": rc, "messages": [e.get("message") for e in errs] if isinstance(errs, list) else None}
            is_query = "_query" in d["file"] or "_invalid" in d["file"] or "_syntax" in d["file"]
            if is_query:
                status, body = server.gql(d["query"], variables=d["variables"] or None)
                d["entityd"] = {
                    "status": status,
                    # GraphQL over HTTP with application/json: a request error (parse, validation)
                    # has no "data" entry; the status is 200 for that media type.
                    "valid": status == 200 and body is not None and "data" in body,
                    "messages": [e.get("message") for e in (body or {}).get("errors", [])],
                    "executed": status == 200 and body is not None and "data" in body,
                    "data": (body or {}).get("data"),
                }

        printed = subprocess.run([BIN, "gql", "print-schema"], capture_output=True, text=True, timeout=30).stdout
        oracle = json.loads(run_oracle({"sdl": sdl, "docs": docs,
                                        "introspection": (intro or {}).get("data"), "printed": printed}))

    core_exe = core_python()
    core = None
    if tap.ok(core_exe is not None, "graphql-core >= 3.2 is available as a second oracle"):
        core = run_core_oracle(core_exe, {"sdl": sdl, "docs": [{"file": d["file"], "query": d["query"]} for d in docs],
                                          "introspection": (intro or {}).get("data")})

    by_file = {r["file"]: r for r in oracle["docs"]}
    for d in docs:
        r = by_file[d["file"]]
        name = d["file"]
        want = "valid" if r["valid"] else "invalid"
        cli_valid = d["cli"]["rc"] == 0
        tap.ok(cli_valid == r["valid"] and d["cli"]["rc"] in (0, 1),
               f"{name}: `gql validate` agrees ({want})",
               detail=f"graphql-js: {r['messages']}\nentityd rc={d['cli']['rc']}: {d['cli']['messages']}")
        if core is not None:
            c = core["docs"][d["file"]]
            tap.ok(c["valid"] == cli_valid, f"{name}: graphql-core {core['version']} agrees ({want})",
                   detail=f"graphql-core: {c['messages']}\nentityd: {d['cli']['messages']}")
        if not r["valid"] and d["cli"]["messages"] is not None:
            tap.eq(sorted(d["cli"]["messages"]), sorted(r["messages"]), f"{name}: same validation messages")
        if "entityd" in d:
            e = d["entityd"]
            # graphql-js answers "data" for a valid document, except a request error it raises at
            # execution (a subscription on a schema without a subscription root): no "data" there.
            want_data = r["valid"] and not r.get("requestError")
            tap.ok(e["valid"] == want_data, f"{name}: HTTP status agrees ({want}: {e['status']})",
                   detail=f"graphql-js: {r['messages'] or r.get('requestError')}\nentityd: {e['messages']}")
            if r.get("requestError"):
                tap.eq(e["messages"], r["requestError"], f"{name}: same request error as graphql-js's subscribe()")
            if r["shape"] is not None:
                tap.ok(r["shape"]["ok"], f"{name}: data shape agrees with graphql-js",
                       detail=f"entityd:    {json.dumps(e['data'])[:1500]}\n"
                              f"graphql-js: {json.dumps(r['shape']['expected'])[:1500]}\n{r['shape']['errors']}")

    ir = oracle.get("introspection")
    if ir is None:
        tap.ok(False, "introspection round trip (no introspection data)")
    else:
        tap.eq(ir["breaking"], [], "introspection round trip: no breaking changes")
        tap.eq(ir["dangerous"], [], "introspection round trip: no dangerous changes")
        tap.ok(ir["printedEqual"], "introspection round trip: same printed schema",
               detail="\n---\n".join(ir["printedDiff"] or [])[:4000])
    if core is not None and core.get("introspection") is not None:
        tap.eq(core["introspection"]["breaking"], [], "graphql-core build_client_schema round trip: no breaking changes")
        tap.eq(core["introspection"]["dangerous"], [], "graphql-core build_client_schema round trip: no dangerous changes")
    tap.ok(oracle["printSchema"]["equal"], "`entityd gql print-schema` equals graphql-js printSchema",
           detail=f"entityd:\n{printed[:2000]}\ngraphql-js:\n{oracle['printSchema']['expected'][:2000]}")
    tap.done()


def core_python():
    """The first python3 whose graphql-core is 3.2 or newer, or None."""
    for exe in (shutil.which("python3"), "/usr/bin/python3", sys.executable):
        if not exe:
            continue
        p = subprocess.run([exe, "-c", "import graphql,sys; v=tuple(map(int,graphql.__version__.split('.')[:2]));"
                            "sys.exit(0 if v >= (3, 2) else 1)"], capture_output=True)
        if p.returncode == 0:
            return exe
    return None


def run_core_oracle(exe, payload):
    p = subprocess.run([exe, os.path.join(HERE, "core_oracle.py")], input=json.dumps(payload),
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        tap.ok(False, "graphql-core oracle runs", detail=p.stderr)
        return None
    return json.loads(p.stdout)


def run_oracle(payload):
    p = subprocess.run([NODE, os.path.join(HERE, "oracle.mjs"), GRAPHQL_JS], input=json.dumps(payload),
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        tap.ok(False, "graphql-js oracle runs", detail=p.stderr)
        tap.done()
    return p.stdout


if __name__ == "__main__":
    main()
