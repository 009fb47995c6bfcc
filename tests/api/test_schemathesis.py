"""Property-based tests from the live OpenAPI document (schemathesis): for generated valid and
invalid input on every operation — public and private, with a valid bearer key — the served
app never answers 5xx, and every answer matches its documented status, content type and
schema. On SQLite and on PostgreSQL.

Requests are sent with httpx: the ``urllib3`` installed beside some SDKs is urllib3-future,
whose pool manager schemathesis' own requests transport cannot inspect.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import LiveHub, serve_hub

pytestmark = pytest.mark.slow
# Enough to cover each operation's shapes while the whole file stays within a few minutes;
# PostgreSQL, which refuses more (NUL in text, integer widths), gets more examples.
EXAMPLES = {
    "sqlite": {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4},
    "postgresql": {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 15},
}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _send(case: schemathesis.Case, live: LiveHub, api_key: str) -> httpx.Response:
    kwargs = case.as_transport_kwargs(
        base_url=live.base_url, headers={"Authorization": f"Bearer {api_key}"}
    )
    data = kwargs.get("data")
    request = httpx.Request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),
        json=kwargs.get("json"),
        content=data if isinstance(data, bytes | str) else None,
        cookies=kwargs.get("cookies"),
    )
    with httpx.Client(timeout=30) as client:
        return client.send(request)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_match_the_document(database_url: str, mode: GenerationMode) -> None:
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    live, server = serve_hub(database_url)
    failures: list[str] = []
    try:
        tenant = live.tenant()
        document = httpx.get(f"{live.base_url}/api/v1/openapi.json").json()
        schema = schemathesis.openapi.from_dict(document)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 50
        for operation in operations:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES[backend][mode],
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def check(case: schemathesis.Case) -> None:
                try:
                    response = _send(case, live, tenant.api_key)
                except UnicodeEncodeError:
                    return  # a header httpx cannot send (non-ASCII): not an HTTP request
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:
                continue  # nothing invalid to generate (e.g. a free-form path segment)
            except Exception as exc:  # collect every operation's failure, then report all
                failures.append(f"{operation.label}: {exc}")
    finally:
        server.stop()
        live.hub.close()
    assert not failures, "\n\n".join(failures)
