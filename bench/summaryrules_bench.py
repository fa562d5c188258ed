#!/usr/bin/env python3
"""summaryrules_bench.py -- the SummaryRules scheduler under load (issue 9 "Tests and proof"): 1,000 rules
of 1-minute interval against the Kusto test server for 100 simulated minutes, on 127.0.0.1.

    python3 bench/summaryrules_bench.py [--rules 1000] [--minutes 100] [--bin path/to/entityd]

Starts the Kusto test server (tests/kusto/kusto_server.py, every operation Completed at its first lookup)
and entityd with the test clock (ENTITYD_TEST_NOW_FILE) and a 1 s tick, creates the rules, then moves the
clock one minute at a time and waits until the minute's windows have all been submitted. Each busy tick
polls the previous minute's operation of every rule and submits the new window.

Prints, from the scheduler's own per-tick log line (summaryrules tick ... cpu_ms= commits= rows=):
CPU time of the worker thread per busy tick (p50, p95, max) and per rule, SQLite write transactions and
rows changed per tick and per window, Kusto calls per tick; and checks from the test server's operation log
that every rule's windows were each submitted exactly once, none skipped. Exit status 1 if not.
"""
import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "kusto"))
import harness  # noqa: E402
from harness import Server  # noqa: E402
from kusto_fixture import KustoServer  # noqa: E402

def iso(d):
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticks_of(text):
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$", text)
    secs = int((datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc) - EPOCH)
               .total_seconds())
    return secs * TICKS + int((m.group(2) or "0").ljust(7, "0"))


def metric(s, name):
    _, _, body = s.request("GET", "/metrics")
    m = re.search(rb"^" + name.encode() + rb" ([\d.e+]+)", body, re.M)
    return float(m.group(1)) if m else 0.0


def read_full_log(s):
    with open(s.log_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--minutes", type=int, default=100)
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()
    if args.bin:
        harness.BIN = args.bin

    with KustoServer() as k, tempfile.TemporaryDirectory(prefix="entityd-srbench-") as tmp:
        k.setup({"Metrics": {"tables": {"Cpu": "Timestamp:datetime,Value:real"}}})
        k.operations({"default": [{"State": "Completed"}]})
        now_file = os.path.join(tmp, "now")

        def set_now(d):
            with open(now_file + ".tmp", "w") as f:
                f.write(iso(d) + "\n")
            os.replace(now_file + ".tmp", now_file)

        set_now(T0)
        data_dir = os.path.join(tmp, "data")
        os.makedirs(data_dir)
        s = Server(extra_args=["--summary-interval", "1", "--summary-max-windows", "10", "--log-level", "info"],
                   env={"ENTITYD_TEST_NOW_FILE": now_file}, data_dir=data_dir).start()
        try:
            st, body = s.gql("""mutation A($input: AdxClusterInput!) { upsertAdxCluster(input: $input) {
                success errors { message } } }""", {"input": {"name": "hub", "endpoint": k.endpoint}})
            assert body["data"]["upsertAdxCluster"]["success"], body
            t = time.monotonic()
            per = 50
            for b in range(0, args.rules, per):
                parts = []
                for i in range(b, min(args.rules, b + per)):
                    parts.append(f'r{i}: upsertSummaryRule(input: {{name: "rule-{i:04d}", cluster: "hub", '
                                 f'database: "Metrics", table: "Sum{i:04d}", body: "{BODY}", interval: "1m"}}) '
                                 f'{{ success errors {{ message }} }}')
                st, body = s.gql("mutation {" + "\n".join(parts) + "}")
                assert st == 200 and all(v["success"] for v in body["data"].values()), body
            print(f"created {args.rules} rules in {time.monotonic() - t:.1f} s", flush=True)

            def wait_submissions(n, timeout=300):
                deadline = time.monotonic() + timeout
                while metric(s, "entityd_summaryrules_submissions_total") < n:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"timed out waiting for {n} submissions "
                                         f"(have {metric(s, 'entityd_summaryrules_submissions_total'):.0f})")
                    time.sleep(0.05)

            wait_submissions(args.rules)  # the first window of every rule: [T0 floor - 1m, T0 floor)
            log_mark = len(read_full_log(s))
            t_start = time.monotonic()
            for m in range(1, args.minutes + 1):
                set_now(T0 + timedelta(minutes=m))
                wait_submissions(args.rules * (m + 1))
                if m % 10 == 0:
                    print(f"  minute {m}: {args.rules * (m + 1)} windows submitted, "
                          f"{time.monotonic() - t_start:.0f} s", flush=True)
            # one more tick so the last minute's operations are polled too
            ticks = metric(s, "entityd_summaryrules_ticks_total")
            while metric(s, "entityd_summaryrules_ticks_total") < ticks + 2:
                time.sleep(0.05)
            wall = time.monotonic() - t_start
            log = read_full_log(s)[log_mark:]
        finally:
            rc = s.stop()

        busy = []
        for line in log.splitlines():
            m = TICK_RE.search(line)
            if m and int(m.group(3)) > 0:
                busy.append(tuple(float(x) for x in m.groups()))
        # check: every rule's windows, each exactly once, contiguous
        state = k.state()
        per_table = {}
        for op in state["operations"].values():
            per_table.setdefault(op["table"], []).append((ticks_of(op["start"]), ticks_of(op["end"]) + 1))
        first = (int((T0 - EPOCH).total_seconds()) // 60 - 1) * 60 * TICKS
        want = [(first + i * 60 * TICKS, first + (i + 1) * 60 * TICKS) for i in range(args.minutes + 1)]
        bad = [t for t in (f"Sum{i:04d}" for i in range(args.rules)) if sorted(per_table.get(t, [])) != want]
        total = sum(len(v) for v in per_table.values())

    cpu = [b[6] for b in busy]
    commits = [b[4] for b in busy]
    rows = [b[5] for b in busy]
    subs = [b[2] for b in busy]
    polls = [b[1] for b in busy]
    print()
    print(f"rules {args.rules}, simulated minutes {args.minutes}, windows submitted {total} "
          f"(expected {args.rules * (args.minutes + 1)}), wall {wall:.0f} s, entityd exit {rc}")
    print(f"every window exactly once, none skipped: {'yes' if not bad and total == len(want) * args.rules else 'NO'}"
          + (f" (wrong: {bad[:5]}...)" if bad else ""))
    print(f"busy ticks {len(busy)}: submissions/tick p50 {statistics.median(subs):.0f}, "
          f"polls/tick p50 {statistics.median(polls):.0f}")
    print(f"CPU per busy tick (worker thread): p50 {statistics.median(cpu):.1f} ms, p95 {pct(cpu, 95):.1f} ms, "
          f"max {max(cpu):.1f} ms; per rule {statistics.median(cpu) / args.rules * 1000:.0f} us")
    tenth = max(1, len(cpu) // 10)
    print(f"CPU per busy tick, first tenth of the run p50 {statistics.median(cpu[:tenth]):.1f} ms, last tenth "
          f"{statistics.median(cpu[-tenth:]):.1f} ms (the history reaches its cap of 200 per rule at minute 200)")
    print(f"SQLite write transactions per busy tick: p50 {statistics.median(commits):.0f}, max {max(commits):.0f}; "
          f"per window {sum(commits) / max(1, sum(subs)):.2f}")
    print(f"SQLite rows changed per busy tick: p50 {statistics.median(rows):.0f}, max {max(rows):.0f}; "
          f"per window {sum(rows) / max(1, sum(subs)):.2f}")
    return 0 if not bad and total == len(want) * args.rules and rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
