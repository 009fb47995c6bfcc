"""Which webhook URLs may be called: http(s) only, https in production, and never a private,
loopback, link-local or otherwise non-global address (cloud metadata at 169.254.169.254, the
hub's own database) unless ``TURNERO_WEBHOOK_ALLOW_HOSTS`` names the host or a CIDR holding
its address — for allow-listed hosts plain http is accepted too. An IPv6 address that
carries an IPv4 one (mapped, IPv4-compatible, NAT64, 6to4, Teredo) is judged by the IPv4
address it carries.

The check runs on save (early, clear error) and again at send time on the addresses the name
resolves to then; the sender connects to the very address checked, so a DNS answer that
changes between check and connect (rebinding) cannot slip through.

Not here: sending (``sender``).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub.config import Settings
from hub.domain.errors import ValidationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UrlRefusedError(ValidationError):
    """This URL must not be called (scheme, address, allow-list)."""

    code = "url_refused"


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


# IPv6 addresses that carry an IPv4 one reach it (through a translator, a tunnel or the
# dual stack): each is judged by the IPv4 address it carries.
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
# RFC 8215's local-use translation prefix: never global, whatever it carries (older Pythons
# count it as global).
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _carried(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one embeds: mapped (::ffff:a.b.c.d), IPv4-compatible
    (::a.b.c.d, RFC 4291 §2.5.5.1), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::/48) or
    Teredo (2001::/32, the client's address)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    value = int(address)
    if value >> 32 == 0 and value > 1:  # :: and ::1 are IPv6's own
        return ipaddress.IPv4Address(value)
    if address in NAT64:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        return _carried(address) or address
    return address


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[Network, ...] = ()
    require_https: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> UrlPolicy:
        hosts: set[str] = set()
        networks: list[Network] = []
        for entry in settings.webhook_allow_hosts:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks), settings.production)

    def _allowed(self, host: str, address: Address | None) -> bool:
        if host in self.allow_hosts:
            return True
        return address is not None and any(address in net for net in self.allow_networks)

    def parse(self, url: str) -> Target:
        """Check what can be checked without DNS; the address is left empty."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise UrlRefusedError(f"not a valid URL: {exc}", field="url") from exc
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        if scheme not in ("http", "https") or not host:
            raise UrlRefusedError("webhook URLs are http(s)://host/…", field="url")
        literal = _address(host)
        if self.require_https and scheme != "https" and not self._allowed(host, literal):
            raise UrlRefusedError("webhook URLs must be https", field="url")
        if literal is not None:
            self._check_address(host, literal)
        return Target(url.strip(), scheme, host, port or (443 if scheme == "https" else 80), "")

    def _check_address(self, host: str, address: Address) -> None:
        if self._allowed(host, address):
            return
        if not address.is_global or address.is_multicast or address in LOCAL_NAT64:
            raise UrlRefusedError(
                f"{host} resolves to {address}, a private, loopback or link-local address "
                "(add it to TURNERO_WEBHOOK_ALLOW_HOSTS to allow it)",
                field="url",
                address=str(address),
            )

    def resolve(self, url: str) -> Target:
        """Check ``url`` and every address its host resolves to now; the target connects to
        the first of them."""
        target = self.parse(url)
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise UrlRefusedError(f"cannot resolve {target.host}: {exc}", field="url") from exc
        addresses = [str(info[4][0]) for info in infos]
        for text in addresses:
            address = _address(text)
            if address is None:
                raise UrlRefusedError(f"{target.host} resolved to {text!r}", field="url")
            self._check_address(target.host, address)
        if not addresses:
            raise UrlRefusedError(f"{target.host} has no address", field="url")
        return Target(target.url, target.scheme, target.host, target.port, addresses[0])
