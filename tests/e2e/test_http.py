"""test_http.py -- end-to-end tests of the HTTP layer against the real entityd binary: GraphQL
over HTTP (media types, status codes, GET decoding, operationName), every bad-input case with
its status and error body, API-Key authentication, CORS, /healthz, /metrics, /graphiql, and
a clean exit on SIGTERM and SIGINT."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, SRCDIR, Server, free_port, tap  # noqa: E402

ORIGIN = "http://app.example.test"


def jbody(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None


def first_error(doc):
    try:
        return doc["errors"][0]
    except (TypeError, KeyError, IndexError):
        return {}


def check_error(status, headers, raw, want_status, want_code, want_text, name):
    """Asserts an HTTP-level error: status, a GraphQL-shaped body and its code/message."""
    doc = jbody(raw)
    err = first_error(doc)
    ok = (status == want_status and isinstance(doc, dict) and "data" not in doc
          and err.get("extensions", {}).get("code") == want_code and want_text in err.get("message", ""))
    tap.ok(ok, name, detail=f"status={status} body={raw[:500]!r}")


def raw_http(port, data, timeout=10):
    """Sends raw bytes and returns (status, headers, body) of the response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sk:
        sk.sendall(data)
        chunks = []
        try:
            while True:
                b = sk.recv(65536)
                if not b:
                    break
                chunks.append(b)
                resp = b"".join(chunks)
                if b"\r\n\r\n" in resp:
                    head, _, body = resp.partition(b"\r\n\r\n")
                    cl = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
                    if cl and len(body) >= int(cl[0].split(b":")[1]):
                        break
        except (ConnectionResetError, socket.timeout):
            pass
    resp = b"".join(chunks)
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers[k.decode().strip().lower()] = v.decode().strip()
    return status, headers, body


def post(s, body, ctype="application/json", accept="application/json", key="admin", extra=None):
    h = {}
    if ctype is not None:
        h["Content-Type"] = ctype
    if accept is not None:
        h["Accept"] = accept
    k = s.admin_key if key == "admin" else key
    if k:
        h["API-Key"] = k
    h.update(extra or {})
    return s.request("POST", "/graphql", body, h)


def get(s, params, accept="application/json", key="admin"):
    h = {"Accept": accept} if accept else {}
    k = s.admin_key if key == "admin" else key
    if k:
        h["API-Key"] = k
    return s.request("GET", "/graphql?" + params, None, h)


