"""The OpenAPI document route and the interactive docs page (Swagger UI 5, served from the
installed ``swagger_ui`` package's static files — no CDN, works offline).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

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
  <script>
    window.ui = SwaggerUIBundle({
      url: "/api/v1/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
"""


def openapi_route(document: dict[str, Any]) -> Route:
    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    return Route("/openapi.json", openapi, methods=["GET"], name="openapi")


def docs_mount() -> Mount:
    async def page(request: Request) -> Response:
        return HTMLResponse(PAGE)

    return Mount(
        "/api/docs",
        routes=[
            Route("/", page, methods=["GET"], name="docs"),
            Mount("/static", StaticFiles(directory=SWAGGER_STATIC), name="docs-static"),
        ],
    )
