"""Proxy agents (帮代办): scoped, time-limited grants, acting for a principal, hall-assisted service."""
