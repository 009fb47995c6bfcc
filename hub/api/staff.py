"""The business's staff over the API: list, invite by email (a set-password link, as in the
console), change role and linked resources, remove (their console sessions and calendar app
passwords end at once).

An API key acts for its business as an admin does (only admins create keys); the same use
cases and rules as the console's staff page apply: a business has admins and employees, links
are to the business's own resources, and its last admin stays one. Staff of another business
are not found.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.errors import ApiError
from hub.api.registry import Call, Operations
from hub.api.render import BOOL, STR
from hub.api.schemas import EMAIL, ID, Schema, array, enum, nullable, obj
from hub.domain.accounts import Role, User
from hub.domain.booking import Channel
from hub.services import accounts, password_links, setup
from hub.services.calendars import get_business

ops = Operations("staff")

ROLES = (Role.BUSINESS_ADMIN.value, Role.EMPLOYEE.value)
STAFF_SCHEMA = obj(
    {
        "id": ID,
        "name": STR,
        "email": STR,
        "role": enum(ROLES),
        "resource_ids": array(ID),
        "active": BOOL,
        "has_password": BOOL,
        # "google_domain": joined by a first Google sign-in on a domain the business claimed.
        "joined_via": nullable(STR),
    },
    ("id", "name", "email", "role", "resource_ids", "active", "has_password"),
    closed=False,
)
RESOURCE_IDS = array(ID, max_items=200)
STAFF_NAME: Schema = {"type": "string", "maxLength": 80}


def staff(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "resource_ids": list(user.resource_ids),
        "active": user.active,
        "has_password": user.password_hash is not None,
        "joined_via": user.joined_via,
    }


def _by(call: Call) -> str:
    """Who acts, for the audit trail: the API key (never a staff member's own id)."""
    return call.api_key.id if call.api_key else ""


def _member(call: Call) -> User:
    for user in accounts.list_users(call.hub.accounts_uow(), call.business_id):
        if user.id == call.path["id"]:
            return user
    raise ApiError(404, "not_found", "no such staff member", {"id": call.path["id"]})


def _resource_ids(call: Call) -> list[str]:
    return [r.id for r in setup.list_resources(call.hub.uow(), call.business_id)]


@ops.route(
    "GET",
    "/staff",
    summary="Staff of the business (removed ones too, with active false)",
    responses={200: obj({"items": array(STAFF_SCHEMA)}, ("items",), closed=False)},
)
async def list_staff(call: Call) -> Response:
    def read() -> dict[str, Any]:
        found = accounts.list_users(call.hub.accounts_uow(), call.business_id)
        return {"items": [staff(u) for u in found]}

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/staff",
    summary="Invite a staff member: they get an email with a link to set their password "
    "(72 hours, works once)",
    body=obj(
        {"email": EMAIL, "name": STAFF_NAME, "role": enum(ROLES), "resource_ids": RESOURCE_IDS},
        ("email", "role"),
    ),
    responses={201: STAFF_SCHEMA},
    errors=(409,),
)
async def invite_staff(call: Call) -> Response:
    mail = call.hub.mail_password_link
    if mail is None:
        raise ApiError(409, "unavailable", "this server cannot send invitations")

    def invite() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = get_business(uow, call.business_id)
        link = password_links.invite_staff(
            call.hub.accounts_uow(),
            call.hub.settings.secret_key,
            business_id=business.id,
            email=call.body["email"],
            role=Role(call.body["role"]),
            now=call.hub.now(),
            name=call.body.get("name", "").strip(),
            resource_ids=tuple(dict.fromkeys(call.body.get("resource_ids", ()))),
            known_resources=_resource_ids(call),
        )
        mail(link, business)
        return staff(link.user)

    return JSONResponse(await call.run(invite), status_code=201)


@ops.route("GET", "/staff/{id}", summary="One staff member", responses={200: STAFF_SCHEMA})
async def get_staff(call: Call) -> Response:
    return JSONResponse(staff(await call.run(_member, call)))


@ops.route(
    "PATCH",
    "/staff/{id}",
    summary="Change a staff member's role and/or the resources they are linked to (an "
    "employee sees only those); the business keeps at least one admin",
    body=obj({"role": enum(ROLES), "resource_ids": RESOURCE_IDS}),
    responses={200: STAFF_SCHEMA},
    errors=(409,),
)
async def change_staff(call: Call) -> Response:
    def change() -> dict[str, Any]:
        current = _member(call)
        if not current.active:
            raise ApiError(409, "removed", "this staff member was removed", {"id": current.id})
        user = accounts.change_staff(
            call.hub.accounts_uow(),
            call.business_id,
            current.id,
            role=Role(call.body.get("role", current.role.value)),
            resource_ids=call.body.get("resource_ids", current.resource_ids),
            known_resources=_resource_ids(call),
            by=_by(call),
            now=call.hub.now(),
            channel=Channel.API,
        )
        return staff(user)

    return JSONResponse(await call.run(change))


@ops.route(
    "DELETE",
    "/staff/{id}",
    summary="Remove a staff member: they cannot sign in any more, their console sessions and "
    "calendar app passwords end at once (bookings keep naming them)",
    responses={200: STAFF_SCHEMA},
    errors=(409,),
)
async def remove_staff(call: Call) -> Response:
    def remove() -> dict[str, Any]:
        user = accounts.deactivate_user(
            call.hub.accounts_uow(),
            call.business_id,
            _member(call).id,
            by=_by(call),
            now=call.hub.now(),
            channel=Channel.API,
        )
        return staff(user)

    return JSONResponse(await call.run(remove))
