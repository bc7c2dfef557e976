"""The central server the desks of a province sync to (to come)."""
