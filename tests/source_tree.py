"""The source checkout the tests run from: for development only, the installed package has no such paths."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