def test_graphql_basics(s):
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}))
    tap.eq((st, jbody(raw)), (200, {"data": {"__typename": "Query"}}), "POST { __typename } answers Query")
    tap.ok(h.get("content-type", "").startswith("application/json"), "application/json response by default",
           detail=h)
    tap.ok("charset=utf-8" in h.get("content-type", ""), "response declares charset=utf-8", detail=h)

    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), accept=None)
    tap.ok(st == 200 and h.get("content-type", "").startswith("application/json"), "no Accept -> application/json")
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), accept="*/*")
    tap.ok(st == 200 and h.get("content-type", "").startswith("application/json"), "Accept */* -> application/json")
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), accept="application/graphql-response+json")
    tap.ok(st == 200 and h.get("content-type", "").startswith("application/graphql-response+json"),
           "Accept application/graphql-response+json is honoured", detail=h)
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}),
                      accept="application/json;q=0.5, application/graphql-response+json")
    tap.ok(h.get("content-type", "").startswith("application/graphql-response+json"), "Accept q-values decide",
           detail=h)
    for accept, want in (("application/graphql-response+json, application/json", "application/graphql-response+json"),
                         ("application/json, application/graphql-response+json", "application/json"),
                         ("application/*", "application/json"),
                         ("text/html, */*;q=0.1", "application/json"),
                         ("text/html;q=0.9, application/graphql-response+json;q=0.8", "application/graphql-response+json"),
                         ("APPLICATION/JSON", "application/json")):
        st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), accept=accept)
        tap.ok(st == 200 and h.get("content-type", "").startswith(want), f"Accept {accept!r} -> {want}", detail=h)
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), ctype="application/json; charset=UTF-8")
    tap.eq(st, 200, "Content-Type with charset=UTF-8 accepted")

    # Parse errors: 200 with application/json, 400 with application/graphql-response+json, never data.
    st, h, raw = post(s, json.dumps({"query": "{"}))
    doc = jbody(raw)
    tap.ok(st == 200 and doc and "errors" in doc and "data" not in doc, "parse error: 200 + errors (application/json)",
           detail=raw)
    st, h, raw = post(s, json.dumps({"query": "{"}), accept="application/graphql-response+json")
    doc = jbody(raw)
    tap.ok(st == 400 and doc and "errors" in doc and "data" not in doc,
           "parse error: 400 (application/graphql-response+json)", detail=raw)
    st, h, raw = post(s, json.dumps({"query": "{ noSuchField }"}), accept="application/graphql-response+json")
    tap.ok(st == 400 and "errors" in (jbody(raw) or {}), "validation error: 400 (graphql-response+json)", detail=raw)

    # Variables
    q = "query T($n: String!) { __type(name: $n) { name } }"
    st, h, raw = post(s, json.dumps({"query": q, "variables": {"n": "Query"}}))
    tap.eq((st, jbody(raw)), (200, {"data": {"__type": {"name": "Query"}}}), "POST with variables")
    st, h, raw = post(s, json.dumps({"query": q, "variables": {"n": None}}), accept="application/graphql-response+json")
    tap.ok(st == 400 and "errors" in (jbody(raw) or {}), "variable coercion failure: 400 (graphql-response+json)",
           detail=raw)

    # operationName selects among several operations
    doc2 = "query A { a: __typename } query B { b: __typename }"
    st, h, raw = post(s, json.dumps({"query": doc2, "operationName": "B"}))
    tap.eq((st, jbody(raw)), (200, {"data": {"b": "Query"}}), "operationName B runs operation B")
    st, h, raw = post(s, json.dumps({"query": doc2, "operationName": "A"}))
    tap.eq(jbody(raw), {"data": {"a": "Query"}}, "operationName A runs operation A")
    st, h, raw = post(s, json.dumps({"query": doc2}), accept="application/graphql-response+json")
    tap.ok(st == 400 and "errors" in (jbody(raw) or {}), "several operations without operationName: request error",
           detail=raw)


def test_get(s):
    # '+' is a space and %XX is decoded (application/x-www-form-urlencoded)
    st, h, raw = get(s, "query=%7B+__typename+%7D")
    tap.eq((st, jbody(raw)), (200, {"data": {"__typename": "Query"}}), "GET with + and %-encoding")
    params = urllib.parse.urlencode({"query": "query Q($n: String!) { __type(name: $n) { name } } query R { r: __typename }",
                                     "variables": json.dumps({"n": "Query"}), "operationName": "Q"})
    st, h, raw = get(s, params)
    tap.eq((st, jbody(raw)), (200, {"data": {"__type": {"name": "Query"}}}), "GET with variables and operationName")
    st, h, raw = get(s, "query=%7B+__typename+%7D&operationName=")
    tap.eq(st, 200, "GET with empty operationName")

    st, h, raw = get(s, "query=mutation+%7B+__typename+%7D")
    doc = jbody(raw)
    tap.ok(st == 405 and "POST" in h.get("allow", "") and doc and "errors" in doc and "data" not in doc,
           "mutation over GET: 405 with Allow: POST", detail=f"{st} {h} {raw!r}")
    st, h, raw = get(s, "query=mutation+%7B+__typename+%7D", accept="application/graphql-response+json")
    tap.eq(st, 405, "mutation over GET: 405 with graphql-response+json too")

    st, h, raw = get(s, "query=%7B+__typename+%7D&variables=%7Bnot-json")
    check_error(st, h, raw, 400, "BAD_REQUEST", "variables", "GET with non-JSON variables: 400")
    st, h, raw = get(s, "query=%7B+__typename+%7D&variables=%5B1%5D")
    check_error(st, h, raw, 400, "BAD_REQUEST", "variables", "GET with array variables: 400")
    st, h, raw = get(s, "operationName=x")
    check_error(st, h, raw, 400, "BAD_REQUEST", "query", "GET without query: 400")
    st, h, raw = get(s, "query=%7B+__typename+%FF%7D")
    check_error(st, h, raw, 400, "BAD_REQUEST", "UTF-8", "GET with invalid UTF-8 in query: 400")


