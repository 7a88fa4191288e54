"""Notifications: the in-app inbox (always written) and the outbox that feeds push and SMS."""
