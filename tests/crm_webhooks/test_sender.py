"""The HTTP side against real servers on loopback: keep-alive connections reused, a receiver
that drops idle connections still gets everything, HTTPS goes to the checked address with the
certificate checked against the URL's host, a silent receiver times out."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.crm_webhooks.guard import UrlPolicy
from connectors.crm_webhooks.sender import Sender


class Endpoint:
    """A receiver that notes each request's client port and Host header; ``close_after``
    makes it drop the connection after answering (without saying so), ``silent`` makes it
    never answer."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[tuple[int, str]] = []
        self.close_after = False
        self.silent = threading.Event()
        self.release = threading.Event()
        self.answer = b'{"ok": true}'
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.seen.append((self.client_address[1], self.headers["Host"]))
                if endpoint.silent.is_set():
                    endpoint.release.wait(5)
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(endpoint.answer)))
                self.end_headers()
                self.wfile.write(endpoint.answer)
                if endpoint.close_after:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        quiet = {"address_family": family, "handle_error": lambda *_: None}
        server_class = type("Server", (ThreadingHTTPServer,), quiet)
        self.server = server_class((host, 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    made = Endpoint()
    yield made
    made.stop()


LOOPBACK = UrlPolicy(frozenset({"127.0.0.1", "localhost"}))
HEADERS = {"webhook-id": "msg_1", "webhook-timestamp": "0", "webhook-signature": "v1,x"}


def test_connections_are_kept_alive_and_reused(endpoint: Endpoint) -> None:
    sender = Sender(LOOPBACK)
    url = f"http://127.0.0.1:{endpoint.port}/hooks"
    try:
        first = [sender.send(url, HEADERS, b"{}") for _ in range(5)]
        many = sender.send_many([(url, HEADERS, b"{}")] * 40)
    finally:
        sender.close()
    assert all(r.delivered and r.response_head == '{"ok": true}' for r in first)
    assert all(r is not None and r.delivered for r in many)
    ports = [port for port, _ in endpoint.seen]
    assert len(ports) == 45
    assert len(set(ports[:5])) == 1  # one after the other: one connection
    assert len(set(ports)) <= sender.parallel  # at most one per sending thread


def test_a_receiver_dropping_idle_connections_still_gets_every_request(
    endpoint: Endpoint,
) -> None:
    endpoint.close_after = True
    sender = Sender(LOOPBACK)
    url = f"http://127.0.0.1:{endpoint.port}/hooks"
    try:
        results = [sender.send(url, HEADERS, b"{}") for _ in range(5)]
    finally:
        sender.close()
    assert [r.status_code for r in results] == [200] * 5
    assert len(endpoint.seen) == 5  # each sent once
    assert len({port for port, _ in endpoint.seen}) == 5


def test_a_long_answer_is_cut_to_a_kilobyte(endpoint: Endpoint) -> None:
    endpoint.answer = b"x" * 200_000
    sender = Sender(LOOPBACK)
    url = f"http://127.0.0.1:{endpoint.port}/hooks"
    try:
        results = [sender.send(url, HEADERS, b"{}") for _ in range(2)]
    finally:
        sender.close()
    assert [len(r.response_head) for r in results] == [1024, 1024]
    assert all(r.delivered for r in results)


def test_a_silent_receiver_times_out(endpoint: Endpoint) -> None:
    endpoint.silent.set()
    sender = Sender(LOOPBACK, timeout=0.3)
    try:
        result = sender.send(f"http://127.0.0.1:{endpoint.port}/hooks", HEADERS, b"{}")
    finally:
        sender.close()
    assert result.status_code is None and not result.delivered
    assert "timeout" in result.error


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name ``localhost`` only (no IP address in it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_https_goes_to_the_checked_address_and_checks_the_certificate_of_the_host(
    tmp_path: Path,
) -> None:
    cert_file, key_file = _certificate(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    # Serve where the guard sends "localhost" (its first address).
    address = LOOPBACK.resolve("https://localhost/").address
    assert ipaddress.ip_address(address).is_loopback
    endpoint = Endpoint(address, tls=server_tls)
    trusting = ssl.create_default_context(cafile=str(cert_file))
    sender = Sender(LOOPBACK, tls=trusting)
    strict = Sender(LOOPBACK)  # the system's authorities do not know this certificate
    try:
        url = f"https://localhost:{endpoint.port}/hooks?crm=1"
        results = [sender.send(url, HEADERS, b"{}") for _ in range(3)]
        untrusted = strict.send(url, HEADERS, b"{}")
    finally:
        sender.close()
        strict.close()
        endpoint.stop()
    assert [r.status_code for r in results] == [200, 200, 200]
    assert {host for _, host in endpoint.seen} == {f"localhost:{endpoint.port}"}
    assert len({port for port, _ in endpoint.seen}) == 1  # kept alive over TLS too
    assert untrusted.status_code is None and "certificate" in untrusted.error.lower()
    assert len(endpoint.seen) == 3
