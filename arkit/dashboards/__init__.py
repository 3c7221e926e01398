"""Dashboards: widget objects wired to the analytics, displayed by the notebooks."""

from arkit.dashboards.triage import TriageDashboard

__all__ = ["TriageDashboard"]
