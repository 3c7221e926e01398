"""Dashboards: widget objects wired to the analytics, displayed by the notebooks."""

from arkit.dashboards.triage import TriageDashboard, ledger_from_environment
from arkit.dashboards.trends import TrendsDashboard

__all__ = ["TriageDashboard", "TrendsDashboard", "ledger_from_environment"]
