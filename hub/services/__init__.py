"""Use cases of the booking core. Entry points call them through ``bound.Services`` (built once
by the composition root as ``hub.core``, with the unit of work, the clock and every busy
source bound in): ``hub.core.create_booking(NewBooking(...), by=CLIENT)``. Underneath, each
takes a ``UnitOfWork`` (see ``ports``), a
``ChangedBy(actor, channel, user_id)`` and ``now``; runs in one transaction (a ``with uow:``
that joins one the caller already holds open); and raises typed errors from
``hub.domain.errors`` (``ValidationError``, ``NotFoundError``, ``PolicyViolationError``,
``SlotTakenError``/``SlotNotOfferedError``, ``IllegalTransitionError``,
``StaleVersionError``, ``ConflictError``), having written nothing.

- ``booking_create``: ``create_booking(uow, NewBooking(...), by=, now=, busy_sources=())``
- ``booking_status``: ``confirm_booking``, ``start_booking``, ``complete_booking`` (writes the
  ServiceRecord), ``cancel_booking``, ``mark_no_show``, ``expire_due_bookings``
  (``resource_choice``: which resource of several takes a booking)
- ``payments``: deposit checkouts and paid reports; ``refunds``: refunds by policy and those
  the provider reports; their ports in ``payment_ports``
- ``booking_moves``: ``reschedule_booking``, ``reassign_booking``, ``edit_booking``
- ``series``: ``create_series(uow, NewBooking, Weekly(every_weeks, count|until) |
  MonthlyByWeekday(week, …), …, all_or_nothing=, dry_run=)`` → ``SeriesResult`` (booked +
  conflicts); ``series_bookings``, ``cancel_series``/``shift_series`` (scope this|following|all)
- ``blocks``: ``create_block(uow, NewBlock(..., repeat=Weekly|None))``, ``delete_block``
- ``availability``: ``find_availability(uow, AvailabilityQuery, by=, now=, busy_sources=)``
  (clients: notice, horizon, step; staff: any time), ``list_bookings``, ``get_booking``,
  ``get_booking_by_token``
- ``setup``: businesses, branches, services (``save_service`` also sets each resource's
  price for services priced per resource) and the reads of every setup entity;
  ``resource_setup``: resources (``set_weekly_rules``, ``add_exception``,
  ``remove_exception``, ``deactivate_resource``) and groups; ``customer_setup``: customers
  (``upsert_customer``: found by E.164 phone or email, per business)
- ``customer_directory``: customers found by name, phone or email (case and accents do not
  count) with their bookings count and last visit (``find_customers``), one customer's
  bookings (``customer_bookings``); both scoped to an employee's resources when asked
- ``accounts``: staff users (``change_password``, ``change_staff``, ``deactivate_user``; a
  business keeps at least one admin), app passwords, API keys; ``sessions``: console
  sessions (start, resume, end); ``login_throttle``: the one throttle every password check
  goes through
- ``feeds``: resources' read-only feed links (read, issue, revoke)
- ``payment_settings``: which provider takes a business's deposits and each provider's
  sealed credentials (``save_payments``)
- ``whatsapp_settings``: a business's WhatsApp number, account, sealed credentials and
  templates (``save_whatsapp``, ``save_templates``); ``replies``: a client's WhatsApp answer
  (``record_client_confirmation`` writes ``booking.client_confirmed``);
  ``message_fallback``: ask a message again on another channel (``notification.fallback``)
- ``history``: a client's bookings at a business, from a manage link (``client_history``) or
  for a contact proven by a one-time code (``contact_history``); ``history_codes``: the codes
  (``request_code``, ``check_code``: hashed, 10 minutes, 5 tries, once, throttled);
  ``history_pass``: the signed pass of the history page

Every booking change writes an AuditEntry and an OutboxEvent (``booking.created``,
``.confirmed``, ``.rescheduled``, ``.updated``, ``.cancelled``, ``.completed``, ``.expired``,
``.no_show``) in the same transaction (``events``).
"""
