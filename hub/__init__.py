"""Turnero's hub: the booking core (domain, availability, services, persistence) and its
entry points (API, command, app factory, wiring)."""
