"""Use cases, one function each; each owns its transaction and returns plain data."""
