"""A CRM's webhook endpoint on loopback: verifies every request with the ``standardwebhooks``
library (any of the secrets it is given), records what arrived, and answers as told —
``up`` (200), ``flaky`` (every other request 500, after recording it), ``hang`` (holds the
request until released), or stopped (connection refused)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    webhook_id: str
    body: dict[str, Any]
    verified_with: str  # which secret verified it
    signatures: int


class Receiver:
    def __init__(self, secrets: list[str] | None = None) -> None:
        self.secrets: list[str] = list(secrets or [])
        self.mode = "up"
        self.received: list[Received] = []
        self.refused: list[str] = []  # requests whose signature did not verify
        self.requests = 0
        self.release = threading.Event()
        self.hanging = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/crm"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.handle(raw, dict(self.headers.items()))
                answer = json.dumps({"ok": status < 300}).encode()
                self.send_response(status)
                if status == 307:
                    self.send_header("Location", receiver.url + "/moved")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, raw: bytes, headers: dict[str, str]) -> int:
        verified_with = ""
        for secret in self.secrets:
            try:
                Webhook(secret).verify(raw, headers)
            except WebhookVerificationError:
                continue
            verified_with = secret
            break
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.requests += 1
            number = self.requests
            if not verified_with:
                self.refused.append(lowered.get("webhook-id", ""))
                return 401
            self.received.append(
                Received(
                    lowered["webhook-id"],
                    json.loads(raw),
                    verified_with,
                    len(lowered["webhook-signature"].split()),
                )
            )
        if self.mode == "hang":
            self.hanging.set()
            self.release.wait(60)
            return 200
        if self.mode == "flaky" and number % 2 == 1:
            return 500
        if self.mode == "down":
            return 503
        if self.mode == "redirect":
            return 307
        return 200

    def ids(self) -> set[str]:
        with self._lock:
            return {r.webhook_id for r in self.received}

    def of_type(self, event_type: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.body["type"] == event_type]