def test_bad_input(s):
    q = json.dumps({"query": "{ __typename }"})
    st, h, raw = post(s, q, accept="text/html")
    check_error(st, h, raw, 406, "NOT_ACCEPTABLE", "Accept", "Accept text/html: 406")
    st, h, raw = post(s, q, accept="application/json;q=0")
    check_error(st, h, raw, 406, "NOT_ACCEPTABLE", "Accept", "Accept application/json;q=0: 406")

    st, h, raw = post(s, "{ __typename }", ctype="text/plain")
    check_error(st, h, raw, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", "text/plain body: 415")
    st, h, raw = post(s, "query={}", ctype="application/x-www-form-urlencoded")
    check_error(st, h, raw, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", "form body: 415")
    st, h, raw = post(s, q, ctype=None)
    check_error(st, h, raw, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", "no Content-Type: 415")
    st, h, raw = post(s, q, ctype="application/json; charset=utf-16")
    check_error(st, h, raw, 415, "UNSUPPORTED_MEDIA_TYPE", "charset", "charset=utf-16: 415")

    st, h, raw = post(s, '{ "not a JSON')
    check_error(st, h, raw, 400, "BAD_REQUEST", "not valid JSON", "non-JSON body: 400 with a GraphQL-shaped error")
    st, h, raw = post(s, '{ "not a JSON', accept="application/graphql-response+json")
    check_error(st, h, raw, 400, "BAD_REQUEST", "not valid JSON", "non-JSON body: 400 (graphql-response+json)")
    tap.ok(h.get("content-type", "").startswith("application/graphql-response+json"),
           "error body uses the negotiated media type", detail=h)
    st, h, raw = post(s, b'{"query":"{ __typename \xff\xfe }"}')
    check_error(st, h, raw, 400, "BAD_REQUEST", "not valid UTF-8", "invalid UTF-8 body: 400 with a clear error")
    st, h, raw = post(s, b'{"query":"{ __typename \xed\xa0\x80 }"}')
    check_error(st, h, raw, 400, "BAD_REQUEST", "not valid UTF-8", "UTF-8 surrogate in body: 400")
    st, h, raw = post(s, "")
    check_error(st, h, raw, 400, "BAD_REQUEST", "empty", "empty body: 400")
    st, h, raw = post(s, '["{ __typename }"]')
    check_error(st, h, raw, 400, "BAD_REQUEST", "JSON object", "JSON array body: 400")
    st, h, raw = post(s, '"{ __typename }"')
    check_error(st, h, raw, 400, "BAD_REQUEST", "JSON object", "JSON string body: 400")
    st, h, raw = post(s, json.dumps({"qeury": "{ __typename }"}))
    check_error(st, h, raw, 400, "BAD_REQUEST", "missing", "query missing: 400")
    for bad in (1, True, {"a": 1}, ["x"]):
        st, h, raw = post(s, json.dumps({"query": bad}))
        check_error(st, h, raw, 400, "BAD_REQUEST", "must be a string", f"query {type(bad).__name__}: 400")
    for bad in ("x", 0, ["a"]):
        st, h, raw = post(s, json.dumps({"query": "{ __typename }", "variables": bad}))
        check_error(st, h, raw, 400, "BAD_REQUEST", "variables", f"variables {type(bad).__name__}: 400")
    st, h, raw = post(s, json.dumps({"query": "{ __typename }", "operationName": 5}))
    check_error(st, h, raw, 400, "BAD_REQUEST", "operationName", "operationName number: 400")
    st, h, raw = post(s, json.dumps({"query": "{ __typename }", "extensions": "x"}))
    check_error(st, h, raw, 400, "BAD_REQUEST", "extensions", "extensions string: 400")
    st, h, raw = post(s, json.dumps({"query": "{ __typename }", "variables": None, "operationName": None,
                                     "extensions": None}))
    tap.eq((st, jbody(raw)), (200, {"data": {"__typename": "Query"}}), "null variables/operationName/extensions")

    st, h, raw = s.request("PUT", "/graphql", q, {"Content-Type": "application/json", "API-Key": s.admin_key})
    check_error(st, h, raw, 405, "METHOD_NOT_ALLOWED", "GET or POST", "PUT /graphql: 405")
    tap.ok("POST" in h.get("allow", ""), "PUT /graphql: Allow header lists POST", detail=h)
    st, h, raw = s.request("GET", "/no/such/path")
    check_error(st, h, raw, 404, "NOT_FOUND", "/no/such/path", "unknown path: 404")


def test_error_amplification(s):
    """A small document or variables object must not turn into a huge error response: validation stops at 100
    errors (graphql-js maxErrors), and a coercion error prints at most about 1 KB of the offending value."""
    fields = []
    while len("{" + " ".join(fields) + "}") < 1900:
        fields.append("x:__typename" if len(fields) % 2 else "x:__schema{__typename}")
    q = "{" + " ".join(fields) + "}"
    st, h, raw = post(s, json.dumps({"query": q}))
    errs = (jbody(raw) or {}).get("errors") or []
    msgs = [e.get("message", "") for e in errs]
    tap.ok(st == 200 and len(raw) < 64 * 1024 and 100 < len(errs) <= 102 and
           "Too many validation errors, error limit reached. Validation aborted." in msgs,
           f"{len(fields)} conflicting fields ({len(q)} bytes): 100 errors and the abort, not one per pair",
           detail=f"status={st} bytes={len(raw)} errors={len(errs)} {raw[:300]!r}")
    filt = {f"k{i}": 1 for i in range(350)}
    body = json.dumps({"query": "query($f: KafkaEntityFilter) { actor { account(id: 1) { kafka { "
                                "entities(filter: $f) { totalCount } } } } }", "variables": {"f": filt}})
    st, h, raw = post(s, body)
    errs = (jbody(raw) or {}).get("errors") or []
    tap.ok(st == 200 and len(errs) == 50 and all(len(e.get("message", "")) < 2048 for e in errs)
           and "more keys" in errs[0].get("message", ""),
           f"{len(filt)} unknown input fields ({len(body)} bytes): 50 errors, each with a bounded value",
           detail=f"status={st} bytes={len(raw)} errors={len(errs)} {raw[:300]!r}")


def test_big_integers(s):
    """RFC 8259 numbers have no range: an integer beyond int64 (JSON.stringify(1e19) in a browser) is valid JSON,
    so it reaches variable coercion like any number instead of a 400 "not valid JSON"."""
    q = "query($n: Int) { actor { account(id: 1) { kafka { entities(first: $n) { totalCount } } } } }"
    st, h, raw = post(s, '{"query": %s, "variables": {"n": 10000000000000000000}}' % json.dumps(q))
    err = first_error(jbody(raw))
    tap.ok(st == 200 and err.get("extensions", {}).get("code") == "BAD_USER_INPUT"
           and "Int cannot represent non 32-bit signed integer value: 10000000000000000000" in err.get("message", ""),
           "Int variable 10000000000000000000: the graphql-js coercion error, not a JSON error",
           detail=f"status={st} body={raw[:400]!r}")
    st, h, raw = get(s, "query=" + urllib.parse.quote(q) + "&variables=" +
                     urllib.parse.quote('{"n": 100000000000000000000}'))
    err = first_error(jbody(raw))
    tap.ok(st == 200 and "non 32-bit" in err.get("message", ""), "GET variables with an integer beyond int64",
           detail=f"status={st} body={raw[:400]!r}")
    st, h, raw = post(s, '{"query": %s, "variables": {"n": 1e999}}' % json.dumps(q))
    check_error(st, h, raw, 400, "BAD_REQUEST", "overflow", "a number beyond double range: 400 naming the overflow")


def test_body_limit(s):
    limit = 4096
    big = json.dumps({"query": "{ __typename }", "pad": "x" * (limit * 2)})
    # Declared too large: refused before the body is read.
    st, h, body = raw_http(s.port, (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    f"API-Key: {s.admin_key}\r\nContent-Length: {len(big)}\r\n\r\n").encode())
    check_error(st, h, body, 413, "PAYLOAD_TOO_LARGE", "exceeds", "Content-Length over --max-body-bytes: 413")
    # Chunked without a length: read, discarded, then refused.
    payload = big.encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + 1000]), payload[i:i + 1000])
                      for i in range(0, len(payload), 1000)) + b"0\r\n\r\n"
    st, h, body = raw_http(s.port, (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    f"API-Key: {s.admin_key}\r\nTransfer-Encoding: chunked\r\n\r\n").encode() + chunks)
    check_error(st, h, body, 413, "PAYLOAD_TOO_LARGE", "exceeds", "chunked body over --max-body-bytes: 413")
    small = json.dumps({"query": "{ __typename }", "pad": "x" * (limit // 2)})
    st, h, raw = post(s, small)
    tap.eq(st, 200, "body under the limit still accepted")
    st, h, raw = s.request("GET", "/healthz")
    tap.eq(st, 200, "server healthy after oversized bodies")


def test_auth(s):
    q = json.dumps({"query": "{ __typename }"})
    for key, name in ((None, "missing API-Key"), ("ek_wrong", "invalid API-Key"), ("x" * 5000, "huge API-Key")):
        st, h, raw = post(s, q, key=key)
        check_error(st, h, raw, 401, "UNAUTHENTICATED", "API", f"{name}: 401 UNAUTHENTICATED")
    st, h, raw = post(s, json.dumps({"query": "{ __schema { queryType { name } } }"}), key=None)
    check_error(st, h, raw, 401, "UNAUTHENTICATED", "API", "introspection without a key: 401")
    st, h, raw = get(s, "query=%7B+__typename+%7D", key=None)
    check_error(st, h, raw, 401, "UNAUTHENTICATED", "API", "GET without a key: 401")
    st, h, raw = post(s, q, key=None, accept="application/graphql-response+json")
    check_error(st, h, raw, 401, "UNAUTHENTICATED", "API", "missing key with graphql-response+json: 401")
    st, h, raw = post(s, json.dumps({"query": "{ __schema { queryType { name } } }"}))
    tap.eq(jbody(raw), {"data": {"__schema": {"queryType": {"name": "Query"}}}}, "introspection with the admin key")


def test_keepalive(s):
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    try:
        results = []
        for _ in range(3):
            conn.request("POST", "/graphql", json.dumps({"query": "{ __typename }"}),
                         {"Content-Type": "application/json", "API-Key": s.admin_key})
            r = conn.getresponse()
            results.append((r.status, r.read()))
        tap.ok(all(st == 200 for st, _ in results) and conn.sock is not None, "three requests on one keep-alive "
               "connection", detail=results)
    finally:
        conn.close()


def test_cors(s):
    pre = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "api-key, content-type"}
    st, h, raw = s.request("OPTIONS", "/graphql", None, pre)
    allow_headers = h.get("access-control-allow-headers", "").lower()
    tap.ok(st == 204 and h.get("access-control-allow-origin") == ORIGIN and "api-key" in allow_headers
           and "content-type" in allow_headers and "POST" in h.get("access-control-allow-methods", ""),
           "CORS preflight from an allowed origin: 204 with Access-Control-* headers", detail=f"{st} {h}")
    st, h, raw = s.request("OPTIONS", "/graphql", None, dict(pre, Origin="http://evil.example.test"))
    tap.ok(st == 403 and "access-control-allow-origin" not in h, "CORS preflight from another origin: 403",
           detail=f"{st} {h}")
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), extra={"Origin": ORIGIN})
    tap.ok(st == 200 and h.get("access-control-allow-origin") == ORIGIN and "Origin" in h.get("vary", ""),
           "POST from an allowed origin carries Access-Control-Allow-Origin", detail=h)
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), key=None, extra={"Origin": ORIGIN})
    tap.ok(st == 401 and h.get("access-control-allow-origin") == ORIGIN,
           "401 also carries CORS headers (the browser can read the error)", detail=h)
    st, h, raw = post(s, json.dumps({"query": "{ __typename }"}), extra={"Origin": "http://evil.example.test"})
    tap.ok(st == 200 and "access-control-allow-origin" not in h, "other origins get no CORS headers", detail=h)


