"""What the CalDAV mount does with the database outside requests: building the app connects
to nothing, and a login is not remembered past the revocation of its app password."""

from __future__ import annotations

from pathlib import Path

from hub.app import create_app
from hub.bootstrap import build_hub
from hub.config import Settings
from hub.services import accounts
from tests.caldav.conftest import DavWorld, Staff
from tests.caldav.helpers import http


def test_building_the_app_connects_to_no_database(tmp_path: Path) -> None:
    file = tmp_path / "turnero.db"
    hub = build_hub(Settings(database_url=f"sqlite:///{file}", base_url="http://127.0.0.1"))
    try:
        create_app(hub)
        # SQLite creates the file on the first connection.
        assert not file.exists()
    finally:
        hub.close()


def test_a_revoked_app_password_stops_working_on_the_next_request(dav: DavWorld) -> None:
    home = f"{dav.dav_url}{dav.juan.user.id}/"
    with http(dav, dav.juan) as h:
        assert h.request("PROPFIND", home, headers={"Depth": "0"}).status_code == 207
        hub = dav.live.hub
        (password,) = accounts.list_app_passwords(hub.accounts_uow(), dav.juan.user.id)
        accounts.revoke_app_password(hub.accounts_uow(), dav.juan.user.id, password.id)
        assert h.request("PROPFIND", home, headers={"Depth": "0"}).status_code == 401


def test_another_app_password_of_the_same_user_keeps_working(dav: DavWorld) -> None:
    hub = dav.live.hub
    user_id = dav.juan.user.id
    home = f"{dav.dav_url}{user_id}/"
    (first,) = accounts.list_app_passwords(hub.accounts_uow(), user_id)
    second = Staff(
        dav.juan.user, accounts.create_app_password(hub.accounts_uow(), user_id, hub.now())
    )
    with http(dav, dav.juan) as h:
        assert h.request("PROPFIND", home, headers={"Depth": "0"}).status_code == 207
    accounts.revoke_app_password(hub.accounts_uow(), user_id, first.id)
    with http(dav, dav.juan) as h:
        assert h.request("PROPFIND", home, headers={"Depth": "0"}).status_code == 401
    with http(dav, second) as h:
        assert h.request("PROPFIND", home, headers={"Depth": "0"}).status_code == 207
