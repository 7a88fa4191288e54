"""Applications are rateable; appointments and tickets register themselves in their own wiring."""

from __future__ import annotations

from evaluations import subjects

subjects.register("application", subjects.application_subject)
