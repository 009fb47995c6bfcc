"""REST API v1 (Starlette): one module per resource, each declaring its operations and their
JSON Schemas next to the handlers (``registry``); errors mapped in one place (``errors``).

Handlers parse input, call one use case of ``hub.services`` and render the result. Business
rules do not belong here.
"""
