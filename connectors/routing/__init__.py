"""Road driving times for at-address visits from a routing engine: OSRM's Table service and
OpenRouteService's matrix, over httpx, behind the ``TravelTimes`` port (``engines``), with a
per-pair cache and a fall back to the business's straight-line model when the engine cannot
answer in time. Chosen by ``TURNERO_ROUTING``; none configured: the straight line.
"""
