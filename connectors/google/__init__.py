"""Google Calendar connector: staff connect their Google account (OAuth, encrypted tokens),
bookings are pushed as events (attendees, Meet links) through the scheduler's outbox, their
own events are pulled incrementally as busy time, and edits made in Google to hub events come
back as reschedules and cancellations through ``hub.services``.

Wiring: ``connectors.google.runtime.install_google(hub, registry)``; web routes:
``connectors.google.web.routes(hub)``.
"""
