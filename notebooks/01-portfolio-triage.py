# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %%
# Portfolio triage: served by `arkit dashboard` (or `make dashboard`) on the ledger named by
# ARKIT_LEDGER, else on the bundled sample portfolio.
import os

from arkit import load_ledger
from arkit.config import SAMPLES_DIR
from arkit.dashboards import TriageDashboard

# %%
ledger = load_ledger(os.environ.get("ARKIT_LEDGER", SAMPLES_DIR))
TriageDashboard(ledger)
