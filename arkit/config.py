"""Paths of the project, anchored at the repository root (not the working directory)."""

from pathlib import Path

__all__ = ["PROJECT_ROOT", "SAMPLES_DIR", "NOTEBOOKS_DIR", "TRIAGE_NOTEBOOK"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = PROJECT_ROOT / "data" / "samples"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
TRIAGE_NOTEBOOK = NOTEBOOKS_DIR / "01-portfolio-triage.ipynb"
