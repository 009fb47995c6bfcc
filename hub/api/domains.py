"""The business's claimed email domains over the API: list, claim (the hub emails a
one-time verification link to an address at the domain), remove.

A verified domain lets Google accounts whose verified email is on it sign in to the console
as new employees of the business (``hub.services.email_domains``). An API key acts for its
business as an admin does. A domain another business verified is a 409 that names nobody;
public mail providers and malformed names are a 422. The link itself is opened in a browser
(``/console/domains/verify/{token}``), never returned here.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.errors import ApiError
from hub.api.registry import Call, Operations
from hub.api.render import BOOL, STR
from hub.api.schemas import DATE_TIME, EMAIL, Schema, array, nullable, obj
from hub.domain.booking import Channel
from hub.domain.email_domains import EmailDomain
from hub.services.calendars import get_business

ops = Operations("domains")

DOMAIN: Schema = {"type": "string", "minLength": 1, "maxLength": 253}
DOMAIN_SCHEMA = obj(
    {
        "domain": STR,
        "verified": BOOL,
        "verified_at": nullable(DATE_TIME),
        "verify_address": STR,
        "link_expires_at": nullable(DATE_TIME),
        "created_at": DATE_TIME,
    },
    ("domain", "verified", "verified_at", "verify_address", "link_expires_at", "created_at"),
    closed=False,
)


def _when(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def domain(claim: EmailDomain) -> dict[str, Any]:
    return {
        "domain": claim.domain,
        "verified": claim.verified,
        "verified_at": _when(claim.verified_at),
        "verify_address": claim.verify_address,
        "link_expires_at": _when(claim.token_expires_at),
        "created_at": _when(claim.created_at),
    }


def _by(call: Call) -> str | None:
    return call.api_key.id if call.api_key else None


@ops.route(
    "GET",
    "/domains",
    summary="Email domains the business claimed, verified or waiting for the emailed link",
    responses={200: obj({"items": array(DOMAIN_SCHEMA)}, ("items",), closed=False)},
)
async def list_domains(call: Call) -> Response:
    def read() -> dict[str, Any]:
        return {"items": [domain(c) for c in call.hub.core.email_domains(call.business_id)]}

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/domains",
    summary="Claim an email domain: a link that verifies it (48 hours, works once) is emailed "
    "to `address`, which must be at that domain; claiming a pending domain again sends a new "
    "link. Once verified, Google accounts with a verified email there join as employees on "
    "their first sign-in",
    body=obj({"domain": DOMAIN, "address": EMAIL}, ("domain", "address")),
    responses={201: DOMAIN_SCHEMA, 200: DOMAIN_SCHEMA},
    errors=(409,),
)
async def claim_domain(call: Call) -> Response:
    mail = call.hub.mail_domain_link
    if mail is None:
        raise ApiError(409, "unavailable", "this server cannot send email")

    def claim() -> tuple[dict[str, Any], bool]:
        verification = call.hub.core.claim_email_domain(
            call.business_id,
            call.body["domain"],
            call.body["address"],
            by=_by(call),
            channel=Channel.API,
        )
        if verification.token is not None:
            with call.hub.uow() as uow:
                business = get_business(uow, call.business_id)
            mail(verification, business)
        return domain(verification.claim), verification.token is not None

    body, sent = await call.run(claim)
    return JSONResponse(body, status_code=201 if sent else 200)


@ops.route(
    "DELETE",
    "/domains/{domain}",
    summary="Give a claimed domain up: its Google accounts no longer join (staff who joined "
    "stay until removed)",
    responses={200: DOMAIN_SCHEMA},
)
async def unclaim_domain(call: Call) -> Response:
    def remove() -> dict[str, Any]:
        claim = call.hub.core.unclaim_email_domain(
            call.business_id, call.path["domain"], by=_by(call), channel=Channel.API
        )
        return domain(claim)

    return JSONResponse(await call.run(remove))
