"""The pure rules: which URLs may be called, and the retry schedule (no sockets but DNS for
``localhost``)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from connectors.crm_webhooks.guard import UrlPolicy, UrlRefusedError
from connectors.crm_webhooks.retries import (
    MAX_ATTEMPTS,
    RETRIES,
    RETRY_DELAYS,
    should_disable,
)
from hub.config import Settings

REFUSED = [
    "http://127.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/x",
    "http://192.168.0.10/x",
    "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x",
    # IPv6 forms that carry a private IPv4 address are refused like it.
    "http://[64:ff9b::7f00:1]/x",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 of 169.254.169.254
    "http://[64:ff9b:1::a00:1]/x",  # local-use NAT64 (RFC 8215)
    "http://[::7f00:1]/x",  # IPv4-compatible 127.0.0.1
    "http://[::a9fe:a9fe]/x",
    "http://[::c0a8:a]/x",  # 192.168.0.10
    "http://[2002:7f00:1::1]/x",  # 6to4 of 127.0.0.1
    "http://[2002:a9fe:a9fe::1]/x",
    "http://[2002:a01:203::1]/x",  # 6to4 of 10.1.2.3
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",  # Teredo, client 127.0.0.1
    "http://0.0.0.0/x",
    "ftp://crm.example.com/x",
    "not a url",
]


def policy(allow: str = "", production: bool = False) -> UrlPolicy:
    env = {"TURNERO_WEBHOOK_ALLOW_HOSTS": allow, "TURNERO_PRODUCTION": "1" if production else ""}
    return UrlPolicy.from_settings(Settings.from_env(env))


@pytest.mark.parametrize("url", REFUSED)
def test_private_and_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(UrlRefusedError):
        policy().parse(url)


def test_ipv6_forms_of_a_public_ipv4_address_are_accepted() -> None:
    for url in ("http://[64:ff9b::808:808]/h", "http://[2002:808:808::1]/h"):
        assert policy().parse(url).port == 80


def test_a_name_resolving_to_an_embedded_private_address_is_refused_at_send_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check on the resolved addresses (made on every attempt, and the sender connects
    to the address checked) sees through the same IPv6 forms."""
    monkeypatch.setattr(
        "socket.getaddrinfo",
        lambda *args, **kwargs: [(10, 1, 6, "", ("64:ff9b::a9fe:a9fe", 80, 0, 0))],
    )
    with pytest.raises(UrlRefusedError, match=r"169\.254\.169\.254"):
        policy().resolve("http://crm.example.com/h")


def test_the_allow_list_takes_hosts_and_cidrs() -> None:
    assert policy("127.0.0.1").parse("http://127.0.0.1:8080/h").port == 8080
    assert policy("127.0.0.0/8").parse("http://127.0.0.7/h").host == "127.0.0.7"
    assert policy("169.254.0.0/16").parse("http://169.254.169.254/").host == "169.254.169.254"
    with pytest.raises(UrlRefusedError):
        policy("127.0.0.0/8").parse("http://169.254.169.254/")


def test_names_are_checked_on_what_they_resolve_to() -> None:
    assert policy().parse("http://localhost/h").address == ""  # no DNS on save
    with pytest.raises(UrlRefusedError, match="loopback"):
        policy().resolve("http://localhost/h")
    assert policy("localhost").resolve("http://localhost/h").address in ("127.0.0.1", "::1")


def test_production_wants_https_except_for_allowed_hosts() -> None:
    with pytest.raises(UrlRefusedError, match="https"):
        policy(production=True).parse("http://crm.example.com/h")
    assert policy(production=True).parse("https://crm.example.com/h").port == 443
    assert policy("127.0.0.1", production=True).parse("http://127.0.0.1/h").scheme == "http"


def test_retries_cover_more_than_a_day_then_give_up() -> None:
    rng = random.Random(7)
    now = first = datetime(2026, 1, 1, tzinfo=UTC)
    delays = []
    for attempt in range(1, MAX_ATTEMPTS):
        at = RETRIES.next_attempt(attempt, now=now, rng=rng)
        assert at is not None
        delays.append(at - now)
        now = at
    assert RETRIES.next_attempt(MAX_ATTEMPTS, now=now, rng=rng) is None
    for delay, nominal in zip(delays, RETRY_DELAYS, strict=True):  # jitter only adds
        assert nominal <= delay <= nominal * 1.2
    assert now - first >= timedelta(hours=24)
    assert not should_disable(first, first + timedelta(hours=23))
    assert should_disable(first, first + timedelta(hours=24))
