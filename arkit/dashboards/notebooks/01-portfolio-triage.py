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
# Portfolio triage: served by `arkit dashboard SOURCE` (or `make dashboard`) on the ledger it
# names, else on the bundled sample portfolio.
from arkit.dashboards import TriageDashboard, ledger_from_environment

# %%
TriageDashboard(ledger_from_environment())
