"""The receiver of ``bench webhooks``, in a process of its own: a minimal keep-alive
HTTP/1.1 server that verifies every POST with the ``standardwebhooks`` library, counts
requests, bad signatures and distinct ``webhook-id`` values, and answers 200. ``GET``
returns the counts as JSON. Imports nothing of Turnero, so it starts fast.

``python -m bench._webhook_receiver PORT SECRET``
"""

from __future__ import annotations

import asyncio
import json
import sys

from standardwebhooks import Webhook, WebhookVerificationError


def serve_receiver(port: int, secret: str) -> None:
    """A minimal keep-alive HTTP/1.1 server: verifies, counts, answers 200."""
    hook = Webhook(secret)
    seen: dict[str, int] = {}
    counts = {"requests": 0, "invalid": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method = lines[0].split(" ", 1)[0]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if method == "GET":
                    answer = json.dumps({**counts, "unique": len(seen)}).encode()
                else:
                    counts["requests"] += 1
                    try:
                        hook.verify(body, headers, json_parse=False)
                    except WebhookVerificationError:
                        counts["invalid"] += 1
                    else:
                        webhook_id = headers["webhook-id"]
                        seen[webhook_id] = seen.get(webhook_id, 0) + 1
                    answer = b"ok"
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: "
                    + str(len(answer)).encode()
                    + b"\r\n\r\n"
                    + answer
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def run() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


if __name__ == "__main__":
    serve_receiver(int(sys.argv[1]), sys.argv[2])
