"""An ASGI (or WSGI-wrapped) app under uvicorn in a background thread, on 127.0.0.1.

The socket is bound when the server is made, before the app exists, so the app's base URL can
name its own port.
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn


def free_port() -> int:
    """A loopback port free right now (for servers that bind it themselves)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def loopback_socket() -> socket.socket:
    """A TCP socket bound to a free loopback port, not yet listening."""
    # With the protocol given, asyncio sets TCP_NODELAY on every accepted connection (it
    # checks ``sock.proto``); without it each answer waits out the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LiveServer:
    """``LiveServer()`` binds a port (``base_url``); ``start(app)`` serves ``app`` on it until
    ``stop()``. ``LiveServer(sock, app)`` then ``start()`` serves on a socket bound by the
    caller."""

    def __init__(self, sock: socket.socket | None = None, app: object | None = None) -> None:
        self.sock = sock if sock is not None else loopback_socket()
        self.port: int = self.sock.getsockname()[1]
        self._app = app
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, app: object | None = None) -> None:
        served = app if app is not None else self._app
        if served is None:
            raise ValueError("nothing to serve: pass the app to LiveServer or start")
        config = uvicorn.Config(served, log_level="warning", lifespan="off", access_log=False)  # type: ignore[arg-type]
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self.sock.close()
