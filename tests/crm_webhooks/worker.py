"""``python -m tests.crm_webhooks.worker``: a worker process with the scheduler and the
webhooks connector installed, configured by the ``TURNERO_*`` environment only (what
``turnero worker`` runs once the webhooks are wired at bootstrap)."""

from __future__ import annotations

from connectors.crm_webhooks.runtime import install_webhooks
from hub.bootstrap import build_hub
from hub.config import Settings
from hub.wiring import install_scheduler as install
from scheduler.worker import consumer_for


def main() -> None:
    hub = build_hub(Settings.from_env())
    work = install(hub)
    install_webhooks(hub, work.huey, work.registry)
    try:
        consumer_for(work).run()
    finally:
        hub.close()


if __name__ == "__main__":
    main()
