"""First start: the agency and the first administrator."""
