"""test_kusto_server.py -- the Kusto-protocol loopback test server (tests/kusto/kusto_server.py) itself.

Starts the server on a free 127.0.0.1 port (--port 0 --port-file) and checks, with urllib and http.client
only: v1/v2 shapes byte-for-byte against the recorded examples in shared/reference/kusto-protocol.md,
the strict refusals (quoting, bodies, macro-expand, entity references, brackets, unknown commands,
missing/existing entities), .execute database script (ContinueOnErrors, stop-at-first-failure,
ThrowOnErrors, whole-script syntax errors), .ingest inline (RFC 4180, types), the heartbeat query on a
pinned clock, async operations and their scripts, every fault kind, the token endpoints and expiry,
gzip, 413, keep-alive, the command log and a clean SIGTERM exit. TAP via tests/e2e/harness.py.
"""
import gzip
import http.client
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("ENTITYD_SRCDIR") or os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(SRCDIR, "tests", "e2e"))
from harness import tap  # noqa: E402

SERVER = os.path.join(SRCDIR, "tests", "kusto", "kusto_server.py")
spec = importlib.util.spec_from_file_location("kusto_server", SERVER)
ks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ks)

HB_SCHEMA = "Timestamp:datetime,ClusterEndpoint:string,Schema:dynamic,PartitionMetadata:dynamic"
# Recorded examples quoted in shared/reference/kusto-protocol.md
V1_EXAMPLE = ('{"TableName":"Table_0","Columns":[{"ColumnName":"a","DataType":"Int32","ColumnType":"int"}],'
              '"Rows":[[1],[2],[3]]}')
V2_EXAMPLE = [
    '[{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","IsFragmented":true,'
    '"ErrorReportingPlacement":"EndOfTable"}',
    ',{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult",'
    '"Columns":[{"ColumnName":"A","ColumnType":"int"}]}',
    ',{"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[1]]}',
    ',{"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[2], [3]]}',
    ',{"FrameType":"TableCompletion","TableId":1,"RowCount":3}',
    ',{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}',
    ']',
]
V2_DATATABLE_EXAMPLE = ('{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult",'
                        '"Columns":[{"ColumnName":"x","ColumnType":"long"}],"Rows":[[1],[2],[3],[4],[5]]}')


