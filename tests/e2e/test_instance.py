"""test_instance.py -- one entityd per data directory (issue 11 item 10): a second server on the same data
directory, or on the same --db file, exits 1 with a message naming the directory and the running server's
pid, and touches nothing; the lock goes with the process, so a server stopped cleanly or killed with -9 does
not keep the next one from starting. (The port half is in test_http.py.)"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, Server, free_port, tap  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if not k.startswith("ENTITYD_")}


def second(data_dir, *extra):
    """Runs a second server; one that does not exit within 10 s is killed and reported with returncode None."""
    try:
        return subprocess.run([BIN, "--listen", "127.0.0.1", "--port", str(free_port()), "--data-dir", data_dir,
                               *extra], capture_output=True, text=True, timeout=10, env=ENV)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, None, "", (e.stderr or b"").decode(errors="replace"))


def main():
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data")
        for sub in ("data", "third"):
            os.mkdir(os.path.join(d, sub))
        with Server(data_dir=data) as first:
            db = os.path.join(data, "entityd.db")
            size = os.path.getsize(db)
            out = second(data)
            tap.ok(out.returncode == 1 and f"the data directory {data} is in use by another entityd" in out.stderr
                   and f"pid {first.proc.pid}" in out.stderr,
                   "a second entityd on the same data directory: exit 1 naming it and the first one's pid",
                   detail=out.stderr[-2000:])
            tap.eq(os.path.getsize(db), size, "...and the database was not touched")
            st, _, _ = first.request("GET", "/healthz")
            tap.eq(st, 200, "the first server still answers")
            out = second(os.path.join(d, "other"), "--db", db)
            tap.ok(out.returncode == 1 and "is in use by another entityd" in out.stderr,
                   "a second entityd with another data directory but the same database: exit 1 (the store is locked)",
                   detail=out.stderr[-2000:])
            with Server(data_dir=os.path.join(d, "third")) as third:
                st, _, _ = third.request("GET", "/healthz")
                tap.eq(st, 200, "another data directory starts next to it")
        tap.ok(os.path.exists(os.path.join(data, "entityd.lock")), "the lock file stays after a clean stop")
        s = Server(data_dir=data).start()
        st, _, _ = s.request("GET", "/healthz")
        tap.eq(st, 200, "a server starts on the data directory after a clean stop (the lock went with the process)")
        s.kill9()
        s = Server(data_dir=data).start()
        st, _, _ = s.request("GET", "/healthz")
        tap.eq(st, 200, "...and after kill -9")
        tap.eq(s.stop(), 0, "it stops cleanly")
    tap.done()


if __name__ == "__main__":
    main()
