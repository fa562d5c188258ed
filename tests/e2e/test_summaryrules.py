"""test_summaryrules.py -- end to end, SummaryRules with backfill control (issue 9, seed 002) on a real
entityd and one Kusto test server (tests/kusto/kusto_server.py), both on 127.0.0.1. Time is the test
clock (ENTITYD_TEST_NOW_FILE) moved by this script; the scheduler ticks every second (--summary-interval
1), so nothing waits for a real interval. What Kusto received is read back from the test server's
operation log and compared, window by window, with what the issue says must be sent:

  validation    every invalid field of upsertSummaryRule and startSummaryRuleBackfill, ADMIN only
  day           a 1h rule over a simulated day (hour by hour, then a 12 h catch-up): every window once
  command       the exact .set-or-append async text Kusto received
  criteria      a rule whose criteria do not match --cluster-label is skipped, not run
  failed        a Failed operation: error shown, the window waits for its backoff, is resubmitted, succeeds
  shouldretry   Failed with ShouldRetry: the same window resubmitted at once
  faults        429 / 500 / garbage on submission, 503 and a timeout on lookup: error shown, next tick goes
                on, no window lost or repeated
  backfill      48 windows, one operation at a time, progress, removes itself; the schedule's position
                does not move
  cancel        the operation in flight is left to finish and noted
  crash         kill -9 in the middle of a backfill, restart: the set of windows submitted equals the
                expected set, each once
"""
import os
import re
import signal
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "kusto"))
from harness import Server, tap  # noqa: E402
from kusto_fixture import KustoServer  # noqa: E402

TICKS = 10_000_000
HOUR = 3600 * TICKS
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
T0 = datetime(2024, 3, 1, 0, 5, 0, tzinfo=timezone.utc)

BODY = "Cpu | where Timestamp >= _startTime and Timestamp <= _endTime | summarize Value = avg(Value)"

RULE_FIELDS = """name cluster database table body interval ingestionDelay criteria lastSuccessfulWindowEnd
  nextWindow { start end } skipped lastError lastErrorAt createdAt updatedAt
  backfill { start end operationId currentWindow { start end } progress requestedStart state message }
  operations { operationId window { start end } state submittedAt message kind updatedAt }"""

UPSERT = """mutation U($input: SummaryRuleInput!) { upsertSummaryRule(input: $input) {
  success errors { field message } rule { %s } } }""" % RULE_FIELDS
DELETE = """mutation D($name: String!) { deleteSummaryRule(name: $name) { success errors { field message } } }"""
START = """mutation B($name: String!, $start: DateTime!, $end: DateTime!) {
  startSummaryRuleBackfill(name: $name, start: $start, end: $end) { success errors { field message }
  rule { %s } } }""" % RULE_FIELDS
CANCEL = """mutation C($name: String!) { cancelSummaryRuleBackfill(name: $name) { success errors { field message }
  rule { %s } } }""" % RULE_FIELDS
GET = """query G($name: String!) { adx { summaryRule(name: $name) { %s } } }""" % RULE_FIELDS
LIST = """{ adx { summaryRules { name skipped } } }"""


def ticks_of(text):
    """RFC 3339 (fraction up to 7 digits) -> ticks since the epoch."""
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$", text)
    assert m, text
    secs = int((datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc) - EPOCH)
               .total_seconds())
    return secs * TICKS + int((m.group(2) or "0").ljust(7, "0"))


