"""Use cases of the booking core. Each takes a ``UnitOfWork`` (``ports``), a
``ChangedBy(actor, channel, user_id)`` and ``now``, runs in one transaction, and raises typed
errors from ``hub.domain.errors``.

Bookings (``booking_create``, ``booking_changes``): ``create_booking(uow, NewBooking, …)``,
``confirm_booking``, ``start_booking``, ``complete_booking`` (writes the ServiceRecord),
``cancel_booking``, ``reschedule_booking``, ``mark_no_show``, ``expire_due_bookings``,
``edit_booking`` (notes, invitees, address), ``reassign_booking``.
"""
