"""The HTTP routes, one module per part of the API; the work is done in the modules above."""
