"""The rules of the one-stop counter, in plain Python: no Qt, no SQLAlchemy, no HTTP."""
