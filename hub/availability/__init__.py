"""The pure slot engine: weekly rules + exceptions + busy time → free slots.

Standard library only; ``now`` is an argument. ``types`` holds the inputs and outputs,
``engine`` the public functions (``find_slots``, ``is_free``, ``fits``, ``pick_resource``) and
the algorithm; ``hours`` turns rules and exceptions into a date's wall-clock hours, ``clock``
turns wall-clock time into UTC across DST, and ``busy`` turns busy time into blocked time.
"""
