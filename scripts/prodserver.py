"""Start and stop the production configuration (scripts/serve-production.sh) on 127.0.0.1 for the
API schema check and the soak benchmark. The server is stopped by its PID, never by name."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105 - the demo's printed password (gongzhi/demo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


class ProductionServer:
    """``with ProductionServer(workers=2, demo=True) as server:`` — a fresh SQLite database in a
    temporary folder (or ``database_url``), migrated, optionally with the demo loaded."""

    def __init__(self, *, workers=2, demo=True, database_url=None, extra_env=None, threads=1):
        self.workers = workers
        self.demo = demo
        self.database_url = database_url
        self.extra_env = extra_env or {}
        self.threads = threads
        self.process = None

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gongzhi-prod-")
        folder = Path(self.tmp.name)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "GONGZHI_"))}
        env.update(
            PORT=str(self.port),
            DATABASE_URL=self.database_url or f"sqlite:///{folder / 'db.sqlite3'}",
            STATIC_ROOT=str(folder / "static"),
            MEDIA_ROOT=str(folder / "media"),
            GUNICORN_WORKERS=str(self.workers),
            GUNICORN_THREADS=str(self.threads),
            GUNICORN_ACCESS_LOG="/dev/null",
            GUNICORN_MAX_REQUESTS="0",
            PIDFILE=str(folder / "pid"),
        )
        env.pop("SECRET_KEY", None)
        (folder / "secret").write_text(os.urandom(48).hex())
        env["SECRET_KEY_FILE"] = str(folder / "secret")
        env.update(self.extra_env)
        self.env = env
        manage = [str(PYTHON), "manage.py"]
        run = {"cwd": ROOT, "env": {**env, "GONGZHI_ENV": "production"}, "check": True}
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], **run)  # noqa: S603
        if self.demo:
            subprocess.run([*manage, "demo_load"], stdout=subprocess.DEVNULL, **run)  # noqa: S603
        self.log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / "scripts" / "serve-production.sh")],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(folder / 'server.log').read_text()[-3000:]}")
            try:
                if self.request("GET", "/healthz")[0] == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("server did not answer /healthz in time")

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.tmp.cleanup()

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def request(self, method, path, *, body=None, headers=None, cookies=None, timeout=30):
        """One request as nginx would forward it (X-Forwarded-Proto: https)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            set_cookies = {}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _eq, rest = value.partition("=")
                    set_cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), data, set_cookies
        finally:
            connection.close()

    def login(self, username, password=DEMO_PASSWORD) -> dict:
        """Sign in through the login page; return the cookies (sessionid, csrftoken)."""
        status, _h, body, cookies = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        status, headers, body, new = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"https://127.0.0.1:{self.port}/"},
            cookies=cookies,
        )
        cookies.update(new)
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"login as {username} failed: {status} {body[:300]!r}")
        return cookies

    def post_json(self, path, payload, cookies):
        return self.request(
            "POST",
            path,
            body=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": cookies.get("csrftoken", ""),
                "Referer": f"https://127.0.0.1:{self.port}/",
            },
            cookies=cookies,
        )
