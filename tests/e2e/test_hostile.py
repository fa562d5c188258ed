"""test_hostile.py -- hostile clients against the real entityd (issue 11, "Proof"): requests decided
from their headers before the body is read (item 2), the shared budget for bodies in flight (item 2),
per-address connection limits and header/body deadlines against slowloris (item 3), answers readable by
clients that send their whole body first (item 6), ambiguous framing refused (item 8), and the memory
the server holds through all of it.

Bounded: every socket has a timeout, every loop a count, and the whole file runs in well under 30 s
with small limits set by flags. Only 127.0.0.1 is targeted; some clients bind another loopback source
address (127.0.0.2, 127.0.0.3) so that the per-address limit can be told apart from other clients."""
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, tap  # noqa: E402

SANITIZED = bool(os.environ.get("ENTITYD_SANITIZED"))
MAX_BODY = 64 * 1024
BUDGET = 256 * 1024
PER_IP = 16
HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
ARGS = ["--max-body-bytes", str(MAX_BODY), "--max-document-bytes", "16K", "--max-inflight-body-bytes", str(BUDGET),
        "--max-connections-per-ip", str(PER_IP), "--header-timeout", str(HEADER_TIMEOUT),
        "--body-timeout", str(BODY_TIMEOUT), "--threads", "2", "--log-level", "info"]


def connect(port, source="127.0.0.1", timeout=5):
    sk = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sk.settimeout(timeout)
    sk.bind((source, 0))
    sk.connect(("127.0.0.1", port))
    return sk


def read_response(sk, timeout=3.0):
    """Reads one response (headers and a Content-Length body). Returns (status, headers, body); status 0 when
    nothing came in time, -1 when the server closed or reset without answering."""
    sk.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            b = sk.recv(65536)
            if not b:
                return (-1, {}, data) if not data else parse(data)
            data += b
        status, headers, body = parse(data)
        want = int(headers.get("content-length", "0"))
        while len(body) < want:
            b = sk.recv(65536)
            if not b:
                break
            body += b
        return status, headers, body
    except socket.timeout:
        return 0, {}, data
    except (ConnectionResetError, BrokenPipeError):
        return -1, {}, data