def test_static(s):
    st, h, raw = s.request("GET", "/graphiql")
    tap.ok(st == 200 and h.get("content-type", "").startswith("text/html") and b"graphiql.min.js" in raw
           and b"API-Key" in raw, "/graphiql serves index.html with the API-Key hint", detail=f"{st} {h}")
    have_assets = os.path.exists(os.path.join(SRCDIR, "web", "node_modules", "graphiql", "graphiql.min.js"))
    for name, ctype in (("graphiql.min.js", "text/javascript"), ("graphiql.min.css", "text/css"),
                        ("react.production.min.js", "text/javascript"),
                        ("react-dom.production.min.js", "text/javascript")):
        st, h, raw = s.request("GET", "/graphiql/" + name)
        if have_assets:
            tap.ok(st == 200 and h.get("content-type", "").startswith(ctype) and len(raw) > 1000,
                   f"/graphiql/{name} served as {ctype}", detail=f"{st} {h}")
        else:
            tap.ok(st == 404 and b"npm ci" in raw, f"/graphiql/{name} missing: 404 says how to install", detail=raw)
    for path in ("/graphiql/../../../../etc/passwd", "/graphiql/..%2f..%2f..%2fetc%2fpasswd",
                 "/graphiql/%2e%2e/%2e%2e/etc/passwd"):
        st, h, body = raw_http(s.port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        tap.ok(st in (400, 404) and b"root:" not in body, f"path traversal refused: {path}", detail=f"{st} {body[:200]!r}")
    st, h, raw = s.request("HEAD", "/graphiql")
    tap.ok(st == 200 and raw == b"" and h.get("content-type", "").startswith("text/html"), "HEAD /graphiql: headers only",
           detail=f"{st} {h} {raw[:100]!r}")
    st, h, raw = s.request("GET", "/graphiql/package.json")
    tap.eq(st, 404, "files outside the asset list: 404")
    st, h, raw = s.request("POST", "/graphiql", "x", {"Content-Type": "text/plain"})
    tap.eq(st, 405, "POST /graphiql: 405")


def test_health_metrics(s):
    st, h, raw = s.request("GET", "/healthz")
    tap.eq((st, jbody(raw)), (200, {"status": "ok"}), "/healthz: 200 {\"status\":\"ok\"}")
    st, h, raw = s.request("GET", "/metrics")
    text = raw.decode("utf-8", "replace")
    tap.ok(st == 200 and h.get("content-type", "").startswith("text/plain"), "/metrics: 200 text/plain", detail=h)
    for needle in ('entityd_http_requests_total{route="/graphql",method="POST",status="200"}',
                   'entityd_http_requests_total{route="/graphql",method="POST",status="401"}',
                   'entityd_http_requests_total{route="/healthz",method="GET",status="200"}',
                   'entityd_http_request_duration_seconds_bucket{route="/graphql"',
                   'entityd_graphql_errors_total{code="UNAUTHENTICATED"}',
                   'entityd_graphql_errors_total{code="BAD_REQUEST"}',
                   "entityd_store_size_bytes ",
                   'entityd_worker_runs_total{worker="cleanup",result="ok"}'):
        tap.ok(needle in text, f"/metrics has {needle}", detail=text[:3000])


def test_events(s):
    st, h, raw = s.request("POST", "/v1/events", "[]", {"Content-Type": "application/json"})
    check_error(st, h, raw, 401, "UNAUTHENTICATED", "API-Key", "POST /v1/events without a key: 401")
    st, h, raw = s.request("GET", "/v1/events", None, {"API-Key": s.admin_key})
    check_error(st, h, raw, 405, "METHOD_NOT_ALLOWED", "POST", "GET /v1/events: 405")
    tap.ok("POST" in h.get("allow", ""), "GET /v1/events: Allow lists POST", detail=h)
    st, body = s.events([])
    tap.ok(st == 202 and isinstance(body, dict) and body.get("accepted") == 0, "POST /v1/events [] with the key: 202",
           detail=f"{st} {body}")


def test_cli():
    """--help lists every setting of docs/configuration.md with its variable; bad input exits 2."""
    out = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=10)
    tap.eq(out.returncode, 0, "--help exits 0")
    with open(os.path.join(SRCDIR, "docs", "configuration.md")) as f:
        rows = re.findall(r"^\| `(--[a-z-]+) [A-Z]+` \| `(ENTITYD_[A-Z_]+)` \|", f.read(), re.M)
    missing = [flag for flag, env in rows if flag not in out.stdout or env not in out.stdout]
    tap.ok(len(rows) >= 27 and not missing, f"--help lists all {len(rows)} documented settings with their variables",
           detail=f"missing: {missing}\n{out.stdout}")
    help_flags = set(re.findall(r"^  (--[a-z-]+) ", out.stdout, re.M)) - {"--help", "--version"}
    tap.eq(sorted(help_flags - {r[0] for r in rows}), [], "docs/configuration.md documents every flag of --help")
    with open(os.path.join(SRCDIR, "docs", "entityd.8")) as f:
        man = f.read()
    tap.eq(sorted(fl for fl in help_flags if ".BR " + fl.replace("-", "\\-") not in man), [],
           "the man page (docs/entityd.8) documents every flag of --help")
    out = subprocess.run([BIN, "--version"], capture_output=True, text=True, timeout=10)
    tap.ok(out.returncode == 0 and out.stdout.startswith("entityd "), "--version", detail=out.stdout)
    out = subprocess.run([BIN, "--port", "99999"], capture_output=True, text=True, timeout=10)
    tap.ok(out.returncode == 2 and "--port" in out.stderr, "--port 99999: exit 2 naming the flag", detail=out.stderr)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTITYD_")}
    env["ENTITYD_MAX_BODY_BYTES"] = "lots"
    out = subprocess.run([BIN], capture_output=True, text=True, timeout=10, env=env)
    tap.ok(out.returncode == 2 and "ENTITYD_MAX_BODY_BYTES" in out.stderr, "bad environment value: exit 2 naming it",
           detail=out.stderr)
    # A port that is taken: exit 1 with a clear message, no hang.
    with socket.socket() as busy, tempfile.TemporaryDirectory() as d:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        out = subprocess.run([BIN, "--listen", "127.0.0.1", "--port", str(port), "--data-dir", d], capture_output=True,
                             text=True, timeout=30, env={k: v for k, v in os.environ.items()
                                                          if not k.startswith("ENTITYD_")})
        tap.ok(out.returncode == 1 and "cannot listen" in out.stderr, "port in use: exit 1 with a message",
               detail=out.stderr[-2000:])
    # A schema field that no module binds: refuse to start, naming it (never answer null silently).
    with tempfile.TemporaryDirectory() as d:
        sd = os.path.join(d, "schema")
        shutil.copytree(os.path.join(SRCDIR, "schema"), sd)
        with open(os.path.join(sd, "kafka.graphql"), "a") as f:
            f.write('\nextend type Query {\n  "bound by no module"\n  orphanField: String\n}\n')
        out = subprocess.run([BIN, "--port", str(free_port()), "--data-dir", os.path.join(d, "data"), "--schema-dir", sd],
                             capture_output=True, text=True, timeout=30,
                             env={k: v for k, v in os.environ.items() if not k.startswith("ENTITYD_")})
        tap.ok(out.returncode == 1 and "Query.orphanField has no resolver" in out.stderr,
               "a schema field without a resolver: exit 1 naming it", detail=out.stderr[-2000:])
        with open(os.path.join(sd, "extra.graphql"), "w") as f:
            f.write('"x"\nscalar Extra\n')
        out = subprocess.run([BIN, "--port", str(free_port()), "--data-dir", os.path.join(d, "data"), "--schema-dir", sd],
                             capture_output=True, text=True, timeout=30,
                             env={k: v for k, v in os.environ.items() if not k.startswith("ENTITYD_")})
        tap.ok(out.returncode == 1 and "extra.graphql belongs to no module" in out.stderr,
               "a schema file no module claims: exit 1 naming it", detail=out.stderr[-2000:])
    # Two entityd on one port: the second exits 1 (the kernel must never split requests between two databases).
    with Server() as first, tempfile.TemporaryDirectory() as d:
        out = subprocess.run([BIN, "--listen", "127.0.0.1", "--port", str(first.port), "--data-dir", d],
                             capture_output=True, text=True, timeout=30,
                             env={k: v for k, v in os.environ.items() if not k.startswith("ENTITYD_")})
        tap.ok(out.returncode == 1 and "cannot listen" in out.stderr, "a second entityd on the same port: exit 1",
               detail=out.stderr[-2000:])


