"""Files shipped inside the package: the bundled sample portfolio, the dashboard notebooks and
the loader presets.

Found with :mod:`importlib.resources`, so they are the same files in an installed wheel and in a
source checkout (where ``data/samples`` is a symlink to ``arkit/data/samples``). pip installs a
wheel as plain files, so each resource is a real path that Voila and the loaders can open.
"""

from importlib.resources import files
from pathlib import Path

__all__ = ["SAMPLES_DIR", "NOTEBOOKS_DIR", "TRIAGE_NOTEBOOK", "PRESETS_DIR"]

SAMPLES_DIR = Path(files("arkit") / "data" / "samples")
NOTEBOOKS_DIR = Path(files("arkit") / "dashboards" / "notebooks")
TRIAGE_NOTEBOOK = NOTEBOOKS_DIR / "01-portfolio-triage.ipynb"
PRESETS_DIR = Path(files("arkit") / "loaders" / "presets")
