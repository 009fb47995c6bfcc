"""Public booking pages and the operator console (server-rendered)."""
