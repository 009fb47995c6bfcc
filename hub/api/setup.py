"""Private CRUD for a business's setup: branches, resources, resource groups, services.

PATCH replaces the fields given; the domain constructors and the setup use cases validate
(a replaced object is rebuilt, so its ``__post_init__`` checks run again). Deleting a resource
or a service deactivates it (its bookings and history stay); branches and groups are removed.
What the bodies look like and how they become domain fields is ``setup_inputs``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api import geo
from hub.api.errors import ApiError
from hub.api.registry import Call, Operations
from hub.api.render import (
    BRANCH_SCHEMA,
    GROUP_SCHEMA,
    RESOURCE_SCHEMA,
    SERVICE_SCHEMA,
    branch,
    group,
    resource,
    service,
)
from hub.api.schemas import (
    Schema,
    array,
    obj,
    output,
)
from hub.api.setup_inputs import (
    BRANCH_IN,
    GROUP_IN,
    RESOURCE_IN,
    SERVICE_IN,
    fields,
    with_required,
)
from hub.api.views import INTEGRATION
from hub.domain.geo import Zone
from hub.domain.model import (
    Branch,
    Business,
    Resource,
    ResourceGroup,
    Service,
)
from hub.services import resource_setup, setup, zones
from hub.services.calendars import get_business

ops = Operations("setup")


def _crud(
    path: str,
    noun: str,
    *,
    schema_in: Schema,
    required: tuple[str, ...],
    schema_out: Schema,
    kind: type[Any],
    lister: Callable[..., list[Any]],
    getter: Callable[[Any, str, str], Any],
    saver: Callable[..., Any],
    remover: Callable[..., Any],
    render: Callable[[Any, Business], dict[str, Any]],
) -> None:
    """Register list/create/get/patch/delete for one kind of setup row."""
    page = obj({"items": array(output(schema_out))}, ("items",), closed=False)

    def _get(call: Call, uow: Any, item_id: str) -> Any:
        found = getter(uow, call.business_id, item_id)
        if found is None:
            raise ApiError(404, "not_found", f"no such {noun}", {"id": item_id})
        return found

    async def list_items(call: Call) -> Response:
        def read() -> dict[str, Any]:
            items = lister(call.hub.uow(), call.business_id)
            with call.hub.uow() as uow:
                business = get_business(uow, call.business_id)
            return {"items": [render(i, business) for i in items]}

        return JSONResponse(await call.run(read))

    async def create_item(call: Call) -> Response:
        def create() -> dict[str, Any]:
            item = kind(business_id=call.business_id, **fields(call.body))
            saved = saver(call.hub.uow(), item, by=INTEGRATION, now=call.hub.now())
            with call.hub.uow() as uow:
                return render(saved, get_business(uow, call.business_id))

        return JSONResponse(await call.run(create), status_code=201)

    async def get_item(call: Call) -> Response:
        def read() -> dict[str, Any]:
            with call.hub.uow() as uow:
                found = _get(call, uow, call.path["id"])
                return render(found, get_business(uow, call.business_id))

        return JSONResponse(await call.run(read))

    async def patch_item(call: Call) -> Response:
        def change() -> dict[str, Any]:
            with call.hub.uow() as uow:
                found = _get(call, uow, call.path["id"])
            item = dataclasses.replace(found, **fields(call.body))
            saved = saver(call.hub.uow(), item, by=INTEGRATION, now=call.hub.now())
            with call.hub.uow() as uow:
                return render(saved, get_business(uow, call.business_id))

        return JSONResponse(await call.run(change))

    async def delete_item(call: Call) -> Response:
        def remove() -> None:
            remover(
                call.hub.uow(),
                call.business_id,
                call.path["id"],
                by=INTEGRATION,
                now=call.hub.now(),
            )

        await call.run(remove)
        return Response(status_code=204)

    name = noun.replace(" ", "_")
    for handler, verb in (
        (list_items, f"list_{name}s"),
        (create_item, f"create_{name}"),
        (get_item, f"get_{name}"),
        (patch_item, f"update_{name}"),
        (delete_item, f"delete_{name}"),
    ):
        handler.__name__ = verb
    out = output(schema_out)
    ops.route("GET", path, summary=f"List {noun}s", responses={200: page})(list_items)
    ops.route(
        "POST",
        path,
        summary=f"Create a {noun}",
        body=with_required(schema_in, *required),
        responses={201: out},
        errors=(409,),
    )(create_item)
    ops.route("GET", f"{path}/{{id}}", summary=f"One {noun}", responses={200: out})(get_item)
    ops.route(
        "PATCH",
        f"{path}/{{id}}",
        summary=f"Change a {noun} (fields given are replaced)",
        body=schema_in,
        responses={200: out},
        errors=(409,),
    )(patch_item)
    ops.route(
        "DELETE",
        f"{path}/{{id}}",
        summary=f"Remove a {noun}",
        responses={204: None},
        errors=(409,),
    )(delete_item)


def _no_biz(render: Callable[[Any], dict[str, Any]]) -> Callable[[Any, Business], dict[str, Any]]:
    return lambda item, business: render(item)


_crud(
    "/branches",
    "branch",
    schema_in=BRANCH_IN,
    required=("name",),
    schema_out=BRANCH_SCHEMA,
    kind=Branch,
    lister=setup.list_branches,
    getter=lambda uow, b, i: uow.branches.get(b, i),
    saver=setup.save_branch,
    remover=setup.delete_branch,
    render=_no_biz(branch),
)
_crud(
    "/resources",
    "resource",
    schema_in=RESOURCE_IN,
    required=("name",),
    schema_out=RESOURCE_SCHEMA,
    kind=Resource,
    lister=setup.list_resources,
    getter=lambda uow, b, i: uow.resources.get(b, i),
    saver=resource_setup.save_resource,
    remover=resource_setup.deactivate_resource,
    render=_no_biz(resource),
)
_crud(
    "/resource-groups",
    "resource group",
    schema_in=GROUP_IN,
    required=("name",),
    schema_out=GROUP_SCHEMA,
    kind=ResourceGroup,
    lister=setup.list_groups,
    getter=lambda uow, b, i: uow.groups.get(b, i),
    saver=resource_setup.save_group,
    remover=resource_setup.delete_group,
    render=_no_biz(group),
)
_crud(
    "/services",
    "service",
    schema_in=SERVICE_IN,
    required=("name", "duration_minutes"),
    schema_out=SERVICE_SCHEMA,
    kind=Service,
    lister=setup.list_services,
    getter=lambda uow, b, i: uow.services.get(b, i),
    saver=setup.save_service,
    remover=setup.deactivate_service,
    render=service,
)
_crud(
    "/zones",
    "zone",
    schema_in=geo.ZONE_IN,
    required=("name",),
    schema_out=geo.ZONE_SCHEMA,
    kind=Zone,
    lister=zones.list_zones,
    getter=lambda uow, b, i: uow.zones.get(b, i),
    saver=zones.save_zone,
    remover=zones.archive_zone,
    render=_no_biz(geo.zone),
)
