import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Hook:
    """A real webhook receiver on 127.0.0.1: records what it was sent; answers ``status``."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                hook.received.append({"body": json.loads(raw), "raw": raw, "headers": dict(self.headers)})
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_server():
    hook = _Hook()
    yield hook
    hook.close()


@pytest.fixture
def channels(settings, webhook_server):
    """E-mail (Django's locmem backend under pytest) and a webhook to the local receiver."""
    settings.GONGZHI_NOTIFICATION_SENDERS = {
        "email": {"BACKEND": "gongzhi.notifications.senders.EmailSender"},
        "webhook": {
            "BACKEND": "gongzhi.notifications.senders.WebhookSender",
            "URL": webhook_server.url,
            "SECRET": "s3cret",
            "TIMEOUT": 5,
        },
    }
    return webhook_server
