"""Radicale plugins that publish every resource's agenda as a CalDAV calendar backed by the hub."""
