"""``FakeGoogle``: a small stand-in for Google's OAuth and Calendar v3 endpoints on loopback,
shaped after the discovery document bundled with google-api-python-client.

Covers what the connector uses: the token endpoint (authorization code with PKCE, refresh,
``invalid_grant`` once revoked), an authorization endpoint that consents at once, userinfo,
and Calendar v3 ``events.insert/get/patch/delete/list`` (``pageToken``, ``syncToken``, 410
once tokens are expired, ``privateExtendedProperty``, ``singleEvents`` expansion of RRULEs),
``events.watch``, ``channels.stop``, ``calendarList.list``, ``freeBusy``, token
revocation, injected API errors (``fail_api``), ``conferenceData.createRequest`` →
a Meet link (``pending`` first when asked to), and the batch endpoint (multipart/mixed, each
part routed like a request of its own and answered in a part with the ``Content-ID``
echoed as ``response-…``; ``batches`` says whose batches came and how many calls each
held). Tests reach into its state directly to play the staff member editing their calendar.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.parser import BytesParser, Parser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlencode, urlparse

import httpx
from dateutil.rrule import rrulestr

API_PREFIX = "/calendar/v3/"
BATCH_PATH = "/batch/calendar/v3"
BATCH_LIMIT = 1000  # Google's own limit; the connector keeps to 50
Json = dict[str, Any]


def _instant(value: Json) -> datetime:
    if "dateTime" in value:
        return datetime.fromisoformat(value["dateTime"]).astimezone(UTC)
    return datetime.fromisoformat(value["date"]).replace(tzinfo=UTC)


class FakeGoogle:
    def __init__(self, client_id: str = "client-1", client_secret: str = "secret-1") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.RLock()
        self.calendars: dict[str, dict[str, Json]] = {}
        self.calendar_list: dict[str, list[Json]] = {}  # email → their calendarList entries
        self.fail_api: list[tuple[int, str]] = []  # the next API calls answer these errors
        self.revoked: list[str] = []
        self.channel_ttl = timedelta(days=7)
        self.seq = 0
        self.token_floor = 0  # sync tokens below this answer 410
        self.refresh_tokens: dict[str, str] = {}  # refresh token → email
        self.access_tokens: dict[str, str] = {}  # access token → email
        self.codes: dict[str, Json] = {}
        self.channels: dict[str, Json] = {}
        self.stopped_channels: list[str] = []
        self.meet_pending = False
        self.unverified: set[str] = set()  # accounts whose email Google has not verified
        self.meet_ready_after_gets = 1  # GETs of a pending conference before it is filled
        self.fail_next_insert_after_commit = 0  # insert stored, then the socket hangs up
        self.requests: list[tuple[str, str]] = []  # every API call, batched ones included
        self.batches: list[tuple[str, int]] = []  # (whose access token, how many parts)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    def start(self) -> FakeGoogle:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what a test does as the user ----------------------------------------------------

    def grant(self, email: str) -> str:
        """A refresh token for ``email``, as if they had consented earlier."""
        token = "1//rt-" + secrets.token_urlsafe(12)
        with self.lock:
            self.refresh_tokens[token] = email
            self.calendars.setdefault(email, {})
            if email not in self.calendar_list:
                self.calendar_list[email] = [
                    {"id": email, "summary": email, "primary": True, "accessRole": "owner"}
                ]
        return token

    def add_calendar(
        self, email: str, calendar_id: str, summary: str, time_zone: str | None = None
    ) -> None:
        """Another calendar of ``email`` (as in their calendarList)."""
        with self.lock:
            self.calendars.setdefault(calendar_id, {})
            entry: Json = {"id": calendar_id, "summary": summary, "accessRole": "owner"}
            if time_zone:
                entry["timeZone"] = time_zone
            self.calendar_list.setdefault(email, []).append(entry)

    def _owner(self, calendar_id: str, email: str) -> bool:
        return any(c["id"] == calendar_id for c in self.calendar_list.get(email, []))

    def revoke(self, email: str) -> None:
        with self.lock:
            for table in (self.refresh_tokens, self.access_tokens):
                for token in [t for t, e in table.items() if e == email]:
                    del table[token]

    def expire_sync_tokens(self) -> None:
        with self.lock:
            self.token_floor = self.seq + 1

    def add_event(self, calendar_id: str, **fields: Any) -> Json:
        with self.lock:
            return self._insert(calendar_id, fields, conference=False)

    def edit_event(self, calendar_id: str, event_id: str, **fields: Any) -> Json:
        with self.lock:
            event = self.calendars[calendar_id][event_id]
            event.update(fields)
            self._touch(event)
            return deepcopy(event)

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        with self.lock:
            event = self.calendars[calendar_id][event_id]
            event["status"] = "cancelled"
            self._touch(event)

    def events(self, calendar_id: str) -> list[Json]:
        """Events not deleted, as stored (no recurrence expansion)."""
        with self.lock:
            return [
                deepcopy(e)
                for e in self.calendars.get(calendar_id, {}).values()
                if e["status"] != "cancelled"
            ]

    def notify(self, calendar_id: str) -> list[int]:
        """Post a change notification to every channel watching ``calendar_id``."""
        with self.lock:
            channels = [c for c in self.channels.values() if c["calendar_id"] == calendar_id]
        answers = []
        for c in channels:
            headers = {
                "X-Goog-Channel-ID": c["id"],
                "X-Goog-Channel-Token": c.get("token", ""),
                "X-Goog-Resource-ID": c["resourceId"],
                "X-Goog-Resource-State": "exists",
                "X-Goog-Message-Number": str(self.seq),
            }
            answers.append(httpx.post(c["address"], headers=headers, timeout=30).status_code)
        return answers

    # -- state ---------------------------------------------------------------------------

    def _touch(self, event: Json) -> None:
        self.seq += 1
        event["_seq"] = self.seq
        event["updated"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        event["etag"] = f'"{self.seq}"'

    def _insert(self, calendar_id: str, body: Json, *, conference: bool) -> Json:
        event = deepcopy(body)
        event.setdefault("id", secrets.token_hex(10))
        event.setdefault("status", "confirmed")
        event.setdefault("iCalUID", event["id"] + "@google.com")
        event["kind"] = "calendar#event"
        request = (event.get("conferenceData") or {}).get("createRequest")
        if request is not None:
            if not conference:
                event.pop("conferenceData")
            else:
                event["conferenceData"] = self._conference(request, self.meet_pending)
                if not self.meet_pending:
                    event["hangoutLink"] = event["conferenceData"]["entryPoints"][0]["uri"]
        self._touch(event)
        self.calendars.setdefault(calendar_id, {})[event["id"]] = event
        return event

    @staticmethod
    def _conference(request: Json, pending: bool) -> Json:
        data: Json = {
            "createRequest": {
                **request,
                "status": {"statusCode": "pending" if pending else "success"},
            },
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
            "conferenceId": "abc-defg-hij",
        }
        if not pending:
            data["entryPoints"] = [
                {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"}
            ]
        return data

    def _fill_conference(self, event: Json) -> None:
        data = event.get("conferenceData")
        if data and data["createRequest"]["status"]["statusCode"] == "pending":
            event["_gets"] = event.get("_gets", 0) + 1
            if event["_gets"] < self.meet_ready_after_gets:
                return
            event["conferenceData"] = self._conference(data["createRequest"], False)
            event["hangoutLink"] = event["conferenceData"]["entryPoints"][0]["uri"]

    def _expand(self, event: Json) -> Iterator[Json]:
        rules = [r for r in event.get("recurrence", []) if r.startswith("RRULE:")]
        if not rules or event["status"] == "cancelled":
            yield event
            return
        start, end = _instant(event["start"]), _instant(event["end"])
        all_day = "date" in event["start"]
        for n, at in enumerate(rrulestr(rules[0], dtstart=start)):
            if n >= 400:
                break
            item = {k: v for k, v in event.items() if k != "recurrence"}
            item["id"] = f"{event['id']}_{at.strftime('%Y%m%dT%H%M%SZ')}"
            item["recurringEventId"] = event["id"]
            if all_day:
                item["start"] = {"date": at.date().isoformat()}
                item["end"] = {"date": (at + (end - start)).date().isoformat()}
            else:
                item["start"] = {"dateTime": at.isoformat()}
                item["end"] = {"dateTime": (at + (end - start)).isoformat()}
            yield item

    # -- HTTP ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(
                self, status: int, body: Json | None = None, headers: Json | None = None
            ) -> None:
                raw = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _dispatch(self, method: str) -> None:
                url = urlparse(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                multi = parse_qs(url.query)
                raw = self._body()
                with fake.lock:
                    fake.requests.append((method, url.path))
                    try:
                        if method == "POST" and url.path == BATCH_PATH:
                            status, content_type, answer = fake.batch(raw, self.headers)
                            self._answer_raw(status, content_type, answer)
                            return
                        result = fake.route(method, url.path, query, multi, raw, self.headers)
                    except _Hangup:
                        self.close_connection = True
                        self.connection.close()
                        return
                self._answer(*result)

            def _answer_raw(self, status: int, content_type: str, raw: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def do_PATCH(self) -> None:
                self._dispatch("PATCH")

            def do_DELETE(self) -> None:
                self._dispatch("DELETE")

        return Handler

    def batch(self, raw: bytes, headers: Any) -> tuple[int, str, bytes]:
        """A Calendar batch request: every part is an HTTP request of its own (its own
        ``Authorization``), answered in the same order in a multipart/mixed answer."""
        email = self.access_tokens.get((headers.get("Authorization") or "").removeprefix("Bearer "))
        if email is None:
            status, body, _ = _error(401, "authError", "Invalid Credentials")
            return status, "application/json", json.dumps(body).encode()
        envelope = f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode() + raw
        message = BytesParser().parsebytes(envelope)
        if not message.is_multipart():
            status, body, _ = _error(400, "badRequest", "Batch requests are multipart/mixed")
            return status, "application/json", json.dumps(body).encode()
        parts = cast(list[Message], message.get_payload())
        if len(parts) > BATCH_LIMIT:
            status, body, _ = _error(400, "badRequest", "Too many requests in a batch")
            return status, "application/json", json.dumps(body).encode()
        self.batches.append((email, len(parts)))
        boundary = "batch_" + secrets.token_hex(8)
        out: list[str] = []
        for part in parts:
            request_line, _, rest = str(part.get_payload()).partition("\n")
            method, target, _version = request_line.strip().split(" ", 2)
            inner = Parser().parsestr(rest)
            url = urlparse(target)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            payload = str(inner.get_payload() or "").encode()
            self.requests.append((method, url.path))
            status, body, extra = self.route(
                method, url.path, query, parse_qs(url.query), payload, inner
            )
            text = "" if body is None else json.dumps(body)
            head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
            head += [f"{k}: {v}" for k, v in (extra or {}).items()]
            if body is not None:
                head.append("Content-Type: application/json; charset=UTF-8")
            head.append(f"Content-Length: {len(text.encode())}")
            content_id = str(part.get("Content-ID", "")).strip()
            out.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: <response-{content_id.strip('<>')}>\r\n\r\n"
                + "\r\n".join(head)
                + "\r\n\r\n"
                + text
                + "\r\n"
            )
        out.append(f"--{boundary}--\r\n")
        return 200, f"multipart/mixed; boundary={boundary}", "".join(out).encode()

    def route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        multi: dict[str, list[str]],
        raw: bytes,
        headers: Any,
    ) -> tuple[int, Json | None, Json | None]:
        if path == "/token":
            form = parse_qs(raw.decode())
            basic = (headers.get("Authorization") or "").removeprefix("Basic ")
            if basic and ("client_id" not in form or "client_secret" not in form):
                # RFC 6749 §2.3.1: client credentials may come as HTTP Basic instead.
                client, _, secret = base64.b64decode(basic).decode().partition(":")
                form["client_id"], form["client_secret"] = [client], [secret]
            return self._token(form)
        if path == "/auth":
            return self._authorize(query)
        if path == "/revoke":
            # Google takes the token as a query parameter or in a form body.
            token = query.get("token") or parse_qs(raw.decode()).get("token", [""])[-1]
            email = self.refresh_tokens.get(token) or self.access_tokens.get(token)
            if email is None:
                return 400, {"error": "invalid_token"}, None
            self.revoked.append(email)
            self.revoke(email)
            return 200, {}, None
        email = self.access_tokens.get((headers.get("Authorization") or "").removeprefix("Bearer "))
        if email is None:
            return _error(401, "authError", "Invalid Credentials")
        if path == "/userinfo":
            verified = email not in self.unverified
            return 200, {"email": email, "email_verified": verified, "sub": "sub-" + email}, None
        if not path.startswith(API_PREFIX):
            return _error(404, "notFound", "Not Found")
        parts = [unquote(p) for p in path.removeprefix(API_PREFIX).split("/")]
        body: Json = json.loads(raw) if raw else {}
        if self.fail_api:
            status, reason = self.fail_api.pop(0)
            return _error(status, reason, "Injected failure")
        if parts == ["users", "me", "calendarList"] and method == "GET":
            return (
                200,
                {
                    "kind": "calendar#calendarList",
                    "items": deepcopy(self.calendar_list.get(email, [])),
                },
                None,
            )
        if parts == ["freeBusy"]:
            return self._free_busy(body)
        if parts == ["channels", "stop"]:
            self.channels.pop(body.get("id", ""), None)
            self.stopped_channels.append(body.get("id", ""))
            return 204, None, None
        if len(parts) < 3 or parts[0] != "calendars" or parts[2] != "events":
            return _error(404, "notFound", "Not Found")
        calendar_id = parts[1]
        if calendar_id == "primary":
            calendar_id = email
        if calendar_id != email and not self._owner(calendar_id, email):
            return _error(403, "forbidden", "Forbidden")
        events = self.calendars.setdefault(calendar_id, {})
        rest = parts[3:]
        if method == "POST" and rest == ["watch"]:
            return self._watch(calendar_id, body)
        if method == "POST" and not rest:
            if body.get("id") in events:
                return _error(409, "duplicate", "The requested identifier already exists.")
            conference = query.get("conferenceDataVersion") == "1"
            if self.fail_next_insert_after_commit > 0:
                self.fail_next_insert_after_commit -= 1
                self._insert(calendar_id, body, conference=conference)
                raise _Hangup
            return 200, _public(self._insert(calendar_id, body, conference=conference)), None
        if method == "GET" and not rest:
            return self._list(calendar_id, query, multi)
        event = events.get(rest[0]) if rest else None
        if event is None:
            return _error(404, "notFound", "Not Found")
        if method == "GET":
            self._fill_conference(event)
            return 200, _public(event), None
        if event["status"] == "cancelled":
            return _error(410, "deleted", "Resource has been deleted")
        if method == "PATCH":
            body.pop("conferenceData", None)
            event.update(body)
            self._touch(event)
            return 200, _public(event), None
        if method == "DELETE":
            event["status"] = "cancelled"
            self._touch(event)
            return 204, None, None
        return _error(405, "methodNotAllowed", "Method Not Allowed")

    def _list(
        self, calendar_id: str, query: dict[str, str], multi: dict[str, list[str]]
    ) -> tuple[int, Json | None, Json | None]:
        page_size = int(query.get("maxResults", "250"))
        token = query.get("pageToken")
        if token:
            offset_s, since_s, basis_s = token.split(".")
            offset, since, basis = int(offset_s), int(since_s), int(basis_s)
        else:
            offset, basis = 0, self.seq
            sync = query.get("syncToken")
            if sync is not None:
                since = int(sync.removeprefix("sync-"))
                if since < self.token_floor:
                    return _error(
                        410,
                        "fullSyncRequired",
                        "Sync token is no longer valid, a full sync is required.",
                    )
            else:
                since = -1
        wanted = [p.split("=", 1) for p in multi.get("privateExtendedProperty", [])]
        items: list[Json] = []
        for event in sorted(self.calendars[calendar_id].values(), key=lambda e: e["_seq"]):
            if event["_seq"] > basis:
                continue
            if since < 0 and event["status"] == "cancelled" and query.get("showDeleted") != "true":
                continue
            if since >= 0 and event["_seq"] <= since:
                continue
            private = event.get("extendedProperties", {}).get("private", {})
            if any(private.get(k) != v for k, v in wanted):
                continue
            if query.get("iCalUID") and event.get("iCalUID") != query["iCalUID"]:
                continue
            expand = query.get("singleEvents") == "true"
            items.extend(self._expand(event) if expand else [event])
        page = items[offset : offset + page_size]
        answer: Json = {"kind": "calendar#events", "items": [_public(e) for e in page]}
        zones = [
            c["timeZone"]
            for entries in self.calendar_list.values()
            for c in entries
            if c["id"] == calendar_id and c.get("timeZone")
        ]
        if zones:
            answer["timeZone"] = zones[0]
        if offset + page_size < len(items):
            answer["nextPageToken"] = f"{offset + page_size}.{since}.{basis}"
        else:
            answer["nextSyncToken"] = f"sync-{basis}"
        return 200, answer, None

    def _watch(self, calendar_id: str, body: Json) -> tuple[int, Json | None, Json | None]:
        expiration = datetime.now(UTC) + self.channel_ttl
        channel = {
            "kind": "api#channel",
            "id": body["id"],
            "resourceId": "res-" + secrets.token_hex(6),
            "resourceUri": f"{API_PREFIX}calendars/{calendar_id}/events",
            "token": body.get("token", ""),
            "address": body["address"],
            "expiration": str(int(expiration.timestamp() * 1000)),
            "calendar_id": calendar_id,
        }
        self.channels[channel["id"]] = channel
        return 200, {k: v for k, v in channel.items() if k != "calendar_id"}, None

    def _free_busy(self, body: Json) -> tuple[int, Json | None, Json | None]:
        lo = datetime.fromisoformat(body["timeMin"])
        hi = datetime.fromisoformat(body["timeMax"])
        out: Json = {}
        for item in body.get("items", []):
            busy = []
            for stored in self.calendars.get(item["id"], {}).values():
                for event in self._expand(stored):
                    if event["status"] == "cancelled" or event.get("transparency") == "transparent":
                        continue
                    start, end = _instant(event["start"]), _instant(event["end"])
                    if start < hi and end > lo:
                        busy.append({"start": start.isoformat(), "end": end.isoformat()})
            out[item["id"]] = {"busy": busy}
        return 200, {"kind": "calendar#freeBusy", "calendars": out}, None

    # -- OAuth ---------------------------------------------------------------------------

    def _authorize(self, query: dict[str, str]) -> tuple[int, Json | None, Json | None]:
        """Consent at once, as ``login_hint`` (the test says who is signing in)."""
        code = "code-" + secrets.token_urlsafe(12)
        self.codes[code] = {
            "email": query.get("login_hint", "staff@example.com"),
            "challenge": query.get("code_challenge"),
            "method": query.get("code_challenge_method"),
            "redirect_uri": query.get("redirect_uri"),
            "client_id": query.get("client_id"),
            "scope": query.get("scope", ""),
        }
        target = (
            query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
        )
        return 302, None, {"Location": target}

    def _token(self, form: dict[str, list[str]]) -> tuple[int, Json | None, Json | None]:
        f = {k: v[-1] for k, v in form.items()}
        if f.get("client_id") != self.client_id or f.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client"}, None
        access = "ya29." + secrets.token_urlsafe(12)
        if f.get("grant_type") == "refresh_token":
            email = self.refresh_tokens.get(f.get("refresh_token", ""))
            if email is None:
                return (
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                    None,
                )
            self.access_tokens[access] = email
            return 200, {"access_token": access, "expires_in": 3599, "token_type": "Bearer"}, None
        if f.get("grant_type") == "authorization_code":
            grant = self.codes.pop(f.get("code", ""), None)
            if grant is None or grant["redirect_uri"] != f.get("redirect_uri"):
                return 400, {"error": "invalid_grant"}, None
            verifier = f.get("code_verifier", "")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if grant["method"] != "S256" or digest != grant["challenge"]:
                return (
                    400,
                    {"error": "invalid_grant", "error_description": "PKCE check failed"},
                    None,
                )
            refresh = self.grant(grant["email"])
            self.access_tokens[access] = grant["email"]
            return (
                200,
                {
                    "access_token": access,
                    "refresh_token": refresh,
                    "expires_in": 3599,
                    "token_type": "Bearer",
                    "scope": grant["scope"],
                },
                None,
            )
        return 400, {"error": "unsupported_grant_type"}, None


class _Hangup(Exception):
    """Close the socket without answering (a timeout as the client sees it)."""


def _public(event: Json) -> Json:
    return {k: deepcopy(v) for k, v in event.items() if not k.startswith("_")}


def _error(status: int, reason: str, message: str) -> tuple[int, Json | None, Json | None]:
    return (
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"reason": reason, "message": message}],
            }
        },
        None,
    )
