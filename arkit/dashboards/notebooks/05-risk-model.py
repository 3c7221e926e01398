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
# Delinquency risk: a backtest of the model at a split date (beside the invoice-fields and
# late-share baselines, with its calibration and global drivers), then today's worklist scored by
# a model trained on the whole history, with each account's invoices and the reasons of their
# scores; on the ledger that ARKIT_LEDGER names, else on the bundled sample.
from arkit.dashboards import ledger_from_environment
from arkit.dashboards.risk import RiskDashboard

# %%
RiskDashboard(ledger_from_environment())
