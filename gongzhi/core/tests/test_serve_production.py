"""The production configuration starts (scripts/serve-production.sh: check --deploy, migrate,
collectstatic, gunicorn on 127.0.0.1), answers /healthz, and stops by its PID."""

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "serve-production.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_production_server_starts_answers_health_and_stops(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PYTEST", "SECRET_KEY", "GONGZHI_"))
    }
    env.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SECRET_KEY_FILE=str(tmp_path / "secret"),
        GUNICORN_WORKERS="2",
        GUNICORN_ACCESS_LOG="/dev/null",
        PIDFILE=str(tmp_path / "pid"),
    )
    (tmp_path / "secret").write_text("x" * 20 + "a-long-random-production-secret-key-for-this-test-only-42")
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([str(SCRIPT)], env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, _headers, body = get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, (tmp_path / "server.log").read_text()[-3000:]
        assert b'"status": "ok"' in body
        assert int((tmp_path / "pid").read_text()) == process.pid  # the script became gunicorn

        # Plain HTTP is sent to HTTPS; through the proxy (X-Forwarded-Proto) pages are served
        # with HSTS, secure cookies and hashed, compressed static files from whitenoise.
        status, headers, _ = get(port, "/accounts/login/")
        assert status == 301 and headers["Location"].startswith("https://")
        status, headers, body = get(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})
        assert status == 200, (headers, body[:500])
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert "csrftoken=" in headers["Set-Cookie"] and "Secure" in headers["Set-Cookie"]
        css = re.search(rb'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', body)
        assert css, body[:2000]
        status, headers, _ = get(port, css.group(1).decode(), {"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"})
        assert status == 200 and "max-age=315360000" in headers["Cache-Control"]
        assert headers.get("Content-Encoding") == "gzip"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
            log.close()
    assert process.returncode == 0
    try:
        get(port, "/healthz")
        raise AssertionError("server still answering after it was stopped")
    except OSError:
        pass
