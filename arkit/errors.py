"""The errors arkit raises on bad input: one class to catch, messages that say what to fix."""

__all__ = ["ArkitError", "LedgerError", "ParameterError"]


class ArkitError(Exception):
    """Bad input or a request arkit cannot honour; the message names what to fix.

    The CLI prints the message on one line, without a traceback, and exits non-zero.
    """


class LedgerError(ArkitError):
    """A table does not fit the canonical ledger: names the file, row and column."""


class ParameterError(ArkitError, ValueError):
    """A bad parameter of an estimator, raised at ``fit`` as scikit-learn raises ``ValueError``."""