def main():
    test_cli()
    args = ["--max-body-bytes", "4096", "--max-document-bytes", "2048", "--cors-origins", ORIGIN + ",http://other.test"]
    with Server(extra_args=args) as s:
        test_graphql_basics(s)
        test_get(s)
        test_bad_input(s)
        test_error_amplification(s)
        test_big_integers(s)
        test_body_limit(s)
        test_auth(s)
        test_keepalive(s)
        test_cors(s)
        test_static(s)
        test_events(s)
        test_health_metrics(s)
        rc = s.stop(signal.SIGTERM)
        tap.eq(rc, 0, "SIGTERM: clean shutdown with exit status 0")
        log = s.read_log()
        tap.ok("entityd stopped" in log, "shutdown is logged", detail=log[-2000:])
    with Server() as s:
        # A slow request in flight when SIGTERM arrives still gets its answer.
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        body = json.dumps({"query": "{ __typename }"}).encode()
        conn.putrequest("POST", "/graphql")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("API-Key", s.admin_key)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        conn.send(body[:5])
        import threading
        import time
        time.sleep(0.3)
        t = threading.Thread(target=lambda: s.proc.send_signal(signal.SIGINT))
        t.start()
        time.sleep(0.3)
        conn.send(body[5:])
        r = conn.getresponse()
        tap.eq((r.status, jbody(r.read())), (200, {"data": {"__typename": "Query"}}),
               "request in flight during SIGINT finishes")
        conn.close()
        t.join()
        s.proc.wait(timeout=15)
        tap.eq(s.proc.returncode, 0, "SIGINT: clean shutdown with exit status 0")
        rc = s.stop()
    tap.done()


if __name__ == "__main__":
    main()
