"""The OpenAPI document route and the interactive docs page (Swagger UI 5, served from the
installed ``swagger_ui`` package's static files — no CDN, works offline).

The page runs under a Content-Security-Policy: scripts only from this origin (the start-up
code is a file of ours, not an inline script), requests only to this origin and the public
base URL (where "Try it out" sends them), no frames. Swagger UI sets inline styles on its
elements, so styles may be inline; nothing else is.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles


def _swagger_static() -> str:
    spec = importlib.util.find_spec("swagger_ui")  # located, not imported: only its files
    if spec is None or spec.origin is None:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return os.path.join(os.path.dirname(spec.origin), "static")


SWAGGER_STATIC = _swagger_static()

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Turnero API v1</title>
  <link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/static/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/static/swagger-ui-bundle.js"></script>
  <script src="/api/docs/static/swagger-ui-standalone-preset.js"></script>
  <script src="/api/docs/start.js"></script>
</body>
</html>
"""

START = """window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"
});
"""


def content_security_policy(base_url: str) -> str:
    parts = urlsplit(base_url)
    origin = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; font-src 'self' data:; connect-src 'self'{origin}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def openapi_route(document: dict[str, Any]) -> Route:
    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    return Route("/openapi.json", openapi, methods=["GET"], name="openapi")


def docs_mount(base_url: str = "") -> Mount:
    headers = {
        "Content-Security-Policy": content_security_policy(base_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }

    async def page(request: Request) -> Response:
        return HTMLResponse(PAGE, headers=headers)

    async def start(request: Request) -> Response:
        return Response(START, media_type="text/javascript", headers=headers)

    return Mount(
        "/api/docs",
        routes=[
            Route("/", page, methods=["GET"], name="docs"),
            Route("/start.js", start, methods=["GET"], name="docs-start"),
            Mount("/static", StaticFiles(directory=SWAGGER_STATIC), name="docs-static"),
        ],
    )
