"""The supervisor's screens: live queues and who holds what, period statistics, charts and exports."""
