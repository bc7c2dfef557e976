"""Pieces the department, supervisor and admin screens share: record tables and banners."""
