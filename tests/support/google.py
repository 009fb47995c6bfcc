"""``FakeGoogle``: a small stand-in for Google's OAuth and Calendar v3 endpoints on loopback,
shaped after the discovery document bundled with google-api-python-client and Google's public
guides — where those differ from what our connector sends, the guides win. Sign-in and tokens
live in ``google_accounts`` (authorization page, long-form granted scopes, granular consent,
token expiry, ``invalid_grant``); this module adds the Calendar API:

``events.insert/get/patch/delete/list`` (``pageToken``, ``syncToken``, 410 once tokens are
expired, ``privateExtendedProperty``, ``singleEvents`` expansion of RRULEs), ``events.watch``
(HTTPS addresses only), ``channels.stop``, ``calendarList.list``, ``freeBusy``, injected API
errors (``fail_api``), ``conferenceData.createRequest`` → a Meet link (``pending`` first when
asked to), and the batch endpoint (``batches`` says whose batches came and how many calls each
held). Every API call needs a live access token that carries a Calendar scope. Tests reach
into its state directly to play the staff member editing their calendar.

Sections cited:
- [push] Calendar API "Push notifications", developers.google.com/calendar/api/guides/push
- [batch] Calendar API "Send batch requests", developers.google.com/calendar/api/guides/batch
- [errors] Calendar API "Handle API errors", developers.google.com/calendar/api/guides/errors
"""

from __future__ import annotations

import base64
import ipaddress
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
from urllib.parse import parse_qs, unquote, urlparse

import httpx
from dateutil.rrule import rrulestr

from tests.support.google_accounts import CALENDAR, CALENDAR_READONLY, FakeGoogleAccounts

API_PREFIX = "/calendar/v3/"
BATCH_PATH = "/batch/calendar/v3"
BATCH_LIMIT = 1000  # Google's own limit; the connector keeps to 50
Json = dict[str, Any]


def _instant(value: Json) -> datetime:
    if "dateTime" in value:
        return datetime.fromisoformat(value["dateTime"]).astimezone(UTC)
    return datetime.fromisoformat(value["date"]).replace(tzinfo=UTC)


class FakeGoogle(FakeGoogleAccounts):
    def __init__(
        self, client_id: str = "client-1", client_secret: str = "secret-1", host: str = "127.0.0.1"
    ) -> None:
        """``host``: a loopback address; another one than the hub's makes Google another
        site for the browser (its own cookies, cross-site navigations), as it is."""
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.RLock()
        self.calendars: dict[str, dict[str, Json]] = {}
        self.calendar_list: dict[str, list[Json]] = {}  # email → their calendarList entries
        self._init_accounts()
        self.fail_api: list[tuple[int, str]] = []  # the next API calls answer these errors
        self.channel_ttl = timedelta(days=7)
        self.loopback_http = True  # watch addresses on 127.0.0.1 may be plain HTTP (tests)
        self.seq = 0
        self.token_floor = 0  # sync tokens below this answer 410
        self.channels: dict[str, Json] = {}
        self.stopped_channels: list[str] = []
        self.meet_pending = False
        self.meet_ready_after_gets = 1  # GETs of a pending conference before it is filled
        self.fail_next_insert_after_commit = 0  # insert stored, then the socket hangs up
        self.requests: list[tuple[str, str]] = []  # every API call, batched ones included
        self.auth_failures = 0  # calls answered 401 (no live access token)
        self.batches: list[tuple[str, int]] = []  # (whose access token, how many parts)
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

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
                    if url.path == "/auth":
                        self._answer_raw(*fake.authorize(method, query, raw))
                        return
                    try:
                        if method == "POST" and url.path == BATCH_PATH:
                            status, content_type, answer = fake.batch(raw, self.headers)
                            self._answer_raw(status, {"Content-Type": content_type}, answer)
                            return
                        result = fake.route(method, url.path, query, multi, raw, self.headers)
                    except _Hangup:
                        self.close_connection = True
                        self.connection.close()
                        return
                self._answer(*result)

            def _answer_raw(self, status: int, headers: Json, raw: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
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
        """A Calendar batch request. [batch] "Format of a batch request": the server unwraps
        the parts into separate requests; the outer request's headers (its
        ``Authorization`` too) apply to every part unless the part sets its own. "Response to
        a batch request": one multipart/mixed answer, a part per request in the same order,
        each a whole HTTP response, its ``Content-ID`` the request's prefixed ``response-``.
        So an expired token gets a 401 in each part, not for the batch."""
        email = self.owner(headers.get("Authorization"))
        envelope = f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode() + raw
        message = BytesParser().parsebytes(envelope)
        if not message.is_multipart():
            status, body, _ = _error(400, "badRequest", "Batch requests are multipart/mixed")
            return status, "application/json", json.dumps(body).encode()
        parts = cast(list[Message], message.get_payload())
        if len(parts) > BATCH_LIMIT:
            status, body, _ = _error(400, "badRequest", "Too many requests in a batch")
            return status, "application/json", json.dumps(body).encode()
        self.batches.append((email or "", len(parts)))
        boundary = "batch_" + secrets.token_hex(8)
        out: list[str] = []
        for part in parts:
            request_line, _, rest = str(part.get_payload()).partition("\n")
            method, target, _version = request_line.strip().split(" ", 2)
            inner = Parser().parsestr(rest)
            if inner.get("Authorization") is None and headers.get("Authorization"):
                inner["Authorization"] = headers["Authorization"]
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
            return self.token(form)
        if path == "/revoke":
            # Google takes the token as a query parameter or in a form body.
            return self.revoke_token(
                query.get("token") or parse_qs(raw.decode()).get("token", [""])[-1]
            )
        caller = self.caller(headers.get("Authorization"))
        if caller is None:  # [errors] "401: Invalid Credentials" (expired or unknown token)
            self.auth_failures += 1
            return _error(401, "authError", "Invalid Credentials")
        if path == "/userinfo":
            return self.userinfo(caller)
        if not path.startswith(API_PREFIX):
            return _error(404, "notFound", "Not Found")
        email = caller.email
        if CALENDAR not in caller.scopes and not (
            method == "GET" and CALENDAR_READONLY in caller.scopes
        ):
            # A grant without the Calendar scope (unticked on the consent page). Google APIs
            # answer 403 "Request had insufficient authentication scopes." (reason
            # ``insufficientPermissions``; google/api/error_reason.proto in googleapis/googleapis:
            # ACCESS_TOKEN_SCOPE_INSUFFICIENT).
            return _error(403, "insufficientPermissions", "Insufficient Permission")
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
        # [push] "Create notification channels": the receiving URL is an HTTPS server; Google
        # refuses any other address with 400 ``push.webhookUrlNotHttps``. Tests receive on
        # loopback over plain HTTP (``loopback_http``).
        address = urlparse(str(body.get("address") or ""))
        if address.scheme != "https" and not (self.loopback_http and _loopback(address.hostname)):
            message = f"WebHook callback must be HTTPS: {body.get('address')}"
            return _error(400, "push.webhookUrlNotHttps", message)
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


class _Hangup(Exception):
    """Close the socket without answering (a timeout as the client sees it)."""


def _public(event: Json) -> Json:
    return {k: deepcopy(v) for k, v in event.items() if not k.startswith("_")}


def _loopback(host: str | None) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


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
