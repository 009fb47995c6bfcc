"""Radicale auth and rights plugins backed by the hub.

- ``Auth``: staff email + a calendar app password (``turnero user app-password --email E``),
  checked by ``hub.services.accounts.authenticate_app_password`` (argon2). The Radicale user
  is the staff member's id. A successful check is remembered for ``cache_seconds`` under a
  salted digest of the credentials (CalDAV clients send them on every request, and argon2 is
  slow on purpose), together with a fingerprint of the user's app passwords; every request
  re-reads that fingerprint (one indexed query, which also loads the user for the request),
  so revoking a password, deactivating the user or changing their email takes effect on the
  next request.
- ``Rights``: everyone stays in their own home (``/<user id>/``); there, a resource's calendar
  is readable and writable by a business admin of its business and by employees linked to it;
  personal calendars (and new ones, for MKCALENDAR) by their owner. Nobody sees another
  business.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Any, cast

from radicale import pathutils
from radicale.auth import BaseAuth
from radicale.rights import BaseRights

from caldav_server import store
from caldav_server.base import Backend
from hub.domain.errors import AuthenticationError
from hub.services.accounts import AccountsUnitOfWork, authenticate_app_password


class Auth(BaseAuth):
    def __init__(
        self,
        configuration: Any,
        backend: Backend,
        cache_seconds: float = 60.0,
        failure_delay: float = 0.0,
    ) -> None:
        super().__init__(configuration)
        self._backend = backend
        self._cache_seconds = cache_seconds
        self._failure_delay = failure_delay
        self._salt = secrets.token_bytes(16)
        self._cache: dict[str, tuple[store.LoginState, float]] = {}
        self._lock = threading.Lock()

    def _digest(self, login: str, password: str) -> str:
        return hashlib.sha256(self._salt + f"{login}\0{password}".encode()).hexdigest()

    def _login(self, login: str, password: str) -> str:
        key = self._digest(login, password)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            known = cached[0]
            state = self._backend.lookup(
                ("login", known.user.id), lambda s: store.login_state(s, known.user.id)
            )
            if state is not None and state == known and state.user.active:
                self._backend.remember(("user", state.user.id), state.user)
                return state.user.id
        uow = cast(AccountsUnitOfWork, self._backend.database.unit_of_work())
        try:
            user = authenticate_app_password(uow, login, password, self._backend.clock())
        except AuthenticationError:
            with self._lock:
                self._cache.pop(key, None)
            if self._failure_delay:
                time.sleep(self._failure_delay)
            return ""
        with self._backend.database.sessions() as session:
            state = store.login_state(session, user.id)
        if state is not None:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = (state, now + self._cache_seconds)
        self._backend.remember(("user", user.id), user)
        return user.id


class Rights(BaseRights):
    def __init__(self, configuration: Any, backend: Backend) -> None:
        super().__init__(configuration)
        self._backend = backend

    def authorization(self, user: str, user_groups: Any, path: str) -> str:
        if not user:
            return ""
        sane = pathutils.strip_path(path)
        parts = sane.split("/") if sane else []
        if not parts:
            return "R"
        if parts[0] != user:
            return ""
        if len(parts) == 1:
            return "R"
        if len(parts) > 2:
            return ""  # items take their calendar's rights
        who = self._backend.user(user)
        found = self._backend.resource(parts[1])
        if who is None or not who.active:
            return ""
        if found is None:
            return "rw"  # a personal calendar of the owner's, or one MKCALENDAR will make
        resource, business = found
        if business.id == who.business_id and who.sees_resource(resource.id):
            return "rw"
        return ""
