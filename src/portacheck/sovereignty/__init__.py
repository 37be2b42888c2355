"""Sovereignty facts read from the inventory, beyond the portability verdict: key custody."""
