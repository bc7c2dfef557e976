"""The one-stop desk: counter intake, receipts, hand-overs and citizen lookups."""

__version__ = "0.1.0"
