"""How the CalDAV view says no: ``RefusedError`` carries the HTTP status and the precondition
element (RFC 4918 §16, RFC 4791 §1.3) that ``caldav_server.app`` writes into the error body.

The namespaces those elements live in are here too.
"""

from __future__ import annotations

CALDAV = "urn:ietf:params:xml:ns:caldav"
DAV = "DAV:"
TURNERO = "https://turnero.app/ns/caldav"


class RefusedError(Exception):
    """A client request the hub will not carry out: HTTP status, the precondition element
    (namespace, name) named in the error body, and a human message."""

    def __init__(self, status: int, namespace: str, name: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.namespace = namespace
        self.name = name
        self.message = message


def refuse(name: str, message: str, status: int = 403) -> RefusedError:
    return RefusedError(status, TURNERO, name, message)
