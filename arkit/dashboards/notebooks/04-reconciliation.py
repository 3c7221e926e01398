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
# Reconciliation: two month-end snapshots of the ledger, or two uploaded files (ours against a
# customer's statement, the subledger against the GL), compared line by line with every
# difference explained and downloadable; then the cash application of the payments file
# (ARKIT_PAYMENTS, else the sample's week of bank receipts) against the ledger that ARKIT_LEDGER
# names, else the bundled sample.
from arkit.dashboards import ledger_from_environment
from arkit.dashboards.reconciliation import ReconciliationDashboard, payments_from_environment

# %%
ReconciliationDashboard(ledger_from_environment(), payments_from_environment())
