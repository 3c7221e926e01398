"""Dashboards: widget objects wired to the analytics, displayed by the notebooks."""

from arkit.dashboards.triage import TriageDashboard, ledger_from_environment

__all__ = ["TriageDashboard", "ledger_from_environment"]
