"""Tamper-evident audit log and the personal-data access log residents can read."""
