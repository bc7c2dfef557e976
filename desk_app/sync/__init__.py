"""Outbox and the client of the central server (to come)."""
