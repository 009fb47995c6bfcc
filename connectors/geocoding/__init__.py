"""Locating clients' addresses for at-address services: Nominatim (OpenStreetMap) and
Google Geocoding over httpx, a process-wide rate limit per provider and an in-process cache
(``providers``), chosen by the settings (``install``). Used once per submitted booking.
"""
