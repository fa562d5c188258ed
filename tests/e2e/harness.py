"""harness.py -- end-to-end test support: starts the real entityd binary on 127.0.0.1 with a
fresh data directory (a real SQLite file), sends real HTTP requests, and reports TAP.

    from harness import Server, tap
    with Server(extra_args=["--reporting-window", "60"]) as s:
        status, headers, body = s.request("GET", "/healthz")
        tap.ok(status == 200, "healthz answers 200", detail=body)
        r = s.gql("{ __typename }")            # POST /graphql with the admin key
    tap.done()                                   # prints the plan; exit code 1 on any failure

Only the loopback interface is ever used. Every wait is bounded.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN = os.environ.get("ENTITYD_BIN") or os.path.join(os.path.dirname(__file__), "..", "..", "build", "src", "entityd")
SRCDIR = os.environ.get("ENTITYD_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")


class Tap:
    """Minimal TAP producer (the automake tap-driver counts each `ok`/`not ok`)."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=None):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {name}", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.n} - {name}", flush=True)
            if detail is not None:
                for line in str(detail)[:4000].splitlines():
                    print(f"#   {line}", flush=True)
        return bool(cond)

    def eq(self, got, want, name):
        return self.ok(got == want, name, detail=f"got:  {got!r}\nwant: {want!r}")

    def skip(self, name, reason):
        self.n += 1
        print(f"ok {self.n} - {name} # SKIP {reason}", flush=True)

    def done(self):
        print(f"1..{self.n}", flush=True)
        sys.exit(1 if self.failed else 0)


tap = Tap()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running entityd. Use as a context manager; stop() sends SIGTERM and waits (bounded)."""

    def __init__(self, extra_args=None, env=None, data_dir=None, port=None, keep_data=False):
        self.port = port or free_port()
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="entityd-e2e-")
        self.keep_data = keep_data
        self.extra_args = list(extra_args or [])
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("ENTITYD_") and k not in ("ENTITYD_BIN", "ENTITYD_SRCDIR", "ENTITYD_BUILDDIR"):
                del self.env[k]
        self.env.update(env or {})
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "server.log")
        self.admin_key = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=15.0):
        web_root = os.path.join(SRCDIR, "web")
        args = [BIN, "--listen", "127.0.0.1", "--port", str(self.port), "--data-dir", self.data_dir,
                "--web-root", web_root, "--log-level", "debug"] + self.extra_args
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"entityd exited with {self.proc.returncode}:\n{self.read_log()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError(f"entityd did not become healthy in {timeout}s:\n{self.read_log()}")
        key_path = os.path.join(self.data_dir, "admin.key")
        if os.path.exists(key_path):
            with open(key_path) as f:
                self.admin_key = f.read().strip()
        return self

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-8000:]
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Stops the server; returns its exit code (None if it had to be killed)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.log.close()
                self.proc = None
                return None
        rc = self.proc.returncode
        self.log.close()
        self.proc = None
        return rc

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        rc = self.stop()
        if exc[0] is None and rc not in (0, None) and not self.proc:
            tap.ok(False, f"server exited cleanly (rc={rc})", detail=self.read_log())
        if self.own_dir and not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return False

    # ---- HTTP ----
    def request(self, method, path, body=None, headers=None, timeout=30):
        """Returns (status, headers dict with lower-case names, body bytes)."""
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def gql(self, query, variables=None, operation_name=None, key="admin", headers=None):
        """POST /graphql; returns (status, decoded JSON body or None)."""
        payload = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if key == "admin":
            key = self.admin_key
        if key:
            h["API-Key"] = key
        h.update(headers or {})
        status, _, body = self.request("POST", "/graphql", json.dumps(payload), h)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None

    def events(self, records, key="admin", ndjson=False):
        """POST /v1/events; returns (status, decoded JSON body or None)."""
        if ndjson:
            body = "\n".join(json.dumps(r) for r in records) + "\n"
            ctype = "application/x-ndjson"
        else:
            body = json.dumps(records)
            ctype = "application/json"
        h = {"Content-Type": ctype}
        if key == "admin":
            key = self.admin_key
        if key:
            h["API-Key"] = key
        status, _, raw = self.request("POST", "/v1/events", body, h)
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, None


def read_api(name):
    """Reads a document from shared/api (the public contract) or tests/e2e/api copies."""
    for base in (os.path.join(SRCDIR, "..", "shared", "api"), os.path.join(SRCDIR, "tests", "e2e", "api")):
        p = os.path.join(base, name)
        if os.path.exists(p):
            with open(p) as f:
                return f.read()
    raise FileNotFoundError(name)