def parse(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers[k.decode(errors="replace").strip().lower()] = v.decode(errors="replace").strip()
    return status, headers, body


def closed_by_server(sk, within):
    """True when the server closes (EOF or reset) the socket within `within` seconds."""
    sk.settimeout(within)
    try:
        while True:
            b = sk.recv(4096)
            if not b:
                return True
    except socket.timeout:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def code_of(body):
    try:
        return json.loads(body)["errors"][0]["extensions"]["code"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def rss_mb(s):
    with open(f"/proc/{s.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def metric(s, needle):
    st, _, raw = s.request("GET", "/metrics")
    total = 0.0
    for line in raw.decode().splitlines():
        if line.startswith(needle):
            total += float(line.rsplit(" ", 1)[1])
    return total


def head(method, path, key=None, ctype="application/json", length=None, extra=""):
    h = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if ctype:
        h += f"Content-Type: {ctype}\r\n"
    if key:
        h += f"API-Key: {key}\r\n"
    if length is not None:
        h += f"Content-Length: {length}\r\n"
    return (h + extra + "\r\n").encode()


def test_decided_on_headers(s):
    """Item 2: each refusal arrives while the client has sent only headers (the body is never read)."""
    n = 60 * 1024
    cases = [("POST", "/no/such/path", None, "application/json", 404, "NOT_FOUND", "unknown path"),
             ("PUT", "/graphql", s.admin_key, "application/json", 405, "METHOD_NOT_ALLOWED", "PUT /graphql"),
             ("POST", "/graphql", None, "application/json", 401, "UNAUTHENTICATED", "no API-Key"),
             ("POST", "/graphql", "ek_not_a_key", "application/json", 401, "UNAUTHENTICATED", "bad API-Key"),
             ("POST", "/graphql", s.admin_key, "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", "wrong Content-Type"),
             ("POST", "/v1/events", None, "application/json", 401, "UNAUTHENTICATED", "/v1/events without a key"),
             ("POST", "/healthz", None, "application/json", 405, "METHOD_NOT_ALLOWED", "POST /healthz")]
    for method, path, key, ctype, want, code, name in cases:
        with connect(s.port) as sk:
            t0 = time.time()
            sk.sendall(head(method, path, key, ctype, n))
            st, h, body = read_response(sk, timeout=3)
            tap.ok(st == want and code_of(body) == code and h.get("connection", "").lower() == "close"
                   and time.time() - t0 < 2.5, f"{name} with a {n}-byte body not yet sent: {want} at once",
                   detail=f"status={st} headers={h} body={body[:300]!r}")
    with connect(s.port) as sk:
        sk.sendall(head("POST", "/graphql", s.admin_key, length=MAX_BODY + 1))
        st, h, body = read_response(sk, timeout=3)
        tap.ok(st == 413 and code_of(body) == "PAYLOAD_TOO_LARGE", "Content-Length over the limit: 413 at once",
               detail=f"status={st} body={body[:300]!r}")


def test_unauthenticated_flood(s):
    """Item 2: 200 clients without a key, all at once, each sending a whole body to a missing path, hold no
    memory: each is answered from its headers and its body drained, never buffered. The clients come from 20
    loopback addresses, 10 each, under the per-address limit."""
    before = rss_mb(s)
    socks = []
    answered = 0
    payload = head("POST", "/nope", None, length=MAX_BODY) + b"x" * MAX_BODY
    try:
        for i in range(200):
            sk = connect(s.port, source=f"127.0.0.{10 + i % 20}")
            socks.append(sk)
            sk.sendall(payload)
        for sk in socks:
            st, _, _ = read_response(sk, timeout=3)
            answered += st == 404
    finally:
        for sk in socks:
            sk.close()
    grew = rss_mb(s) - before
    tap.eq(answered, 200, "200 concurrent keyless POSTs of 64 KiB to a missing path: 200 answers of 404")
    tap.ok(SANITIZED or grew < 20, f"...and RSS grew {grew:.1f} MB (< 20 MB)", detail=f"before={before:.1f}")
    tap.eq(metric(s, "entityd_http_body_bytes_in_flight"), 0.0, "no body bytes held after they are answered")


def test_body_budget(s):
    """Item 2: bodies in flight share --max-inflight-body-bytes; the next one gets 503 + Retry-After."""
    pad = MAX_BODY - len(json.dumps({"query": "{ __typename }", "pad": ""}))
    body = json.dumps({"query": "{ __typename }", "pad": "x" * pad}).encode()
    assert len(body) == MAX_BODY
    holders = []
    try:
        for _ in range(BUDGET // MAX_BODY):
            sk = connect(s.port)
            sk.sendall(head("POST", "/graphql", s.admin_key, length=len(body)) + body[:10])
            holders.append(sk)
        time.sleep(0.2)
        with connect(s.port) as sk:
            sk.sendall(head("POST", "/graphql", s.admin_key, length=len(body)))
            st, h, raw = read_response(sk, timeout=3)
            tap.ok(st == 503 and code_of(raw) == "SERVER_BUSY" and h.get("retry-after") == "1",
                   f"{len(holders)} bodies of {MAX_BODY} bytes in flight fill the budget: the next gets 503 "
                   "SERVER_BUSY with Retry-After", detail=f"status={st} headers={h} body={raw[:300]!r}")
        results = []
        for sk in holders:
            sk.sendall(body[10:])
            st, h, raw = read_response(sk, timeout=5)
            results.append(st)
        tap.eq(results, [200] * len(holders), "the bodies in flight complete normally")
    finally:
        for sk in holders:
            sk.close()
    st, _, _ = s.request("POST", "/graphql", body, {"Content-Type": "application/json", "API-Key": s.admin_key})
    tap.eq(st, 200, "once they are done the budget is free again")


def test_per_ip_limit(s):
    """Item 3: one address cannot hold every connection; other clients are still served."""
    socks = []
    try:
        for _ in range(PER_IP):
            socks.append(connect(s.port, source="127.0.0.2"))
        time.sleep(0.2)
        extra = connect(s.port, source="127.0.0.2")
        refused = closed_by_server(extra, 2)
        extra.close()
        tap.ok(refused, f"connection {PER_IP + 1} from one address is closed at once (--max-connections-per-ip)")
        st, _, _ = s.request("GET", "/healthz", timeout=5)
        tap.eq(st, 200, "another client is served meanwhile")
    finally:
        for sk in socks:
            sk.close()
    tap.ok(metric(s, 'entityd_http_connection_events_total{event="refused_at_limit"}') >= 1,
           "refused connections are counted in /metrics")


def trickle(sk, data, stop, every=0.3):
    """Sends data one byte at a time, forever resetting an idle timeout, until stop is set or the peer closes."""
    i = 0
    while not stop.is_set():
        try:
            sk.send(data[i % len(data):i % len(data) + 1])
        except OSError:
            return
        i += 1
        stop.wait(every)


def test_slowloris(s):
    """Item 3: headers and bodies trickled a byte at a time are cut off at their deadline."""
    stop = threading.Event()
    threads, socks = [], []
    try:
        for _ in range(8):
            sk = connect(s.port, source="127.0.0.3")
            sk.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            socks.append(("headers", sk))
            t = threading.Thread(target=trickle, args=(sk, b"X-Slow: aaaaaaaaaaaaaaaa\r\n", stop), daemon=True)
            t.start()
            threads.append(t)
        for _ in range(4):
            sk = connect(s.port, source="127.0.0.3")
            sk.sendall(head("POST", "/graphql", s.admin_key, length=1000))
            socks.append(("body", sk))
            t = threading.Thread(target=trickle, args=(sk, b" ", stop), daemon=True)
            t.start()
            threads.append(t)
        t0 = time.time()
        st, _, _ = s.request("GET", "/healthz", timeout=5)
        tap.eq(st, 200, "a normal client is served while 12 slow ones trickle")
        closed = {"headers": 0, "body": 0}
        for phase, sk in socks:
            left = max(0.1, t0 + max(HEADER_TIMEOUT, BODY_TIMEOUT) + 2.5 - time.time())
            closed[phase] += closed_by_server(sk, left)
        took = time.time() - t0
        tap.eq(closed["headers"], 8, f"8 connections trickling headers closed at --header-timeout {HEADER_TIMEOUT}")
        tap.eq(closed["body"], 4, f"4 connections trickling a body closed at --body-timeout {BODY_TIMEOUT}")
        tap.ok(took < max(HEADER_TIMEOUT, BODY_TIMEOUT) + 3, f"...within {took:.1f} s")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=2)
        for _, sk in socks:
            sk.close()
    tap.ok(metric(s, 'entityd_http_connections_timed_out_total{phase="headers"}') >= 8
           and metric(s, 'entityd_http_connections_timed_out_total{phase="body"}') >= 4,
           "timed-out connections are counted in /metrics by phase")
    # A kept-alive connection idle past --header-timeout is closed too.
    with connect(s.port) as sk:
        sk.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        st, _, _ = read_response(sk)
        tap.ok(st == 200 and closed_by_server(sk, HEADER_TIMEOUT + 2), "an idle kept-alive connection is closed "
               "after --header-timeout")


def test_send_whole_body_first(s):
    """Item 6: clients that send their whole body before reading (urllib) read the answer, not a broken pipe."""
    big = b'{"query":"{ __typename }","pad":"' + b"x" * (8 * 1024 * 1024) + b'"}'
    outcomes = []
    for path, key in (("/graphql", s.admin_key),) * 6 + (("/no/such/path", None),) * 2 + (("/graphql", None),) * 2:
        h = {"Content-Type": "application/json"}
        if key:
            h["API-Key"] = key
        req = urllib.request.Request(s.base + path, data=big, method="POST", headers=h)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                outcomes.append(r.status)
        except urllib.error.HTTPError as e:
            outcomes.append(e.code)
        except (urllib.error.URLError, OSError) as e:
            outcomes.append(type(getattr(e, "reason", e)).__name__)
    tap.eq(outcomes, [413] * 6 + [404] * 2 + [401] * 2, "10 urllib POSTs of 8 MiB: each reads its 413/404/401")
    tap.ok(metric(s, 'entityd_http_lingering_closes_total{result="drained"}') >= 10,
           "the refused bodies were drained (lingering close) and counted")


def raw_exchange(port, data, timeout=3):
    with connect(port) as sk:
        sk.sendall(data)
        st, h, body = read_response(sk, timeout=timeout)
        closed = st != 0 and closed_by_server(sk, 2)
        return st, h, body, closed


def test_framing(s):
    """Item 8: ambiguous framing (request smuggling behind a proxy) is refused with 400 and a close."""
    q = json.dumps({"query": "{ __typename }"})
    k = s.admin_key
    base = f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAPI-Key: {k}\r\n"
    chunked = f"{len(q):x}\r\n{q}\r\n0\r\n\r\n"
    cases = [
        ("two different Content-Length", base + f"Content-Length: {len(q)}\r\nContent-Length: {len(q) + 5}\r\n\r\n"
         + q + "xxxxx", 400, "Content-Length"),
        ("Content-Length with chunked", base + f"Content-Length: {len(q)}\r\nTransfer-Encoding: chunked\r\n\r\n"
         + chunked, 400, "Transfer-Encoding"),
        ("HTTP/1.1 without Host", f"POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nAPI-Key: {k}\r\n"
         f"Content-Length: {len(q)}\r\n\r\n" + q, 400, "Host"),
        ("two Host headers", base + f"Host: evil.example\r\nContent-Length: {len(q)}\r\n\r\n" + q, 400, "Host"),
        ("Transfer-Encoding gzip", base + "Transfer-Encoding: gzip\r\n\r\n" + q, 400, "chunked"),
        ("Transfer-Encoding gzip, chunked", base + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked, 501,
         "chunked"),
    ]
    for name, data, want, text in cases:
        st, h, body, closed = raw_exchange(s.port, data.encode())
        msg = ""
        try:
            msg = json.loads(body)["errors"][0]["message"]
        except (ValueError, KeyError, IndexError):
            pass
        tap.ok(st == want and text in msg and closed, f"{name}: {want} and the connection closed",
               detail=f"status={st} closed={closed} body={body[:300]!r}")
    for name, data in (("two identical Content-Length", base + f"Content-Length: {len(q)}\r\n"
                        f"Content-Length: {len(q)}\r\n\r\n" + q),
                       ("chunked alone", base + "Transfer-Encoding: chunked\r\n\r\n" + chunked),
                       ("HTTP/1.0 without Host", f"POST /graphql HTTP/1.0\r\nContent-Type: application/json\r\n"
                        f"API-Key: {k}\r\nContent-Length: {len(q)}\r\n\r\n" + q)):
        st, h, body, _ = raw_exchange(s.port, data.encode())
        tap.ok(st == 200 and b"Query" in body, f"{name}: accepted", detail=f"status={st} body={body[:300]!r}")


def main():
    t0 = time.time()
    with Server(extra_args=ARGS) as s:
        start_rss = rss_mb(s)
        test_decided_on_headers(s)
        test_framing(s)
        test_unauthenticated_flood(s)
        test_body_budget(s)
        test_per_ip_limit(s)
        test_slowloris(s)
        test_send_whole_body_first(s)
        end_rss = rss_mb(s)
        tap.ok(SANITIZED or end_rss < 200, f"RSS {start_rss:.0f} MB -> {end_rss:.0f} MB through items 2, 3, 6, 8 "
               "(< 200 MB)")
        st, _, _ = s.request("GET", "/healthz")
        tap.eq(st, 200, "the server is healthy at the end")
        log = s.read_log()
        warns = [ln for ln in log.splitlines() if "level=warn" in ln and "libmicrohttpd" in ln]
        tap.eq(warns, [], "no warning per hostile socket in the log (counted instead)")
    tap.ok(time.time() - t0 < 30, f"the hostile suite ran in {time.time() - t0:.1f} s (< 30 s)")
    tap.done()


if __name__ == "__main__":
    main()
