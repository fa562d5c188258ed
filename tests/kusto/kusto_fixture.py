"""kusto_fixture.py -- starts the Kusto-protocol test server (tests/kusto/kusto_server.py) on
127.0.0.1 for end-to-end tests of the ADX modules, and drives its /_test control API.

    import sys, os; sys.path.insert(0, os.path.join(SRCDIR, "tests", "kusto"))
    from kusto_fixture import KustoServer
    with KustoServer() as hub:
        hub.setup({"Metrics": {"tables": {"Cpu": "Timestamp:datetime,Value:real"}}})
        hub.faults([{"path": "/v1/rest/mgmt", "status": 429, "retry_after": 1, "count": 1}])
        hub.set_clock("2024-01-01T00:00:00Z")
        state = hub.state()          # databases, entity groups, functions, command log, operations
        hub.endpoint                 # "http://127.0.0.1:PORT"

One process is one Kusto cluster. Every wait is bounded; only the loopback interface is used.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "kusto_server.py")


class KustoServer:
    def __init__(self, require_auth=False, extra_args=None):
        self.require_auth = require_auth
        self.extra_args = extra_args or []
        self.proc = None
        self.port = None
        self._dir = None
        self._log = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=15.0):
        self._dir = tempfile.mkdtemp(prefix="kusto-test-")
        port_file = os.path.join(self._dir, "port")
        self._log = open(os.path.join(self._dir, "server.log"), "w+")
        args = [sys.executable, SERVER, "--port", "0", "--port-file", port_file] + self.extra_args
        if self.require_auth:
            args.append("--require-auth")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kusto_server.py exited with {self.proc.returncode}: {self.read_log()}")
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("kusto_server.py did not start within %.0f s" % timeout)

    def read_log(self):
        if not self._log:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log:
            self._log.close()
            self._log = None
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- the /_test control API (see the module docstring of kusto_server.py) ----
    def control(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: HTTP {e.code}: {e.read()[:500]!r}") from None
        return json.loads(raw) if raw else None

    def reset(self):
        return self.control("POST", "/_test/reset", {})

    def setup(self, databases):
        return self.control("POST", "/_test/setup", {"databases": databases})

    def state(self):
        return self.control("GET", "/_test/state")

    def commands(self, since=0):
        return self.control("GET", f"/_test/commands?since={since}")

    def faults(self, faults):
        return self.control("POST", "/_test/faults", {"faults": faults})

    def operations(self, scripts):
        return self.control("POST", "/_test/operations", scripts)

    def auth(self, **settings):
        return self.control("POST", "/_test/auth", settings)

    def set_clock(self, now):
        """Pins the server's clock to an RFC 3339 instant (None releases it)."""
        return self.control("POST", "/_test/clock", {"now": now})