def iso(t):
    if isinstance(t, datetime):
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    return iso(EPOCH + timedelta(seconds=t // TICKS))


def dt(t):
    return EPOCH + timedelta(seconds=t // TICKS)


class Clock:
    def __init__(self, path, now):
        self.path = path
        self.set(now)

    def set(self, now):
        self.now = now
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(iso(now) + "\n")
        os.replace(tmp, self.path)

    def advance(self, **kw):
        self.set(self.now + timedelta(**kw))


def wait_for(fn, timeout=40.0, interval=0.1):
    """Calls fn until it returns something truthy (returned) or the time is up (the last value)."""
    deadline = time.monotonic() + timeout
    v = fn()
    while not v and time.monotonic() < deadline:
        time.sleep(interval)
        v = fn()
    return v


def ticks_done(s):
    _, _, body = s.request("GET", "/metrics")
    m = re.search(rb"^entityd_summaryrules_ticks_total (\d+)", body, re.M)
    return int(m.group(1)) if m else 0


def wait_ticks(s, n=2):
    """Waits until n more scheduler ticks have run (so a tick started after the caller's change ran whole)."""
    start = ticks_done(s)
    return wait_for(lambda: ticks_done(s) >= start + n, timeout=30)


def data(resp, *path):
    status, body = resp
    v = (body or {}).get("data") if status == 200 else None
    for p in path:
        v = (v or {}).get(p)
    return v


def rule_of(s, name):
    return data(s.gql(GET, {"name": name}), "adx", "summaryRule")


def upsert(s, **fields):
    return data(s.gql(UPSERT, {"input": fields}), "upsertSummaryRule") or {}


def fields_of(payload):
    return sorted((e.get("field") or "") for e in payload.get("errors") or [])


def kusto_ops(k, table, kind=None):
    """The .set-or-append operations the test server received for table, in submission order:
    (start ticks, window end ticks, id, state)."""
    st = k.state()
    out = []
    for i in st.get("operation_order") or list(st["operations"]):
        op = st["operations"][i]
        if op.get("table") != table:
            continue
        out.append((ticks_of(op["start"]), ticks_of(op["end"]) + 1, i, op.get("state")))
    return out


def windows(ops):
    return [(a, b) for a, b, _, _ in ops]


def hours(start, n):
    t = ticks_of(iso(start))
    return [(t + i * HOUR, t + (i + 1) * HOUR) for i in range(n)]


def once_each(got, want):
    return sorted(got) == sorted(want) and len(set(got)) == len(got)


# ---------------------------------------------------------------------------------------------------------


def test_validation(s, k):
    base = dict(name="v1", cluster="hub", database="Metrics", table="CpuV", body=BODY, interval="1h")
    p = upsert(s, **dict(base, name="bad name!", cluster="nowhere", database=" Metrics", table="Tab'le",
                         body="  \n ", interval="0s", criteria={"region": "eastus"}))
    tap.eq(fields_of(p), ["input.body", "input.cluster", "input.criteria", "input.database", "input.interval",
                          "input.name", "input.table"], "upsert: every invalid field reported, one error each")
    tap.ok(p.get("success") is False and p.get("rule") is None, "upsert: nothing stored on errors", detail=p)
    p = upsert(s, **dict(base, cluster="nowhere"))
    tap.eq(fields_of(p), ["input.cluster"], "upsert: an unknown cluster is refused")
    tap.ok("nowhere" in (p.get("errors") or [{}])[0].get("message", ""), "upsert: the message names the cluster",
           detail=p)
    p = upsert(s, **dict(base, interval="31d"))
    tap.eq(fields_of(p), ["input.interval"], "upsert: interval above 30 days is refused")
    p = upsert(s, **dict(base, ingestionDelay="8d"))
    tap.eq(fields_of(p), ["input.ingestionDelay"], "upsert: ingestionDelay above 7 days is refused")
    p = upsert(s, **dict(base, criteria={"region": []}))
    tap.eq(fields_of(p), ["input.criteria"], "upsert: criteria with an empty value list is refused")
    status, body = s.gql(UPSERT, {"input": dict(base, interval="-1h")})
    tap.ok(status == 200 and body.get("errors") and not body.get("data"),
           "upsert: a negative Duration is refused by the scalar", detail=body)
    tap.eq(data(s.gql(LIST), "adx", "summaryRules"), [], "no rule was stored by any refused upsert")

    # authorization: reading needs a key, changing needs ADMIN
    st, body = s.gql("""mutation { createApiKey(accountId: 1, level: SYNTHETIC, name: "reader") { key } }""")
    reader = body["data"]["createApiKey"]["key"]
    st, body = s.gql(UPSERT, {"input": base}, key=reader)
    codes = [e.get("extensions", {}).get("code") for e in (body or {}).get("errors") or []]
    tap.ok("FORBIDDEN" in codes, "upsert needs an ADMIN key", detail=body)
    st, body = s.gql(LIST, key=None)
    codes = [e.get("extensions", {}).get("code") for e in (body or {}).get("errors") or []]
    tap.ok("UNAUTHENTICATED" in codes, "reading rules needs an API key", detail=body)
    st, body = s.gql(LIST, key=reader)
    tap.ok(st == 200 and data((st, body), "adx", "summaryRules") == [], "a non-ADMIN key may read rules", detail=body)

    # backfill validation (rule with a 10 minute ingestionDelay; now is T0). Its criteria match no label of
    # this server, so that it never runs and its backfill stays RUNNING.
    p = upsert(s, **dict(base, ingestionDelay="10m", criteria={"region": ["nowhere"]}))
    tap.ok(p.get("success"), "upsert: a valid rule is stored", detail=p)

    def bf(start, end, name="v1"):
        return data(s.gql(START, {"name": name, "start": start, "end": end}), "startSummaryRuleBackfill") or {}

    p = bf("2024-02-28T00:00:00Z", "2024-02-27T00:00:00Z")
    tap.eq(fields_of(p), ["end"], "backfill: start after end is refused")
    p = bf("2024-01-30T00:00:00Z", "2024-02-01T00:00:00Z")
    tap.eq(fields_of(p), ["start"], "backfill: a start older than 30 days is refused")
    tap.ok("30 days" in p["errors"][0]["message"], "backfill: the message names the 30-day limit", detail=p)
    p = bf("2024-02-29T22:00:00Z", "2024-03-01T00:00:00Z")
    tap.eq(fields_of(p), ["end"], "backfill: an end after now - ingestionDelay is refused")
    p = bf("2024-02-27T00:30:00Z", "2024-02-28T10:15:00Z")
    tap.eq(fields_of(p), ["start"], "backfill: an unaligned range is refused")
    msg = p["errors"][0]["message"] if p.get("errors") else ""
    tap.ok("2024-02-27T00:00:00Z" in msg and "2024-02-28T11:00:00Z" in msg,
           "backfill: the refusal names the aligned range to use", detail=msg)
    p = bf("2024-02-27T00:00:00Z", "2024-02-28T00:00:00Z", name="nope")
    tap.eq(fields_of(p), ["name"], "backfill: an unknown rule is refused")
    st, body = s.gql(START, {"name": "v1", "start": "yesterday", "end": "2024-02-28T00:00:00Z"})
    tap.ok(st == 200 and body.get("errors") and not body.get("data"), "backfill: a start that is not RFC 3339 is "
           "refused", detail=body)
    # at most one per rule
    p = bf("2024-02-27T00:00:00Z", "2024-02-28T00:00:00Z")
    tap.ok(p.get("success") and p["rule"]["backfill"]["state"] == "RUNNING", "backfill: a valid range starts",
           detail=p)
    p = bf("2024-02-26T00:00:00Z", "2024-02-27T00:00:00Z")
    tap.eq(fields_of(p), ["name"], "backfill: a second one on the same rule is refused")
    p = data(s.gql(CANCEL, {"name": "v1"}), "cancelSummaryRuleBackfill")
    tap.ok(p["success"] and p["rule"]["backfill"] is None, "cancel removes the backfill", detail=p)
    p = data(s.gql(CANCEL, {"name": "v1"}), "cancelSummaryRuleBackfill")
    tap.eq(fields_of(p), ["name"], "cancel without a backfill is refused")
    p = data(s.gql(DELETE, {"name": "v1"}), "deleteSummaryRule")
    tap.ok(p["success"], "delete a rule", detail=p)
    p = data(s.gql(DELETE, {"name": "v1"}), "deleteSummaryRule")
    tap.eq(fields_of(p), ["name"], "deleting an unknown rule is refused")
    tap.eq(kusto_ops(k, "CpuV"), [], "nothing was ever submitted for the refused or skipped rule")


def test_day(s, k, clock):
    """A 1h rule over a simulated day: hour by hour for 12 hours, then a 12 hour jump (catch-up)."""
    p = upsert(s, name="hourly", cluster="hub", database="Metrics", table="CpuHourly", body=BODY, interval="1h")
    tap.ok(p.get("success"), "day: rule created", detail=p)
    r = p.get("rule") or {}
    tap.eq(r.get("nextWindow"), {"start": "2024-02-29T23:00:00Z", "end": "2024-03-01T00:00:00Z"},
           "day: the first window is [floor(now) - 1h, floor(now))")
    first = datetime(2024, 2, 29, 23, 0, tzinfo=timezone.utc)
    ok = wait_for(lambda: len(kusto_ops(k, "CpuHourly")) == 1)
    tap.ok(ok, "day: the first window is submitted at once")
    for h in range(1, 13):
        clock.advance(hours=1)
        ok = wait_for(lambda: len(kusto_ops(k, "CpuHourly")) == h + 1)
        if not ok:
            break
    tap.ok(ok, "day: one more window submitted each simulated hour", detail=windows(kusto_ops(k, "CpuHourly")))
    tap.eq(windows(kusto_ops(k, "CpuHourly")), hours(first, 13), "day: hour by hour, each window once, in order")
    clock.advance(hours=12)  # entityd "was down": 12 windows due at once, at most 10 per tick
    wait_for(lambda: len(kusto_ops(k, "CpuHourly")) >= 25)
    wait_ticks(s, 3)
    got = windows(kusto_ops(k, "CpuHourly"))
    tap.eq(got, hours(first, 25), "day: after the jump the 12 windows caught up, none skipped, none twice")
    r = wait_for(lambda: (lambda r: r if r and r["lastSuccessfulWindowEnd"] == iso(clock.now.replace(minute=0))
                          else None)(rule_of(s, "hourly")))
    tap.ok(r, "day: lastSuccessfulWindowEnd is the end of the last window", detail=rule_of(s, "hourly"))
    r = rule_of(s, "hourly")
    tap.eq(r["nextWindow"], {"start": "2024-03-02T00:00:00Z", "end": "2024-03-02T01:00:00Z"},
           "day: nextWindow follows the last window")
    tap.ok(all(o["state"] == "Completed" and o["kind"] == "SCHEDULE" for o in r["operations"]) and
           len(r["operations"]) == 25, "day: every operation is shown Completed", detail=r["operations"][:3])
    ids = {o["operationId"] for o in r["operations"]}
    tap.eq(ids, {i for _, _, i, _ in kusto_ops(k, "CpuHourly")}, "day: the operation ids are Kusto's")
    tap.ok(r["lastError"] is None, "day: no error", detail=r["lastError"])
    return first


def test_command(k):
    st = k.state()
    op = next(st["operations"][i] for i in st["operation_order"] if st["operations"][i]["table"] == "CpuHourly")
    want = (".set-or-append async CpuHourly with (extend_schema=true) <| "
            "let _startTime=datetime(2024-02-29T23:00:00.0000000Z);\n"
            "let _endTime=datetime(2024-02-29T23:59:59.9999999Z);\n" + BODY)
    tap.eq(op["command"], want, "command: Kusto received the exact .set-or-append async text")
    tap.eq(op["db"], "Metrics", "command: in the rule's database")


def test_criteria(s, k):
    p = upsert(s, name="west", cluster="hub", database="Metrics", table="CpuWest", body=BODY, interval="1h",
               criteria={"region": ["westus"]})
    q = upsert(s, name="east", cluster="hub", database="Metrics", table="CpuEast", body=BODY, interval="1h",
               criteria={"REGION": ["WestUS", "EastUS"], "zone": ["9"]})
    tap.ok(p.get("success") and q.get("success"), "criteria: rules stored", detail=(p, q))
    tap.ok(wait_for(lambda: len(kusto_ops(k, "CpuEast")) == 1), "criteria: a case-insensitive match runs")
    wait_ticks(s, 2)
    tap.eq(kusto_ops(k, "CpuWest"), [], "criteria: a rule that does not match is not run")
    r = rule_of(s, "west")
    tap.ok(r["skipped"] is True and r["nextWindow"] is None and r["operations"] == [],
           "criteria: it is shown as skipped", detail=r)
    tap.ok(rule_of(s, "east")["skipped"] is False, "criteria: the matching one is not skipped")
    tap.eq(r["criteria"], {"region": ["westus"]}, "criteria: stored as given")
    for n in ("west", "east"):
        s.gql(DELETE, {"name": n})


def test_failed(s, k, clock):
    """A Failed operation: the error is shown, the window waits for its backoff in (test) time, is submitted
    again, and the second operation completing moves the rule on."""
    k.operations({"default": [{"State": "InProgress"}]})
    p = upsert(s, name="flaky", cluster="hub", database="Metrics", table="CpuFlaky", body=BODY, interval="1h")
    tap.ok(p.get("success"), "failed: rule created", detail=p)
    ops = wait_for(lambda: kusto_ops(k, "CpuFlaky"))
    first = ops[0][2] if ops else None
    k.operations({first: [{"State": "Failed", "Status": "E_BOOM: the query ran out of memory"}],
                  "default": [{"State": "Completed"}]})
    r = wait_for(lambda: (lambda r: r if r and r["lastError"] and "E_BOOM" in r["lastError"] else None)(
        rule_of(s, "flaky")))
    tap.ok(r, "failed: the rule shows Kusto's message", detail=rule_of(s, "flaky"))
    r = rule_of(s, "flaky")
    op = next((o for o in r["operations"] if o["operationId"] == first), {})
    tap.ok(op.get("state") == "Failed" and "E_BOOM" in (op.get("message") or ""),
           "failed: the operation shows Failed with Kusto's message", detail=op)
    w_end = clock.now.replace(minute=0, second=0)
    tap.eq(r["nextWindow"], {"start": iso(w_end - timedelta(hours=1)), "end": iso(w_end)},
           "failed: nextWindow is the failed window")
    tap.ok(r["lastSuccessfulWindowEnd"] is None, "failed: no success yet", detail=r["lastSuccessfulWindowEnd"])
    wait_ticks(s, 2)
    tap.eq(len(kusto_ops(k, "CpuFlaky")), 1, "failed: not resubmitted before its backoff (test clock unchanged)")
    clock.advance(seconds=2)
    ok = wait_for(lambda: len(kusto_ops(k, "CpuFlaky")) == 2)
    ops = kusto_ops(k, "CpuFlaky")
    tap.ok(ok and ops[0][:2] == ops[1][:2], "failed: after the backoff the same window is submitted again",
           detail=ops)
    r = wait_for(lambda: (lambda r: r if r and r["lastSuccessfulWindowEnd"] else None)(rule_of(s, "flaky")))
    tap.ok(r and r["lastSuccessfulWindowEnd"] == iso(dt(ops[0][1])) and r["lastError"] is None,
           "failed: the retry completes, the rule moves on and its error clears", detail=r)
    s.gql(DELETE, {"name": "flaky"})


def test_should_retry(s, k):
    k.operations({"default": [{"State": "InProgress"}]})
    upsert(s, name="retry", cluster="hub", database="Metrics", table="CpuRetry", body=BODY, interval="1h")
    ops = wait_for(lambda: kusto_ops(k, "CpuRetry"))
    k.operations({ops[0][2]: [{"State": "Failed", "Status": "transient", "ShouldRetry": True}],
                  "default": [{"State": "Completed"}]})
    ok = wait_for(lambda: len(kusto_ops(k, "CpuRetry")) == 2)
    ops = kusto_ops(k, "CpuRetry")
    tap.ok(ok and ops[0][:2] == ops[1][:2], "shouldretry: the same window is resubmitted without a clock move",
           detail=ops)
    r = wait_for(lambda: (lambda r: r if r and r["lastSuccessfulWindowEnd"] else None)(rule_of(s, "retry")))
    old = next((o for o in (r or rule_of(s, "retry"))["operations"] if o["operationId"] == ops[0][2]), {})
    tap.ok("ShouldRetry" in (old.get("message") or ""), "shouldretry: the first operation says why it was resent",
           detail=old)
    tap.ok(r and r["lastError"] is None, "shouldretry: a retry is not an error", detail=r)
    s.gql(DELETE, {"name": "retry"})


def test_faults(s, k, clock):
    """Faults on submission (429 with Retry-After, 500, a garbage body) and on the lookup: each leaves a
    clear error on the rule, the rule waits for its backoff (test time), the next tick goes on, and the
    rule's windows are still each submitted exactly once. The client makes one attempt per call
    (--kusto-max-attempts 1), so each fault is consumed by exactly one request."""
    upsert(s, name="faulty", cluster="hub", database="Metrics", table="CpuFaulty", body=BODY, interval="1h")
    wait_for(lambda: len(kusto_ops(k, "CpuFaulty")) == 1)
    cases = [
        ("429", {"status": 429, "retry_after": 1,
                 "body": {"error": {"code": "Too many requests", "message": "Request is denied due to throttling."}}},
         "429"),
        ("500", {"status": 500, "plain_text": "upstream exploded"}, "HTTP 500"),
        ("garbage", {"kind": "malformed"}, "malformed"),
    ]
    n = 1
    for name, fault, needle in cases:
        k.faults([dict(fault, match="set-or-append async CpuFaulty", count=1, path="/v1/rest/mgmt")])
        clock.advance(hours=1)
        r = wait_for(lambda: (lambda r: r if r and r["lastError"] and needle in r["lastError"] else None)(
            rule_of(s, "faulty")))
        tap.ok(r, f"faults: {name} on submission is shown on the rule", detail=rule_of(s, "faulty"))
        wait_ticks(s, 2)
        tap.eq(len(kusto_ops(k, "CpuFaulty")), n, f"faults: after {name} the rule waits for its backoff")
        clock.advance(seconds=5)
        n += 1
        ok = wait_for(lambda: len(kusto_ops(k, "CpuFaulty")) == n)
        tap.ok(ok, f"faults: after {name} a later tick submits the waiting window", detail=kusto_ops(k, "CpuFaulty"))
        r = wait_for(lambda: (lambda r: r if r and not r["lastError"] else None)(rule_of(s, "faulty")))
        tap.ok(r, f"faults: after {name} the error clears once the window went through", detail=rule_of(s, "faulty"))
    # a fault on the lookup of one operation: the operation and the rule say so; the next tick looks again
    k.operations({"default": [{"State": "InProgress"}]})
    clock.advance(hours=1)
    wait_for(lambda: len(kusto_ops(k, "CpuFaulty")) == n + 1)
    opid = kusto_ops(k, "CpuFaulty")[-1][2]
    k.faults([{"match": "show operations " + opid, "status": 503, "plain_text": "lookup is down", "count": 1,
               "path": "/v1/rest/mgmt"}])
    r = wait_for(lambda: (lambda r: r if r and r["lastError"] and ".show operations" in r["lastError"] else None)(
        rule_of(s, "faulty")))
    tap.ok(r and "503" in r["lastError"], "faults: a failed lookup is shown on the rule", detail=rule_of(s, "faulty"))
    op = next((o for o in (r or {}).get("operations", []) if o["operationId"] == opid), {})
    tap.ok(".show operations" in (op.get("message") or ""), "faults: and on the operation", detail=op)
    # a lookup that times out (--kusto-timeout 5): the same, with the timeout named
    k.faults([{"match": "show operations " + opid, "delay_ms": 7000, "count": 1, "path": "/v1/rest/mgmt"}])
    r = wait_for(lambda: (lambda r: r if r and r["lastError"] and "timeout" in r["lastError"] else None)(
        rule_of(s, "faulty")))
    tap.ok(r, "faults: a lookup that times out is shown on the rule", detail=rule_of(s, "faulty"))
    k.operations({opid: [{"State": "Completed"}], "default": [{"State": "Completed"}]})
    r = wait_for(lambda: (lambda r: r if r and r["operations"][0]["state"] == "Completed" and not r["lastError"]
                          else None)(rule_of(s, "faulty")))
    tap.ok(r, "faults: the next ticks look it up again, it completes and the error clears",
           detail=rule_of(s, "faulty"))
    got = windows(kusto_ops(k, "CpuFaulty"))
    first = got[0][0]
    want = [(first + i * HOUR, first + (i + 1) * HOUR) for i in range(len(got))]
    tap.ok(len(got) == n + 1 and once_each(got, want), "faults: no window lost or submitted twice through all the "
           "faults", detail=got)
    s.gql(DELETE, {"name": "faulty"})


def test_backfill(s, k, clock):
    """48 windows, one operation at a time; progress shows; the backfill removes itself; the normal
    schedule's position does not move because of it."""
    p = upsert(s, name="bf", cluster="hub", database="Metrics", table="CpuBackfill", body=BODY, interval="1h",
               ingestionDelay="10m")
    wait_for(lambda: len(kusto_ops(k, "CpuBackfill")) == 1)
    wait_ticks(s, 2)
    before = rule_of(s, "bf")
    start = (clock.now - timedelta(days=4)).replace(minute=0, second=0)
    end = start + timedelta(hours=48)
    p = data(s.gql(START, {"name": "bf", "start": iso(start), "end": iso(end)}), "startSummaryRuleBackfill")
    tap.ok(p and p["success"], "backfill: started", detail=p)
    seen_progress = set()
    max_in_flight = 0

    def step():
        r = rule_of(s, "bf")
        b = r["backfill"]
        if b:
            seen_progress.add(round(b["progress"], 3))
        nonlocal max_in_flight
        inflight = [o for o in r["operations"] if o["kind"] == "BACKFILL" and o["state"] not in
                    ("Completed", "Failed")]
        max_in_flight = max(max_in_flight, len(inflight))
        return r if b is None else None
    r = wait_for(step, timeout=150, interval=0.2)
    tap.ok(r, "backfill: all 48 windows ran and the backfill removed itself", detail=rule_of(s, "bf"))
    ops = [o for o in kusto_ops(k, "CpuBackfill") if ticks_of(iso(start)) <= o[0] < ticks_of(iso(end))]
    tap.eq(windows(ops), hours(start, 48), "backfill: Kusto received the 48 windows, in order, each once")
    tap.ok(max_in_flight <= 1, "backfill: never more than one operation in flight", detail=max_in_flight)
    tap.ok(len(seen_progress) > 5 and max(seen_progress) < 1.0 and min(seen_progress) < 0.2,
           "backfill: progress was visible and grew", detail=sorted(seen_progress))
    kinds = {o["operationId"]: o["kind"] for o in r["operations"]}
    tap.ok(all(kinds.get(i) == "BACKFILL" for _, _, i, _ in ops), "backfill: its operations are marked BACKFILL")
    tap.eq(r["lastSuccessfulWindowEnd"], before["lastSuccessfulWindowEnd"],
           "backfill: the schedule's position did not move")
    tap.eq(r["nextWindow"], before["nextWindow"], "backfill: nor its next window")
    sched = [o for o in kusto_ops(k, "CpuBackfill") if o[0] >= ticks_of(iso(end))]
    tap.eq(len(sched), 1, "backfill: the schedule submitted nothing extra meanwhile")
    s.gql(DELETE, {"name": "bf"})


def test_cancel(s, k, clock):
    k.operations({"default": [{"State": "InProgress"}]})
    upsert(s, name="cx", cluster="hub", database="Metrics", table="CpuCancel", body=BODY, interval="1h")
    start = (clock.now - timedelta(days=2)).replace(minute=0, second=0)
    p = data(s.gql(START, {"name": "cx", "start": iso(start), "end": iso(start + timedelta(hours=5))}),
             "startSummaryRuleBackfill")
    tap.ok(p and p["success"], "cancel: backfill started", detail=p)
    r = wait_for(lambda: (lambda r: r if r and r["backfill"] and r["backfill"]["operationId"] else None)(
        rule_of(s, "cx")))
    opid = r["backfill"]["operationId"] if r else None
    tap.eq(r and r["backfill"]["currentWindow"], {"start": iso(start), "end": iso(start + timedelta(hours=1))},
           "cancel: currentWindow shows the window in flight")
    p = data(s.gql(CANCEL, {"name": "cx"}), "cancelSummaryRuleBackfill")
    tap.ok(p["success"] and p["rule"]["backfill"] is None, "cancel: the backfill is gone", detail=p)
    op = next((o for o in p["rule"]["operations"] if o["operationId"] == opid), {})
    tap.ok("left to finish" in (op.get("message") or ""), "cancel: the operation in flight is noted", detail=op)
    k.operations({opid: [{"State": "Completed"}], "default": [{"State": "Completed"}]})
    r = wait_for(lambda: (lambda r: r if next((o for o in r["operations"] if o["operationId"] == opid),
                                               {}).get("state") == "Completed" else None)(rule_of(s, "cx")))
    tap.ok(r, "cancel: the operation is followed to its end", detail=rule_of(s, "cx"))
    wait_ticks(s, 2)
    bops = [o for o in kusto_ops(k, "CpuCancel") if o[0] < ticks_of(iso(start + timedelta(hours=5)))]
    tap.eq(len(bops), 1, "cancel: no backfill window is submitted after the cancel")
    s.gql(DELETE, {"name": "cx"})


def test_crash(s, k, clock, data_dir, start_server):
    """kill -9 in the middle of a backfill (operations take two lookups each), restart on the same data:
    the windows Kusto received are exactly the expected ones, each once."""
    k.operations({"default": [{"State": "InProgress"}, {"State": "Completed"}]})
    upsert(s, name="crash", cluster="hub", database="Metrics", table="CpuCrash", body=BODY, interval="1h")
    start = (clock.now - timedelta(days=3)).replace(minute=0, second=0)
    end = start + timedelta(hours=10)
    data(s.gql(START, {"name": "crash", "start": iso(start), "end": iso(end)}), "startSummaryRuleBackfill")

    def stored_mid():
        r = rule_of(s, "crash")
        b = r and r["backfill"]
        ops = kusto_ops(k, "CpuCrash")
        n = len([o for o in ops if o[0] < ticks_of(iso(end))])
        # 4 windows sent, the 4th stored by entityd and still in flight in Kusto
        return b and n >= 4 and b["operationId"] == [o for o in ops if o[0] < ticks_of(iso(end))][-1][2]
    tap.ok(wait_for(stored_mid, timeout=60), "crash: the backfill is in the middle, its operation stored")
    s.kill9()
    got_before = len(kusto_ops(k, "CpuCrash"))
    clock.advance(hours=1)
    s2 = start_server()
    r = wait_for(lambda: (lambda r: r if r and r["backfill"] is None else None)(rule_of(s2, "crash")), timeout=90)
    tap.ok(r, "crash: after the restart the backfill finished", detail=rule_of(s2, "crash"))
    ops = kusto_ops(k, "CpuCrash")
    bwin = windows([o for o in ops if o[0] < ticks_of(iso(end))])
    tap.eq(bwin, hours(start, 10), "crash: every backfill window exactly once across the kill -9")
    swin = windows([o for o in ops if o[0] >= ticks_of(iso(end))])
    tap.ok(once_each(swin, hours(dt(swin[0][0]), len(swin))) if swin else False,
           "crash: the schedule's windows too, each once, none skipped", detail=swin)
    tap.ok(len(ops) > got_before, "crash: the restarted server went on")
    return s2


def main():
    with KustoServer() as k, tempfile.TemporaryDirectory(prefix="entityd-sr-") as tmp:
        k.setup({"Metrics": {"tables": {"Cpu": "Timestamp:datetime,Value:real"}}})
        k.operations({"default": [{"State": "Completed"}]})
        clock = Clock(os.path.join(tmp, "now"), T0)
        data_dir = os.path.join(tmp, "data")
        os.makedirs(data_dir)
        args = ["--summary-interval", "1", "--summary-max-windows", "10", "--cluster-label", "region=eastus",
                "--kusto-max-attempts", "1", "--kusto-timeout", "5"]
        env = {"ENTITYD_TEST_NOW_FILE": clock.path}

        def start_server():
            return Server(extra_args=args, env=env, data_dir=data_dir).start()

        s = start_server()
        try:
            st, body = s.gql("""mutation A($input: AdxClusterInput!) { upsertAdxCluster(input: $input) {
                success errors { field message } } }""", {"input": {"name": "hub", "endpoint": k.endpoint}})
            tap.ok(data((st, body), "upsertAdxCluster", "success"), "the Kusto test server is cluster 'hub'",
                   detail=body)
            test_validation(s, k)
            test_day(s, k, clock)
            test_command(k)
            test_criteria(s, k)
            test_failed(s, k, clock)
            test_should_retry(s, k)
            test_faults(s, k, clock)
            test_backfill(s, k, clock)
            test_cancel(s, k, clock)
            s = test_crash(s, k, clock, data_dir, start_server)
            got = windows(kusto_ops(k, "CpuHourly"))
            first = datetime(2024, 2, 29, 23, 0, tzinfo=timezone.utc)
            tap.ok(once_each(got, hours(first, len(got))), "day: the hourly rule kept every window once to the end",
                   detail=got)
        finally:
            rc = s.stop()
            tap.ok(rc == 0, "entityd stopped cleanly", detail=s.read_log())
            if rc != 0 or tap.failed:
                sys.stdout.write("# server log tail:\n" + "".join("# " + ln + "\n" for ln in
                                                                    s.read_log().splitlines()[-40:]))
    tap.done()


if __name__ == "__main__":
    main()
