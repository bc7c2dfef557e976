"""Qt widgets and item models; one sub-package per screen."""
