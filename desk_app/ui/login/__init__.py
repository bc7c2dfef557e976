"""Logging in, and locking the screen when the desk is left idle."""