class KustoServer:
    def __init__(self, extra=()):
        self.dir = tempfile.mkdtemp(prefix="kusto-server-test-")
        self.port_file = os.path.join(self.dir, "port")
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen([sys.executable, SERVER, "--port", "0", "--port-file", self.port_file, *extra],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 10
        while time.time() < deadline and not os.path.exists(self.port_file):
            if self.proc.poll() is not None:
                raise RuntimeError("kusto_server.py exited at start: " + self.read_log())
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.port = int(f.read())
        self.base = f"http://127.0.0.1:{self.port}"

    def read_log(self):
        with open(os.path.join(self.dir, "server.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-4000:]

    def request(self, method, path, body=None, headers=None, timeout=10):
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def ctl(self, path, body=None):
        method = "GET" if body is None else "POST"
        st, _, b = self.request(method, "/_test/" + path, None if body is None else json.dumps(body),
                                {"Content-Type": "application/json"})
        return st, json.loads(b) if b else None

    def kusto(self, path, csl, db="Fleet", properties=None, headers=None, crid=None, timeout=10, omit=()):
        h = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
             "x-ms-client-request-id": crid or f"KTS.test;{uuid.uuid4()}", "x-ms-app": "kusto-server-test",
             "x-ms-client-version": "test/1.0"}
        for k in omit:
            h.pop(k, None)
        h.update(headers or {})
        body = {"db": db, "csl": csl}
        if properties is not None:
            body["properties"] = properties
        st, hd, b = self.request("POST", path, json.dumps(body), h, timeout)
        try:
            parsed = json.loads(b)
        except ValueError:
            parsed = None
        return st, hd, parsed, b

    def mgmt(self, csl, db="Fleet", **kw):
        st, hd, j, raw = self.kusto("/v1/rest/mgmt", csl, db, **kw)
        return st, j, raw

    def query(self, csl, db="Fleet", **kw):
        st, hd, j, raw = self.kusto("/v2/rest/query", csl, db, **kw)
        return st, j, raw

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def rows(j, table=0):
    return j["Tables"][table]["Rows"]


def colnames(j, table=0):
    return [c["ColumnName"] for c in j["Tables"][table]["Columns"]]


def records(j):
    return [dict(zip(colnames(j), r)) for r in rows(j)]


def primary(frames):
    for f in frames:
        if f.get("TableKind") == "PrimaryResult" and f["FrameType"] == "DataTable":
            return [c["ColumnName"] for c in f["Columns"]], f["Rows"]
    raise AssertionError("no PrimaryResult DataTable")


def err_code(j):
    return ((j or {}).get("error") or {}).get("code")


def refused(s, csl, code, phrase, name, db="Fleet"):
    st, j, raw = s.mgmt(csl, db)
    e = (j or {}).get("error") or {}
    ok = st == 400 and e.get("code") == code and e.get("@permanent") is True and phrase in e.get("@message", "")
    tap.ok(ok, name, detail=f"{st} {raw[:600]!r}")


def test_encoders():
    t = ks.RTable("Table_0", [("a", "int")], [[1], [2], [3]])
    tap.eq(ks.dumps(ks.v1_table(t)), V1_EXAMPLE, "v1 table encodes byte-for-byte like the recorded example")
    saved = ks.FRAGMENT_ROWS
    ks.FRAGMENT_ROWS = 1
    try:
        info = {"now": 0, "client_request_id": "c", "activity_id": str(uuid.uuid4())}
        frames = ks.v2_frames([ks.RTable("PrimaryResult", [("A", "int")], [[1], [2], [3]])],
                              {"results_v2_fragment_primary_tables": True,
                               "results_error_reporting_placement": "end_of_table"}, info)
        lines = ks.encode_v2(frames, True).decode().split("\n")
    finally:
        ks.FRAGMENT_ROWS = saved
    tap.eq(lines[0], V2_EXAMPLE[0], "v2 DataSetHeader line (fragmented, EndOfTable) is byte-for-byte the example")
    tap.eq(lines[2:4], V2_EXAMPLE[1:3], "v2 TableHeader and first TableFragment lines are byte-for-byte the example")
    frag_rows = [json.loads(x[1:])["Rows"] for x in lines if '"TableFragment"' in x]
    tap.eq(sum(frag_rows, []), [[1], [2], [3]], "v2 fragments carry the rows in order")
    tail = [x for x in lines if '"TableCompletion"' in x] + lines[-2:]
    tap.eq(tail, V2_EXAMPLE[4:], "v2 TableCompletion, DataSetCompletion and closing lines are byte-for-byte the example")
    tap.eq(ks.tokenize_all("datetime(2024-01-01T00:59:59.9999999Z)")[0].value,
           ks.parse_datetime_text("2024-01-01T01:00:00Z") - 1, "datetime literal with 7 fraction digits is exact")
    tap.eq([t.value for t in ks.tokenize_all("1h 10m 90s 2d timespan(01:30:00) timespan(1.02:03:04.0000000)")],
           [36_000_000_000, 6_000_000_000, 900_000_000, 1_728_000_000_000, 54_000_000_000,
            (26 * 3600 + 3 * 60 + 4) * 10_000_000], "timespan literals 1h 10m 90s 2d timespan(..) tokenize to ticks")
    toks = ks.tokenize_all("['a-b'] [\"c d\"] 'x\\'y' \"q\\\"r\" @'v''w' @\"C:\\dir\"")
    tap.eq([(t.kind, t.value) for t in toks],
           [("name", "a-b"), ("name", "c d"), ("string", "x'y"), ("string", 'q"r'), ("string", "v'w"),
            ("string", "C:\\dir")], "bracketed names, escaped and verbatim strings tokenize")
    tap.eq(ks.parse_csv('a,"b,""c""\nd",\r\ne,f,g\n'), [["a", 'b,"c"\nd', ""], ["e", "f", "g"]],
           "RFC 4180: quoted fields, doubled quotes, embedded newline, CRLF, empty field")


def test_protocol(s):
    crid = f"KTS.proto;{uuid.uuid4()}"
    st, hd, j, raw = s.kusto("/v1/rest/mgmt", '.show tables | where TableName == "Heartbeats" | count', crid=crid)
    tap.eq(raw.decode(), '{"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"Count","DataType":"Int64",'
                         '"ColumnType":"long"}],"Rows":[[1]]}]}',
           ".show tables | where TableName == .. | count: v1 with DataType and ColumnType, Count 1")
    tap.eq(hd.get("x-ms-client-request-id"), crid, "x-ms-client-request-id is echoed")
    st2, hd2, _, _ = s.kusto("/v1/rest/mgmt", ".show databases")
    a1, a2 = hd.get("x-ms-activity-id", ""), hd2.get("x-ms-activity-id", "")
    tap.ok(ks.GUID_TEXT_RE.match(a1) and ks.GUID_TEXT_RE.match(a2) and a1 != a2,
           "x-ms-activity-id is a fresh guid per response", detail=(a1, a2))
    st, j, raw = s.mgmt('.show tables | where TableName == "Nope" | count')
    tap.eq(rows(j), [[0]], "count over zero rows answers one row with 0 (upstream reads exactly one row)")
    st, j, _ = s.mgmt(".show databases")
    tap.ok(st == 200 and [r[0] for r in rows(j)] == ["Fleet", "Metrics"] and colnames(j)[0] == "DatabaseName"
           and rows(j)[0][3] is True, ".show databases lists the databases (IsCurrent for the db in context)",
           detail=j)
    st, j, _ = s.mgmt(".show database schema", db="Metrics")
    recs = records(j)
    tap.ok(st == 200 and recs[0]["TableName"] == "" and
           {"TableName": "Logs", "ColumnName": "Body", "ColumnType": "System.Object"}.items()
           <= next(r for r in recs if r["ColumnName"] == "Body").items(),
           ".show database schema: db row, table rows, column rows with CLR types", detail=recs)
    for what, props in (("string", json.dumps({"Options": {"results_v2_newlines_between_frames": True}})),
                        ("object", {"Options": {"results_v2_newlines_between_frames": True}})):
        st, j, raw = s.query("Nums", properties=props)
        lines = raw.decode().split("\n")
        tap.ok(st == 200 and lines[0].startswith('[{"FrameType":"DataSetHeader"') and lines[-1] == "]" and
               ("," + V2_DATATABLE_EXAMPLE) in lines,
               f"v2 DataTable is byte-for-byte the recorded example (properties as a JSON {what})", detail=raw[:800])
    props = {"Options": {"results_v2_fragment_primary_tables": True, "results_v2_newlines_between_frames": True,
                         "results_error_reporting_placement": "end_of_table"}}
    st, j, raw = s.query("Nums | take 3", properties=props)
    lines = raw.decode().split("\n")
    tap.ok(st == 200 and lines[0] == V2_EXAMPLE[0] and ',{"FrameType":"TableCompletion","TableId":1,"RowCount":3}'
           in lines and lines[-2:] == V2_EXAMPLE[-2:] and
           [json.loads(x[1:])["FrameType"] for x in lines[1:-1]] ==
           ["DataTable", "TableHeader", "TableFragment", "TableCompletion", "DataTable", "DataSetCompletion"],
           "v2 fragmented answer: header/fragment/completion frames in the recorded layout", detail=raw[:1500])
    st, j, raw = s.query("Nums | count")
    tap.ok(st == 200 and raw.startswith(b'[{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},')
           and b"\n" not in raw and primary(j) == (["Count"], [[5]]),
           "v2 without options: one line, DataTable frames, Nums | count = 5", detail=raw[:400])
    st, hd, j, raw = s.kusto("/v2/rest/query", ".show tables")
    tap.ok(st == 400 and hd.get("content-type", "").startswith("text/plain") and
           raw.startswith(b"Bad request: Control commands (starting with a dot '.') do not support api_version=v2"),
           "a dot command on /v2/rest/query is refused with the service's plain-text 400", detail=raw)
    st, hd, b = s.request("GET", "/v1/rest/auth/metadata")
    tap.eq(st, 404, "GET /v1/rest/auth/metadata answers 404 (clients fall back to public cloud)")
    for missing, name in (("x-ms-client-request-id", "x-ms-client-request-id"), ("Accept", "Accept"),
                          ("Content-Type", "Content-Type")):
        st, hd, j, raw = s.kusto("/v1/rest/mgmt", ".show databases", omit=(missing,))
        tap.ok(st == 400 and err_code(j) == "General_BadRequest" and "x-ms-activity-id" in hd,
               f"missing {name} header: 400 OneApiError", detail=raw[:300])
    st, hd, j, raw = s.kusto("/v1/rest/mgmt", ".show databases", headers={"Accept-Encoding": "gzip, deflate"})
    tap.ok(st == 200 and hd.get("content-encoding") == "gzip" and
           json.loads(gzip.decompress(raw))["Tables"][0]["TableName"] == "Table_0",
           "Accept-Encoding: gzip: the answer is gzip (Content-Encoding: gzip)", detail=hd)
    st, hd, j, raw = s.kusto("/v1/rest/mgmt", ".show databases")
    tap.ok(st == 200 and "content-encoding" not in hd, "no Accept-Encoding: the answer is not compressed")
    # keep-alive: two requests on one connection
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
    h = {"Content-Type": "application/json", "Accept": "application/json", "x-ms-client-request-id": "KTS.ka;1"}
    c.request("POST", "/v1/rest/mgmt", json.dumps({"db": "Fleet", "csl": ".show tables"}), h)
    r1 = c.getresponse()
    r1.read()
    sock1 = c.sock
    c.request("POST", "/v1/rest/mgmt", json.dumps({"db": "Fleet", "csl": ".show tables"}), h)
    r2 = c.getresponse()
    r2.read()
    tap.ok(r1.status == r2.status == 200 and c.sock is sock1 and r1.version == 11,
           "HTTP/1.1 keep-alive: two requests on one connection")
    c.close()
    # 413 without reading the body
    sk = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    sk.sendall(b"POST /v1/rest/mgmt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Accept: application/json\r\nx-ms-client-request-id: big\r\nContent-Length: 16777217\r\n\r\n")
    head = sk.recv(4096)
    sk.close()
    tap.ok(head.startswith(b"HTTP/1.1 413"), "a body over 16 MiB is refused with 413", detail=head[:200])


def test_refusals(s):
    cases = [
        (".create table my-table (a:string)", "BadRequest_SyntaxError", "must be quoted as ['my-table']",
         "unquoted table name with '-'"),
        (".create table my.table (a:string)", "BadRequest_SyntaxError", "must be quoted as ['my.table']",
         "unquoted table name with '.'"),
        (".create table my table (a:string)", "BadRequest_SyntaxError", "expected '('",
         "unquoted table name with a space"),
        (".create table 1abc (a:string)", "BadRequest_SyntaxError", "starts with a digit",
         "unquoted table name starting with a digit"),
        (".create table where (a:string)", "BadRequest_SyntaxError", "KQL keyword",
         "unquoted keyword 'where' as a table name"),
        (".create table T (project:string)", "BadRequest_SyntaxError", "KQL keyword",
         "unquoted keyword 'project' as a column name"),
        (".create-or-alter function database() { Nums }", "BadRequest_SyntaxError", "KQL keyword",
         "unquoted keyword 'database' as a function name"),
        (".create table table (x:long)", "BadRequest_SyntaxError", "KQL keyword", "unquoted keyword 'table'"),
        (".drop function function", "BadRequest_SyntaxError", "KQL keyword", "unquoted keyword 'function'"),
        (".create entity_group let (database('d'))", "BadRequest_SyntaxError", "KQL keyword",
         "unquoted keyword 'let' as an entity group name"),
        (".create table T (as:string)", "BadRequest_SyntaxError", "KQL keyword", "unquoted keyword 'as' as a column"),
        (".create table T (a:strng)", "BadRequest_SyntaxError", "expected a column type", "unknown column type"),
        (".create-or-alter function F() Nums | take 1", "BadRequest_SyntaxError", "must be enclosed in { ... }",
         "function body without braces"),
        (".create-or-alter function F() { macro-expand G ( X.T ) }", "BadRequest_SyntaxError",
         "needs 'as <Alias>'", "macro-expand without 'as Alias'"),
        (".create-or-alter function F() { macro-expand G as X { X.T } }", "BadRequest_SyntaxError",
         "enclosed in parentheses", "macro-expand subquery in braces"),
        (".create-or-alter function F() { macro-expand G as X X.T }", "BadRequest_SyntaxError",
         "parenthesised subquery", "macro-expand subquery without parentheses"),
        (".create-or-alter function F() { macro-expand entity_group G as X ( X.T ) }", "BadRequest_SyntaxError",
         "must be followed by '['", "'entity_group Name' (no brackets) in macro-expand"),
        (".create-or-alter function F() { macro-expand bestEffort=true G as X ( X.T ) }", "BadRequest_SyntaxError",
         "unknown macro-expand parameter 'bestEffort'", "unknown macro-expand parameter"),
        (".create-or-alter function F() { macro-expand G as X ( Y.T ) }", "BadRequest_SyntaxError",
         "unknown entity alias 'Y'", "macro-expand subquery through another alias"),
        (".create-or-alter function F() { macro-expand entity_group [c1] as X ( X.T ) }",
         "BadRequest_SyntaxError", "entity reference must be", "inline entity reference that is a bare name"),
        (".create entity_group G ('c1')", "BadRequest_SyntaxError", "entity reference must be",
         "entity reference that is a string"),
        (".create entity_group G (cluster(c1).database('d'))", "BadRequest_SyntaxError", "takes a string literal",
         "cluster() with an unquoted argument"),
        (".create entity_group G (cluster('c').database('d').T)", "BadRequest_SyntaxError", "can't follow database",
         "entity reference naming a table"),
        (".alter entity_group G (cluster('c'))", "BadRequest_SyntaxError", "not a bare cluster",
         "bare cluster('c') in .alter entity_group"),
        (".create entity_group G ()", "BadRequest_SyntaxError", "at least one entity", "empty entity group"),
        (".create-or-alter function F() { macro-expand G as X ( X.T }", "BadRequest_SyntaxError",
         "unbalanced brackets", "unbalanced brackets in a function body"),
        ('.show tables | where (TableName == "x"', "BadRequest_SyntaxError", "expected ')'",
         "unbalanced parentheses in a pipeline"),
        (".frobnicate", "BadRequest_SyntaxError", "unknown command '.frobnicate'", "unknown command"),
        (".show frobs", "BadRequest_SyntaxError", "unknown command '.show frobs'", "unknown .show command"),
        (".show entity_group ['abc", "BadRequest_SyntaxError", "unterminated string", "unterminated bracketed name"),
        (".create-or-alter entity_group G (cluster('c').database('d'))", "BadRequest_SyntaxError",
         "not a documented", ".create-or-alter entity_group is refused"),
        ('.show tables | where TableName = "x"', "BadRequest_SyntaxError", "expected", "'=' instead of '=='"),
        (".show tables | wher TableName == 'x'", "BadRequest_SyntaxError", "unknown query operator 'wher'",
         "unknown query operator"),
        (".create table ['a/b'] (x:long)", "BadRequest_EntityNameIsNotValid", "not a valid table name",
         "quoted name with an invalid character"),
        (".show database Nope schema", "BadRequest_DatabaseNotExist", "Nope", "unknown database in .show schema"),
        (".ingest inline into table Missing <| a", "BadRequest_TableNotExist", "Missing", "ingest into a missing table"),
        (".alter entity_group Missing (cluster('c').database('d'))", "BadRequest_EntityNotFound", "Missing",
         ".alter entity_group on a missing group"),
        (".alter-merge entity_group Missing (cluster('c').database('d'))", "BadRequest_EntityNotFound", "Missing",
         ".alter-merge entity_group on a missing group"),
        (".drop entity_group Missing", "BadRequest_EntityNotFound", "Missing", ".drop entity_group on a missing group"),
        (".show entity_group Missing", "BadRequest_EntityNotFound", "Missing", ".show entity_group on a missing group"),
        (".drop function Missing", "BadRequest_EntityNotFound", "Missing", ".drop function on a missing function"),
        (".create-or-alter function F() { macro-expand NoGroup as X ( X.T ) }", "General_BadRequest",
         "entity group 'NoGroup' was not found", "function naming a missing stored entity group"),
        (".create-or-alter function F() { NoTable | take 1 }", "General_BadRequest", "NoTable",
         "function reading a missing table"),
    ]
    for csl, code, phrase, name in cases:
        refused(s, csl, code, phrase, name)
    st, j, raw = s.mgmt(".show tables", db="Nope")
    tap.ok(st == 400 and err_code(j) == "BadRequest_DatabaseNotExist", "unknown request db: BadRequest_DatabaseNotExist",
           detail=raw[:300])
    ok_cases = [
        (".create table ['my-table'] (['col-1']:string, [\"a b\"]:long)", "quoted names with '-' and spaces"),
        (".create table ['where'] (x:long)", "a keyword as a quoted name"),
        (".create-or-alter function with (skipvalidation=\"true\") F() { macro-expand NoGroup as X ( X.T ) }",
         "skipvalidation=\"true\" skips the entity group check"),
        (".create-or-alter function F2() { macro-expand isfuzzy=true entity_group [cluster('https://a').database('d'), "
         "database('e')] as X ( X.T | take 1 ) }", "inline entity_group [..] with cluster().database() and database()"),
        (".create-or-alter function F3() { macro-expand X in Spoke ( X.T ) }", "macro-expand X in G (...) form"),
        (".create-or-alter function F4() { let G = entity_group [cluster('c').database('d')]; "
         "macro-expand G as X ( X.T ) }", "let G = entity_group [...]; macro-expand G as X"),
        (".create-or-alter function with (docstring='d', folder=\"Packages\\\\Stats\", view=true) V2() { Nums | where "
         "x > 2 }", "with (docstring, folder, view) and a local body"),
    ]
    for csl, name in ok_cases:
        st, j, raw = s.mgmt(csl, db="Metrics" if "Spoke" in csl else "Fleet")
        tap.ok(st == 200, f"accepted: {name}", detail=raw[:500])


def test_entity_groups_and_functions(s):
    st, j, _ = s.mgmt(".create entity_group G1 (cluster('https://a').database('Metrics'), database('Logs'))",
                      db="Metrics")
    tap.eq((st, rows(j)), (200, [["G1", '["cluster(\'https://a\').database(\'Metrics\')","database(\'Logs\')"]']]),
           ".create entity_group: (Name, Entities) with Entities as JSON text")
    st, j, _ = s.mgmt(".create entity_group G1 (cluster('x').database('y'))", db="Metrics")
    tap.ok(st == 400 and err_code(j) == "BadRequest_EntityAlreadyExists",
           ".create entity_group on an existing group: BadRequest_EntityAlreadyExists", detail=j)
    st, j, _ = s.mgmt(".create entity_group G1 ifnotexists (cluster('x').database('y'))", db="Metrics")
    tap.ok(st == 200 and "https://a" in rows(j)[0][1], "ifnotexists on an existing group: unchanged, no error")
    s.mgmt(".alter-merge entity_group G1 (cluster('https://b').database('Metrics'))", db="Metrics")
    s.mgmt(".alter entity_group G1 (cluster('https://c').database('Metrics'), cluster('https://b').database('Metrics'))",
           db="Metrics")
    st, state = s.ctl("state")
    tap.eq(state["databases"]["Metrics"]["entity_groups"]["G1"],
           ["cluster('https://c').database('Metrics')", "cluster('https://b').database('Metrics')"],
           ".alter-merge then .alter entity_group: state holds the altered list")
    st, j, _ = s.mgmt(".drop entity_group G1", db="Metrics")
    tap.ok(st == 200 and colnames(j) == ["Name", "Entities"] and all(r[0] != "G1" for r in rows(j)),
           ".drop entity_group answers the remaining groups")
    st, j, _ = s.mgmt(".drop entity_group G1 ifexists", db="Metrics")
    tap.eq(st, 200, ".drop entity_group ifexists on a missing group succeeds")
    st, j, _ = s.mgmt(".show function Metrics_View schema as json | project FunctionKind = todynamic(Schema).FunctionKind, "
                      "OutputColumns = todynamic(Schema).OutputColumns", db="Metrics")
    tap.ok(st == 200 and colnames(j) == ["FunctionKind", "OutputColumns"] and
           rows(j) == [["ViewFunction", [{"Name": "Col", "Type": "System.String", "CslType": "string"}]]],
           "upstream's .show function schema as json | project ...: a setup view is a ViewFunction", detail=j)
    st, j, _ = s.mgmt(".show functions | project Name", db="Metrics")
    tap.eq(rows(j), [["Metrics_View"], ["F3"]], ".show functions | project Name")
    st, j, _ = s.mgmt(".create-or-alter function with (folder='f', docstring='d') Logs(n:long, s:string = 'x') "
                      "{ Logs | take n }", db="Metrics")
    tap.eq(rows(j), [["Logs", "(n:long, s:string='x')", "{ Logs | take n }", "f", "d"]],
           ".create-or-alter function answers (Name, Parameters, Body, Folder, DocString)")
    st, j, _ = s.mgmt(".drop function Logs", db="Metrics")
    tap.eq((st, rows(j)), (200, [["Logs"]]), ".drop function answers Name")
    st, j, _ = s.mgmt(".alter-merge database Metrics policy retention softdelete = 45d", db="Metrics")
    st2, j2, _ = s.mgmt(".show database Metrics policy retention", db="Metrics")
    rec = records(j2)[0] if st2 == 200 else {}
    tap.ok(st == 200 and rec.get("EntityName") == "[Metrics]" and
           json.loads(rec.get("Policy") or "{}").get("SoftDeletePeriod") == "45.00:00:00",
           ".alter-merge database policy retention softdelete = 45d, then .show ... policy retention", detail=j2)
    st, j, _ = s.mgmt(".create-merge table Logs (Extra:string, Body:dynamic)", db="Metrics")
    st2, j2, _ = s.mgmt(".create-merge table Logs (Body:string)", db="Metrics")
    st3, state = s.ctl("state")
    tap.ok(st == 200 and st2 == 400 and state["databases"]["Metrics"]["tables"]["Logs"]["schema"] ==
           "Timestamp:datetime,Body:dynamic,Extra:string",
           ".create-merge table adds columns at the end and refuses a type change", detail=(j2, state["databases"]["Metrics"]))


SCRIPT = (".execute database script with (ContinueOnErrors=true)\n<|\n"
          "//\n.drop entity_group MetricsSpoke\n"
          "//\n.create entity_group MetricsSpoke (cluster('https://p1').database('Metrics'))\n"
          "//\n.create-or-alter function Logs() { macro-expand isfuzzy=true best_effort=true MetricsSpoke as X ( X.Logs ) }\n")


def test_script(s):
    st, j, raw = s.mgmt(SCRIPT, db="Metrics")
    recs = records(j) if st == 200 else []
    tap.ok(st == 200 and colnames(j) == ["OperationId", "CommandType", "CommandText", "Result", "Reason"] and
           [r["Result"] for r in recs] == ["Failed", "Completed", "Completed"] and "MetricsSpoke" in recs[0]["Reason"]
           and recs[1]["CommandText"].startswith(".create entity_group MetricsSpoke")
           and all(ks.GUID_TEXT_RE.match(r["OperationId"]) for r in recs),
           "adx-mon's script with ContinueOnErrors=true: the failing drop doesn't stop the others", detail=raw[:1500])
    j = s.mgmt(".show functions", db="Metrics")[1]
    tap.ok(any(r[0] == "Logs" for r in rows(j)), "the script's function was stored")
    st, j, raw = s.mgmt(SCRIPT, db="Metrics")
    tap.eq([r["Result"] for r in records(j)], ["Completed"] * 3, "rerunning the script: all three complete")
    blank = (".execute database script <|\n.create table A1 (x:long)\n\n"
             ".create-or-alter function FA() {\n  A1\n\n  //\n  | take 1\n}\n\n.create table A2 (x:long)\n")
    st, j, raw = s.mgmt(blank, db="Metrics")
    tap.ok(st == 200 and [r["Result"] for r in records(j)] == ["Completed"] * 3 and
           "| take 1" in records(j)[1]["CommandText"],
           "blank-line separation; a blank or '//' line inside a function body does not split it", detail=raw[:1200])
    docs = (".execute database script <|\n//\n// Create tables\n.create-merge table A3(a:string, b:string)\n"
            "//\n// Ingest data\n.ingest inline into table A3 <| x,y\n//\n.create table A4 (x:long)\n"
            ".create table A5 (x:long)\n")
    st, j, raw = s.mgmt(docs, db="Metrics")
    tap.ok(st == 200 and [(r["CommandType"], r["Result"]) for r in records(j)] ==
           [("TableCreateMerge", "Completed"), ("DataIngestInline", "Completed"), ("TableCreate", "Completed"),
            ("TableCreate", "Completed")] and s.ctl("state")[1]["databases"]["Metrics"]["tables"]["A3"]["rows"] ==
           [["x", "y"]], "the documented script layout (// comment lines), and statements on consecutive lines",
           detail=raw[:1500])
    stop = (".execute database script <|\n//\n.create table B1 (x:long)\n//\n.drop function NoSuch\n"
            "//\n.create table B2 (x:long)\n")
    st, j, raw = s.mgmt(stop, db="Metrics")
    state = s.ctl("state")[1]["databases"]["Metrics"]["tables"]
    tap.ok(st == 200 and [r["Result"] for r in records(j)] == ["Completed", "Failed"] and "B1" in state
           and "B2" not in state,
           "without ContinueOnErrors: stops at the first failure; earlier statements stay applied (no rollback)",
           detail=(raw[:800], list(state)))
    st, j, raw = s.mgmt(".execute database script with (ThrowOnErrors=true) <|\n.create table C1 (x:long)\n\n"
                        ".drop function NoSuch\n", db="Metrics")
    tap.ok(st == 400 and err_code(j) == "BadRequest_EntityNotFound", "ThrowOnErrors=true: the first failure is the error",
           detail=raw[:400])
    st, j, raw = s.mgmt(".execute database script with (ContinueOnErrors=true) <|\n//\n.create table D1 (x:long)\n"
                        "//\n.create table D-2 (x:long)\n", db="Metrics")
    state = s.ctl("state")[1]["databases"]["Metrics"]["tables"]
    tap.ok(st == 400 and err_code(j) == "BadRequest_SyntaxError" and "script statement 2" in j["error"]["@message"]
           and "D1" not in state, "a syntax error in any statement refuses the whole script; nothing runs",
           detail=raw[:500])
    st, j, raw = s.mgmt(SCRIPT, db="NoSuchDb")
    tap.ok(st == 400 and err_code(j) == "BadRequest_DatabaseNotExist",
           "a script sent to a missing database fails as a request (upstream's BYO-hub case)", detail=raw[:300])
    st, j, raw = s.mgmt(".execute database script with (ContinueOnErrors=true) <|\n//\n.show tables\n//\n"
                        ".create table E1 (x:long)\n", db="Metrics")
    tap.eq([r["Result"] for r in records(j)] if st == 200 else raw, ["Skipped", "Completed"],
           ".show inside a script is reported Skipped, as documented")


def hb_row(ts, ep, schema, meta):
    def q(x):
        return '"' + x.replace('"', '""') + '"'
    return f"{ts},{ep},{q(json.dumps(schema))},{q(json.dumps(meta))}"


def test_upstream_forms(s):
    """adx-mon's exact command texts (shared/reference/adx-mon-upstream.md) are accepted."""
    forms = [
        ('.show tables | where TableName == "HB2" | count', "Fleet"),
        (".create table HB2(Timestamp: datetime, ClusterEndpoint: string, Schema: dynamic, PartitionMetadata: dynamic)",
         "Fleet"),
        (".create table Traces (Timestamp:datetime, ObservedTimestamp:datetime, TraceId:string, SpanId:string, "
         "SeverityText:string, SeverityNumber:int, Body:dynamic, Resource:dynamic, Attributes:dynamic)", "Metrics"),
        (".show databases", "Fleet"),
        (".show database schema", "Metrics"),
        (".show functions | project Name", "Metrics"),
        (".show function Metrics_View schema as json | project FunctionKind = todynamic(Schema).FunctionKind, "
         "OutputColumns = todynamic(Schema).OutputColumns", "Metrics"),
        (".ingest inline into table HB2 <| 2025-05-03T12:34:56Z,https://p9.kusto.windows.net,"
         "\"[{\"\"database\"\":\"\"Metrics\"\",\"\"tables\"\":[\"\"Logs\"\"],\"\"tableSchemas\"\":{\"\"Logs\"\":"
         "\"\"['Timestamp']:System.DateTime\"\"},\"\"views\"\":null}]\",\"{\"\"region\"\":\"\"eu\\u003c\"\"}\"", "Fleet"),
    ]
    for csl, db in forms:
        st, j, raw = s.mgmt(csl, db=db)
        tap.ok(st == 200, f"upstream form accepted: {csl[:70]}", detail=raw[:500])
    hb = s.ctl("state")[1]["databases"]["Fleet"]["tables"]["HB2"]
    tap.ok(hb["schema"] == HB_SCHEMA and hb["rows"][0][3] == {"region": "eu<"} and
           hb["rows"][0][2][0]["tableSchemas"]["Logs"] == "['Timestamp']:System.DateTime",
           "upstream's heartbeat row (Go csv quoting, \\u003c escapes) is stored as typed values", detail=hb)


def test_ingest_and_heartbeats(s):
    schema = [{"database": "Metrics", "tables": ["Logs"], "views": None}]
    body = "\n".join([hb_row("2025-05-03T12:00:00Z", "https://p1", schema, {"region": "eu"}),
                      hb_row("2025-05-03T12:40:00Z", "https://p1", schema + [{"database": "X"}], {"region": "eu"}),
                      hb_row("2025-05-03T12:10:00.1234567Z", "https://p2", [], {"a": "b, \"c\""})])
    st, j, raw = s.mgmt(".ingest inline into table Heartbeats <| " + body)
    tap.ok(st == 200 and colnames(j) == ["ExtentId"] and ks.GUID_TEXT_RE.match(rows(j)[0][0]),
           ".ingest inline (Go encoding/csv rows): one ExtentId", detail=raw[:400])
    hb = s.ctl("state")[1]["databases"]["Fleet"]["tables"]["Heartbeats"]
    tap.ok(hb["schema"] == HB_SCHEMA and len(hb["rows"]) == 3 and hb["rows"][2][3] == {"a": "b, \"c\""}
           and hb["rows"][2][0] == "2025-05-03T12:10:00.1234567Z", "rows stored typed (datetime, dynamic JSON)",
           detail=hb)
    bad = [
        ("2025-05-03T12:00:00Z,https://p1,\"[]\"", "has 3 fields but table 'Heartbeats' has 4", "wrong field count"),
        ("2025-13-03T12:00:00Z,https://p1,\"[]\",\"{}\"", "column 'Timestamp' (datetime)", "invalid datetime"),
        ("2025-05-03T12:00:00Z,https://p1,\"[1,\",\"{}\"", "column 'Schema' (dynamic): not valid JSON", "invalid JSON in dynamic"),
        ("2025-05-03T12:00:00Z,https://p\"1,\"[]\",\"{}\"", "a quote inside an unquoted field", "stray quote"),
        ("2025-05-03T12:00:00Z,https://p1,\"[]\",\"{}", "unterminated quoted field", "unterminated quoted field"),
        ("2025-05-03T12:00:00.12345678Z,https://p1,\"[]\",\"{}\"", "more than 7 fractional digits",
         "datetime with 8 fraction digits"),
    ]
    for data, phrase, name in bad:
        st, j, raw = s.mgmt(".ingest inline into table Heartbeats <| " + hb_row("2025-05-03T12:00:00Z", "x", [], {}) +
                            "\n" + data)
        tap.ok(st == 400 and phrase in ((j or {}).get("error") or {}).get("@message", ""),
               f"ingest refused: {name}", detail=raw[:400])
    st, j, _ = s.mgmt(".ingest inline into table Nums <| 12x")
    tap.ok(st == 400 and "not an integer" in j["error"]["@message"], "ingest refused: long column with '12x'")
    tap.eq(len(s.ctl("state")[1]["databases"]["Fleet"]["tables"]["Heartbeats"]["rows"]), 3,
           "a refused ingest appends nothing (not even its valid rows)")

    s.ctl("clock", {"now": "2025-05-03T13:00:00Z"})
    hbq = "Heartbeats | where Timestamp > ago(1h) | summarize arg_max(Timestamp, *) by ClusterEndpoint"
    st, j, raw = s.query(hbq)
    cols, rws = primary(j)
    tap.ok(st == 200 and cols == ["ClusterEndpoint", "Timestamp", "Schema", "PartitionMetadata"] and
           sorted(rws) == sorted([["https://p1", "2025-05-03T12:40:00Z", schema + [{"database": "X"}], {"region": "eu"}],
                                  ["https://p2", "2025-05-03T12:10:00.1234567Z", [], {"a": "b, \"c\""}]]),
           "heartbeat query at 13:00: latest row per endpoint within 1h, dynamic as JSON values", detail=raw[:1500])
    s.ctl("clock", {"advance_s": 20 * 60})
    st, j, raw = s.query(hbq)
    tap.eq([r[0] for r in primary(j)[1]], ["https://p1"], "clock moved to 13:20: p2 (12:10) aged out, p1 stays")
    st, j, raw = s.query("Heartbeats | where Timestamp > ago(timespan(01:30:00.0000000)) | summarize "
                         "arg_max(Timestamp, Schema) by ClusterEndpoint")
    cols, rws = primary(j)
    tap.ok(cols == ["ClusterEndpoint", "Timestamp", "Schema"] and len(rws) == 2,
           "upstream's form with timespan(01:30:00.0000000) and arg_max(Timestamp, Schema)", detail=raw[:800])
    for ts in ("2h", "90m", "5400s", "1d"):
        st, j, _ = s.query(f"Heartbeats | where Timestamp > ago({ts}) | count")
        tap.ok(st == 200 and primary(j)[1][0][0] in (2, 3), f"ago({ts}) parses and filters", detail=j)
    s.ctl("clock", {"now": "2025-05-04T00:00:00Z"})
    st, j, _ = s.query(hbq)
    tap.eq(primary(j)[1], [], "clock at the next day: no live endpoints (zero rows)")
    st, c = s.ctl("clock", {"now": None})
    tap.eq(c["pinned"], False, "POST /_test/clock {now: null} releases the clock")
    st, j, raw = s.query("Heartbeats | where Timestamp > \"2025\"")
    tap.ok(st == 400 and "Cannot compare" in raw.decode(), "comparing datetime with string is a semantic error",
           detail=raw[:300])
    st, j, raw = s.query("NoTable | count")
    tap.ok(st == 400 and "NoTable" in raw.decode(), "query on a missing table: semantic error", detail=raw[:300])


SOA = (".set-or-append async Summary with (extend_schema=true) <| let _startTime=datetime({s});\n"
       "let _endTime=datetime({e});\n{body}")


def test_operations(s):
    body = "Nums | summarize Count = count() by bin(x, 2)"
    st, j, raw = s.mgmt(SOA.format(s="2024-01-01T00:00:00Z", e="2024-01-01T00:59:59.9999999Z", body=body))
    tap.ok(st == 200 and j["Tables"][0]["Columns"] == [{"ColumnName": "OperationId", "DataType": "Guid",
                                                        "ColumnType": "guid"}] and ks.GUID_TEXT_RE.match(rows(j)[0][0]),
           ".set-or-append async: one row, OperationId (Guid/guid)", detail=raw[:400])
    op1 = rows(j)[0][0]
    st, j, raw = s.mgmt(SOA.format(s="2024-01-01T01:00:00Z", e="2024-01-01T01:59:59.9999999Z",
                                   body='let _region="eu";\n' + body))
    op2 = rows(j)[0][0]
    state = s.ctl("state")[1]
    o = state["operations"].get(op1, {})
    tap.ok(state["operation_order"] == [op1, op2] and list(state["operations"]) == [op1, op2] and
           o.get("start") == "2024-01-01T00:00:00Z" and o.get("end") == "2024-01-01T00:59:59.9999999Z" and
           o.get("table") == "Summary" and o.get("db") == "Fleet" and o.get("body") == body,
           "/_test/state keeps every submission in order with its window and body", detail=state["operations"])
    st, j, raw = s.mgmt(f".show operations {op1}")
    tap.ok(st == 200 and colnames(j) == [c for c, _ in ks.OPERATION_COLUMNS] and records(j)[0]["State"] == "Completed"
           and records(j)[0]["ShouldRetry"] is False and j["Tables"][0]["Columns"][9]["DataType"] == "Boolean",
           ".show operations <id>: default Completed at the first lookup; ShouldRetry is a bool", detail=raw[:800])
    s.ctl("operations", {op2: [{"State": "InProgress"}, {"State": "Failed", "Status": "boom", "ShouldRetry": True}]})
    upstream = (f'.show operations | where OperationId == "{op2}" | summarize arg_max(LastUpdatedOn, OperationId, '
                f'State, ShouldRetry, Status) | project LastUpdatedOn, OperationId = tostring(OperationId), State, '
                f'ShouldRetry = todouble(ShouldRetry), Status')
    seen = []
    for _ in range(3):
        st, j, raw = s.mgmt(upstream)
        seen.append([(r["State"], r["ShouldRetry"], r["Status"]) for r in records(j)] if st == 200 else raw)
    tap.eq(seen, [[("InProgress", 0.0, "")], [("Failed", 1.0, "boom")], [("Failed", 1.0, "boom")]],
           "upstream's .show operations | where | summarize arg_max | project: one step per lookup, last sticks")
    tap.eq([c["ColumnType"] for c in j["Tables"][0]["Columns"]], ["datetime", "string", "string", "real", "string"],
           "the projection's types follow Kusto (tostring -> string, todouble -> real)")
    st, j, _ = s.mgmt(f".show operations {uuid.uuid4()}")
    tap.eq((st, rows(j)), (200, []), ".show operations <unknown id>: zero rows")
    st, j, _ = s.mgmt(upstream.replace(op2, str(uuid.uuid4())))
    tap.ok(st == 200 and len(rows(j)) == 1 and records(j)[0]["State"] == "" and records(j)[0]["OperationId"] == "",
           "upstream's form for an unknown id: summarize gives one row with an empty State (upstream: not found)",
           detail=j)
    st, j, _ = s.mgmt(f".show operations ({op1}, {op2})")
    tap.eq(sorted(r[0] for r in rows(j)), sorted([op1, op2]), ".show operations (id1, id2)")
    s.ctl("operations", {"default": [{"State": "InProgress"}, {"Missing": True}]})
    st, j, _ = s.mgmt(SOA.format(s="2024-01-01T02:00:00Z", e="2024-01-01T02:59:59.9999999Z", body=body))
    op3 = rows(j)[0][0]
    a = records(s.mgmt(f".show operations {op3}")[1])
    b = rows(s.mgmt(f".show operations {op3}")[1])
    tap.ok([r["State"] for r in a] == ["InProgress"] and b == [], "a default script with a Missing step: "
           "InProgress, then no record", detail=(a, b))
    s.ctl("operations", {"default": None})
    refusals = [
        (SOA.format(s="2024-01-01T00:00:00Z", e="2024-01-01T00:00:00Z", body=body), "must be before",
         "start not before end"),
        (SOA.format(s="2024-01-01T00:00:00Z", e="2024-01-01T01:00:00Z", body=body).replace(";\nlet _endTime", "; let _endTime"),
         "on the next line", "the two lets not newline-separated"),
        (SOA.format(s="2024-01-01T00:00:00Z", e="2024-01-01T01:00:00Z", body=body).replace("let _startTime", "let _start"),
         "'let _startTime=datetime(<start>);'", "a different let name"),
        (SOA.format(s="2024-01-01T00:00:00.123456789Z", e="2024-01-01T01:00:00Z", body=body), "fractional digits",
         "datetime with 9 fraction digits"),
        (SOA.format(s="2024-01-01T00:00:00Z", e="2024-01-01T01:00:00Z", body="NoTable | count"), "NoTable",
         "body reading a missing table"),
        (SOA.format(s="2024-01-01T00:00:00Z", e="2024-01-01T01:00:00Z", body="Nums | where (x > 1"), "expected ')'",
         "unbalanced body"),
    ]
    for csl, phrase, name in refusals:
        st, j, raw = s.mgmt(csl)
        tap.ok(st == 400 and phrase in raw.decode(), f".set-or-append refused: {name}", detail=raw[:500])
    tap.eq(len(s.ctl("state")[1]["operation_order"]), 3, "refused submissions record no operation")


def test_faults(s):
    st, j = s.ctl("faults", {"faults": [{"path": "/v1/rest/mgmt", "status": 429, "retry_after": 2, "count": 2}]})
    results = [s.kusto("/v1/rest/mgmt", ".show databases") for _ in range(3)]
    (s1, h1, j1, _), (s2, _, _, _), (s3, _, _, _) = results
    tap.ok(s1 == 429 and s2 == 429 and s3 == 200 and h1.get("retry-after") == "2" and
           j1["error"]["@permanent"] is False and j1["error"]["code"] == "Too many requests",
           "429 fault with count 2 and Retry-After: twice 429 (@permanent false), then 200", detail=j1)
    s.ctl("faults", {"faults": [{"status": 503}, {"status": 400}, {"status": 500, "permanent": True}]})
    perm = [s.mgmt(".show databases")[1]["error"]["@permanent"] for _ in range(3)]
    tap.eq(perm, [False, True, True], "@permanent: false for 5xx, true for 400, overridable")
    s.ctl("faults", {"faults": [{"status": 502, "plain_text": "upstream connect error"}]})
    st, hd, j, raw = s.kusto("/v1/rest/mgmt", ".show databases")
    tap.ok(st == 502 and raw == b"upstream connect error" and hd["content-type"].startswith("text/plain"),
           "plain_text fault body")
    s.ctl("faults", {"faults": [{"status": 500, "body": {"error": {"code": "X", "@permanent": False}}}]})
    st, j, raw = s.mgmt(".show databases")
    tap.eq((st, j), (500, {"error": {"code": "X", "@permanent": False}}), "fault with an explicit JSON body")
    s.ctl("faults", {"faults": [{"match": r"^\.ingest", "status": 500}]})
    st1 = s.mgmt(".show databases")[0]
    st2 = s.mgmt(".ingest inline into table Nums <| 6")[0]
    tap.eq((st1, st2), (200, 500), "match (regex on csl) picks the request the fault applies to")
    s.ctl("faults", {"faults": [{"path": "/v2/rest/query", "status": 504}]})
    tap.eq((s.mgmt(".show databases")[0], s.query("Nums | count")[0]), (200, 504), "path restricts a fault")
    # delay: a client timeout, while other requests are answered meanwhile
    s.ctl("faults", {"faults": [{"match": "slow", "delay_ms": 1200}]})
    t0 = time.time()
    try:
        s.kusto("/v1/rest/mgmt", ".show tables | where TableName == 'slow'", timeout=0.4)
        timed_out = False
    except (socket.timeout, TimeoutError, urllib.error.URLError):
        timed_out = True
    t1 = time.time()
    st = s.mgmt(".show databases")[0]
    t2 = time.time()
    tap.ok(timed_out and t1 - t0 < 1.0 and st == 200 and t2 - t1 < 0.5,
           "delay_ms makes a client time out and does not block other requests", detail=(timed_out, t1 - t0, t2 - t1))
    s.ctl("faults", {"faults": [{"match": "delayed-ok", "delay_ms": 300}]})
    t0 = time.time()
    st = s.mgmt(".show tables | where TableName == 'delayed-ok'")[0]
    tap.ok(st == 200 and time.time() - t0 >= 0.3, "a delay-only fault answers normally after the delay")
    # partial failures
    s.ctl("faults", {"faults": [{"path": "/v2/rest/query", "kind": "one_api_partial"}]})
    st, j, raw = s.query("Nums | take 2")
    cols, rws = primary(j)
    done = j[-1]
    tap.ok(st == 200 and rws[:2] == [[1], [2]] and "OneApiErrors" in rws[-1] and done["HasErrors"] is True and
           done["OneApiErrors"][0]["error"]["code"] == "LimitsExceeded" and
           done["OneApiErrors"][0]["error"]["@permanent"] is False,
           "one_api_partial (v2): 200, an OneApiErrors row in the table, HasErrors true", detail=raw[-900:])
    s.ctl("faults", {"faults": [{"path": "/v2/rest/query", "kind": "one_api_partial"}]})
    st, j, raw = s.query("Nums | take 2", properties={"Options": {"results_v2_fragment_primary_tables": True,
                                                                 "results_error_reporting_placement": "end_of_table"}})
    comp = [f for f in j if f["FrameType"] == "TableCompletion"][0]
    tap.ok(st == 200 and comp.get("OneApiErrors") and comp["RowCount"] == 2 and j[-1]["HasErrors"] is True,
           "one_api_partial with end_of_table: errors in TableCompletion and DataSetCompletion", detail=raw[-900:])
    s.ctl("faults", {"faults": [{"path": "/v2/rest/query", "kind": "v1_exceptions"}]})
    st, j, raw = s.query("Nums | take 1")
    tap.ok(st == 200 and isinstance(j, list) and j[-1]["HasErrors"] is True,
           "v1_exceptions on /v2/rest/query still answers in the v2 shape", detail=raw[-300:])
    for kind in ("v1_exceptions", "one_api_partial"):
        s.ctl("faults", {"faults": [{"path": "/v1/rest/mgmt", "kind": kind}]})
        st, j, raw = s.mgmt(".show databases")
        tap.ok(st == 200 and isinstance(rows(j)[-1], dict) and rows(j)[-1].get("Exceptions") and j.get("Exceptions"),
               f"{kind} on /v1/rest/mgmt: 200 with an Exceptions row and root Exceptions", detail=raw[-500:])
    s.ctl("faults", {"faults": [{"kind": "v1_exceptions", "match": "create table"}]})
    st, j, raw = s.mgmt(".create table Partial1 (x:long)")
    tap.ok(st == 200 and "Partial1" not in s.ctl("state")[1]["databases"]["Fleet"]["tables"],
           "a partial fault on a state-changing command does not apply it (execute defaults to false)")
    s.ctl("faults", {"faults": [{"kind": "malformed"}]})
    st, hd, j, raw = s.kusto("/v1/rest/mgmt", ".show databases")
    tap.ok(st == 200 and j is None and raw.startswith(b'{"Tables":['), "malformed: 200 with a truncated JSON body",
           detail=raw)
    s.ctl("faults", {"faults": [{"kind": "drop_connection"}]})
    try:
        s.mgmt(".show databases")
        dropped = False
    except (http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError):
        dropped = True
    tap.ok(dropped, "drop_connection: the socket closes without an answer")
    tap.eq(s.mgmt(".show databases")[0], 200, "the next request is answered normally")
    n = len(s.ctl("state")[1]["commands"])
    s.ctl("faults", {"faults": [{"status": 500}]})
    s.mgmt(".show databases")
    st, c = s.ctl(f"commands?since={n}")
    e = c["commands"][0] if c["commands"] else {}
    tap.ok(c["next"] == n + 1 and e.get("fault") == "http" and e.get("status") == 500 and
           e.get("x_ms_app") == "kusto-server-test" and e.get("x_ms_client_version") == "test/1.0" and
           e.get("client_request_id", "").startswith("KTS.test;") and e.get("csl") == ".show databases" and
           e.get("db") == "Fleet" and e.get("path") == "/v1/rest/mgmt",
           "the command log records faulted requests with their headers (/_test/commands?since=N)", detail=c)
    st, j = s.ctl("faults", {"faults": [{"kind": "nope"}]})
    tap.eq(st, 400, "an unknown fault kind is refused")


def test_tokens(s):
    s.ctl("auth", {"require": True, "static_tokens": ["static-1"], "token_ttl_s": 1,
                   "client_secrets": {"app-1": "s3cret"}})
    st, hd, b = s.request("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fk")
    tap.ok(st == 400 and json.loads(b)["error"] == "bad_request_102", "IMDS without 'Metadata: true': bad_request_102")
    st, hd, b = s.request("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fk"
                                 "&client_id=mi-1", headers={"Metadata": "true"})
    tok = json.loads(b)
    tap.ok(st == 200 and all(isinstance(tok[k], str) for k in ("access_token", "refresh_token", "expires_in",
                                                               "expires_on", "not_before", "resource", "token_type"))
           and tok["expires_in"] == "1" and tok["resource"] == "https://k" and tok["token_type"] == "Bearer",
           "IMDS token: every field a string, expires_in = token_ttl_s", detail=tok)
    form = {"client_id": "app-1", "scope": "https://k/.default", "client_secret": "wrong",
            "grant_type": "client_credentials"}
    fh = {"Content-Type": "application/x-www-form-urlencoded"}
    st, hd, b = s.request("POST", "/tenant-1/oauth2/v2.0/token", urllib.parse.urlencode(form), fh)
    tap.ok(st == 400 and json.loads(b)["error"] == "invalid_client", "AAD v2 with a wrong secret: 400 invalid_client")
    st, hd, b = s.request("POST", "/tenant-1/oauth2/v2.0/token", urllib.parse.urlencode(dict(form, client_id="x")), fh)
    tap.ok(st == 400 and json.loads(b)["error"] == "unauthorized_client", "AAD v2 with an unknown client")
    st, hd, b = s.request("POST", "/tenant-1/oauth2/v2.0/token",
                          urllib.parse.urlencode(dict(form, scope="https://k")), fh)
    tap.ok(st == 400 and json.loads(b)["error"] == "invalid_scope", "AAD v2 with a scope lacking /.default")
    st, hd, b = s.request("POST", "/tenant-1/oauth2/v2.0/token",
                          urllib.parse.urlencode(dict(form, client_secret="s3cret")), fh)
    aad = json.loads(b)
    tap.ok(st == 200 and aad["token_type"] == "Bearer" and aad["expires_in"] == 1 and aad["access_token"],
           "AAD v2 client credentials: token with a numeric expires_in", detail=aad)
    st = s.mgmt(".show databases")[0]
    st2, hd2, j2, raw2 = s.kusto("/v1/rest/mgmt", ".show databases", headers={"Authorization": "Bearer nope"})
    tap.ok(st == 401 and st2 == 401 and hd2["content-type"].startswith("text/plain") and b"Unauthorized" in raw2,
           "auth required: no token or an unknown token -> 401 plain text", detail=raw2)
    ok = [s.kusto("/v1/rest/mgmt", ".show databases", headers={"Authorization": f"Bearer {t}"})[0]
          for t in (tok["access_token"], aad["access_token"], "static-1")]
    tap.eq(ok, [200, 200, 200], "IMDS, AAD and static tokens are accepted")
    log = s.ctl("commands?since=0")[1]["commands"]
    tap.eq(log[-1]["authorization"], "Bearer static-1", "the command log records the Authorization header")
    time.sleep(1.1)
    st, hd, j, raw = s.kusto("/v1/rest/mgmt", ".show databases", headers={"Authorization": f"Bearer {tok['access_token']}"})
    tap.ok(st == 401 and b"expired" in raw, "an issued token expires after token_ttl_s: 401", detail=raw)
    st, hd, b = s.request("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fk",
                          headers={"Metadata": "true"})
    fresh = json.loads(b)["access_token"]
    st = s.kusto("/v1/rest/mgmt", ".show databases", headers={"Authorization": f"Bearer {fresh}"})[0]
    tap.ok(st == 200 and fresh != tok["access_token"], "a refreshed token is new and accepted")
    s.ctl("faults", {"faults": [{"path": "/metadata/identity/oauth2/token", "status": 429}]})
    st, hd, b = s.request("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x",
                          headers={"Metadata": "true"})
    tap.eq(st, 429, "faults with an explicit path apply to the token endpoints too")
    reqs = s.ctl("state")[1]["token_requests"]
    tap.ok(len(reqs) >= 7 and reqs[-1]["status"] == 429 and reqs[0]["endpoint"] == "imds",
           "token requests are recorded in /_test/state", detail=reqs[-2:])
    s.ctl("auth", {"require": False})


def main():
    test_encoders()
    s = KustoServer()
    try:
        st, _ = s.ctl("setup", {"databases": {
            "Fleet": {"tables": {"Heartbeats": HB_SCHEMA, "Nums": "x:long"}, "rows": {"Nums": [[1], [2], [3], [4], [5]]}},
            "Metrics": {"tables": {"Logs": "Timestamp:datetime,Body:dynamic"}, "views": {"Metrics_View": "Col:string"},
                        "entity_groups": {"Spoke": ["cluster('https://p1').database('Metrics')"]}, "retentionDays": 30},
        }})
        tap.eq(st, 200, "POST /_test/setup creates databases, tables, views, rows and entity groups")
        test_protocol(s)
        test_refusals(s)
        test_entity_groups_and_functions(s)
        test_script(s)
        test_upstream_forms(s)
        test_ingest_and_heartbeats(s)
        test_operations(s)
        test_faults(s)
        test_tokens(s)
        st, _ = s.ctl("reset", {})
        st2, state = s.ctl("state")
        tap.ok(st == 200 and state["databases"] == {} and state["commands"] == [] and state["operations"] == {},
               "POST /_test/reset forgets everything")
    finally:
        t0 = time.time()
        rc = s.stop()
        tap.ok(rc == 0 and time.time() - t0 < 5, "SIGTERM: clean exit (status 0)", detail=(rc, s.read_log()))
        log = s.read_log()
        tap.ok("Traceback" not in log, "the server logged no Python traceback", detail=log)
        if not tap.failed:
            shutil.rmtree(s.dir, ignore_errors=True)
    tap.done()


if __name__ == "__main__":
    main()
