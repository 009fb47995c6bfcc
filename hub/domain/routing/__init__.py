"""The day's route: the order of one worker's visits that drives least and keeps every booked time.

Each visit has a time window for its start (a single minute when the client was promised an
exact time, a wider span when the business allows an arrival window) and a time on site. A
route is feasible when, leaving each visit as soon as its work is done and driving to the next,
every visit starts inside its window (arriving early means waiting). Driving counts from the
worker's base to the first visit and back from the last, when the worker has a base.

Small days are solved exactly by a label-setting dynamic programme over (visited set, last
visit) with Pareto labels (driving, time ready); larger days, or days whose labels exceed a
budget, by local search (relocating segments of one to three visits, and reversals) from
several starting orders. Moving a visit to another worker is suggested when that saves
driving and fits in the other worker's route.

Pure: times are minutes from an arbitrary origin, travel is a matrix handed in (``travel[a][b]``
minutes from point ``a`` to point ``b``). Where the minutes come from (straight-line estimate,
a routing engine) and which bookings make the day do not belong here.

Modules: ``model`` (visits, workers, routes, the day's plan), ``matrix`` (one worker's
visits as a travel matrix, and the feasibility of an order), ``local_search`` (starting orders
and their improvement), ``exact`` (the label-setting programme), ``solver`` (what callers use:
``plan_route``, ``plan_day``, ``suggest_moves``, ``route_driving``).
"""
