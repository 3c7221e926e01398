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
# AR trends: aging, DSO and CEI at each month end, for the whole portfolio or one region,
# segment or collector; on the ledger that ARKIT_LEDGER names, else on the bundled sample.
from arkit.dashboards import TrendsDashboard, ledger_from_environment

# %%
TrendsDashboard(ledger_from_environment())
