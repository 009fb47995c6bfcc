"""Adapters to outside systems, one folder each; connectors never import each other."""
