"""Radicale auth and rights plugins backed by the hub.

- ``Auth``: staff email + a calendar app password (``turnero user app-password --email E``,
  or the console's calendar-app page), checked through ``caldav_server.logins`` (the
  hub's throttle, argon2, a cache re-validated on every request). The Radicale user is the
  staff member's id. It replaces Radicale's ``login``, whose failed-login sleep (to even
  out timings) would hold a worker thread: failures here are refused at once, and
  repeated ones throttled.
- ``Rights``: everyone stays in their own home (``/<user id>/``); there, a resource's calendar
  is readable and writable by a business admin of its business and by employees linked to it;
  personal calendars (and new ones, for MKCALENDAR) by their owner. Nobody sees another
  business.
"""

from __future__ import annotations

from typing import Any

from radicale import pathutils
from radicale.auth import AuthContext, BaseAuth
from radicale.rights import BaseRights

from caldav_server.base import Backend
from caldav_server.logins import Logins


class Auth(BaseAuth):
    def __init__(self, configuration: Any, logins: Logins) -> None:
        super().__init__(configuration)
        self._logins = logins

    def login(  # type: ignore[misc]  # Radicale marks it final; see the module docstring
        self, login: str, password: str, context: AuthContext
    ) -> tuple[str, str, set[str]]:
        address = context.remote_addr or "unknown"
        return self._logins.user_for(login, password, address), "turnero", set()

    def _login(self, login: str, password: str) -> str:
        return self._logins.user_for(login, password, "unknown")


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
