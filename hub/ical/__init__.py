"""The hub's iCalendar (RFC 5545) writing, one module per role.

- ``projection``: the one projection of a booking (and of a block) as a calendar event.
- ``vevent``: that projection written as a VEVENT (an icalendar ``Event``, or bytes).
- ``content_lines``: escaping and folding of content lines, fast serialisation.
- ``timezones``: VTIMEZONE definitions, built from zoneinfo and cached.
- ``vcalendar``: whole VCALENDAR objects (CalDAV bodies, feeds, booking.ics downloads).
- ``itip``: the iTIP (RFC 5546) REQUEST and CANCEL objects of iMIP invites.

Pure functions over domain objects: the current time is an argument. What does *not* belong
here: reading iCalendar that others wrote (``hub.ical_parser``), sending
(``connectors.notify``), CalDAV storage (``caldav_server``), turning a parsed event back into
a booking change (the services that receive it).
"""
