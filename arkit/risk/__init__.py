"""Delinquency risk: point-in-time features, the model, backtests and the worklist (issue 5)."""

__all__: list[str] = []
