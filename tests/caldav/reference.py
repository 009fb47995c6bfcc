"""Stock Radicale (its own filesystem storage and defaults), served on loopback next to the
hub in the same test, as the reference a client's answers from ``/dav/`` are compared with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from a2wsgi import WSGIMiddleware
from radicale import config
from radicale.app import Application

from tests.support.live import LiveServer, loopback_socket


@dataclass(frozen=True)
class StockRadicale:
    url: str  # the server's root: what a client is pointed at
    username: str
    password: str


def serve_radicale(folder: Path) -> tuple[StockRadicale, LiveServer]:
    configuration = config.load()
    configuration.update(
        {
            "storage": {"filesystem_folder": str(folder)},
            "auth": {"type": "none"},
            "rights": {"type": "owner_only"},
            "logging": {"level": "error"},
        },
        "tests",
    )
    sock = loopback_socket()
    served = LiveServer(sock, WSGIMiddleware(Application(configuration), workers=4))
    served.start()
    return StockRadicale(f"{served.base_url}/", "juan", "x"), served


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[StockRadicale]:
    stock, served = serve_radicale(tmp_path / "radicale")
    try:
        yield stock
    finally:
        served.stop()
