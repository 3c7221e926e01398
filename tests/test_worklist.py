"""The collections worklist: promise tracking, next actions and their reasons, credit lines."""

import pandas as pd
import pytest

from arkit import ArkitError, Ledger
from arkit._worklist import Policy, credit_line, promises, worklist

AS_OF = "2026-10-31"


def test_promise_status_matches_what_the_sample_generator_recorded(sample_ledger):
    """The generator records each promise's fate from the full history (kept: the invoice closed
    by a payment within 3 days of the promised date); arkit computes it from the ledger alone."""
    made = promises(sample_ledger)
    recorded = sample_ledger.activities.query("kind == 'promise'")
    both = made.merge(recorded[["customer_id", "document_id", "date", "outcome"]],
                      on=["customer_id", "document_id", "date"], validate="one_to_one")
    assert len(both) == len(recorded) == 703
    agree = both["status"].eq(both["outcome"].replace({"pending": "open"}))
    assert agree.sum() >= 702, both.loc[~agree]
    # On a past date, a promise whose date has not come is open, whatever happened later.
    early = promises(sample_ledger, "2025-06-30")
    assert early["date"].max() <= pd.Timestamp("2025-06-30")
    later = made.set_index(["customer_id", "document_id", "date"]).loc[
        early.set_index(["customer_id", "document_id", "date"]).index]
    changed = early.set_index(["customer_id", "document_id", "date"])["status"] != later["status"]
    assert (early.set_index(["customer_id", "document_id", "date"]).loc[changed, "status"] == "open").all()


def _day(text):
    return pd.Timestamp(text)


def _ledger(policy_accounts=True):
    """One customer per rule, as of 2026-10-31 (due dates give the days past due)."""
    rows = [  # document, customer, due date, amount
        ("W1", "WRITEOFF", "2025-09-01", 800.0),  # 425 days
        ("A1", "AGENCY", "2026-06-01", 900.0),    # 152 days
        ("H1", "HOLD", "2026-10-20", 6000.0),     # 11 days, over a 5,000 limit
        ("B1", "BROKE", "2026-10-01", 700.0),     # 30 days, promise broken last week
        ("L1", "LETTER", "2026-10-21", 300.0),    # 10 days: letter 1
        ("L2", "LETTER2", "2026-09-20", 300.0),   # 41 days: letter 2
        ("D1", "DISPUTED", "2026-09-01", 500.0),  # past due but all in dispute
        ("P1", "PROMISED", "2026-10-01", 400.0),  # an open promise
        ("R1", "RISKY", "2026-11-30", 25000.0),   # not yet due, the model says late
        ("OK", "FINE", "2026-11-30", 100.0),      # nothing to do
    ]
    items = pd.DataFrame(rows, columns=["document_id", "customer_id", "due_date", "amount"])
    items["due_date"] = pd.to_datetime(items["due_date"])
    items["doc_date"] = items["due_date"] - pd.Timedelta(days=30)
    customers = pd.DataFrame({"customer_id": items["customer_id"], "credit_limit": 5000.0})
    customers.loc[customers["customer_id"] == "RISKY", "credit_limit"] = 50000.0
    disputes = pd.DataFrame({"dispute_id": ["X1"], "document_id": ["D1"], "customer_id": ["DISPUTED"],
                             "amount": [500.0], "opened_date": [_day("2026-09-10")], "closed_date": [pd.NaT]})
    activities = pd.DataFrame({"customer_id": ["BROKE", "PROMISED"], "document_id": ["B1", "P1"],
                               "kind": ["promise", "promise"], "date": [_day("2026-10-15"), _day("2026-10-29")],
                               "promised_amount": [700.0, 400.0],
                               "promised_date": [_day("2026-10-24"), _day("2026-11-05")]})
    return Ledger(items, customers=customers, disputes=disputes, activities=activities)


def test_each_rule_gives_its_action_and_reason():
    ledger = _ledger()
    scores = pd.DataFrame({"document_id": ["R1", "OK"], "p_late": [0.8, 0.1]})
    table = worklist(ledger, AS_OF, scores=scores).set_index("customer_id")
    assert table["action"].to_dict() == {
        "WRITEOFF": "write-off proposal", "AGENCY": "agency referral", "HOLD": "credit hold", "BROKE": "call",
        "LETTER": "dunning letter 1", "LETTER2": "dunning letter 2", "RISKY": "call"}
    assert table.loc["WRITEOFF", "reason"] == "oldest undisputed item 425 days past due (policy: 365)"
    assert table.loc["HOLD", "reason"] == "1,000.00 over the credit limit of 5,000.00 with 6,000.00 past due"
    assert table.loc["BROKE", "reason"] == "promise broken in the last 30 days; 700.00 past due"
    assert table.loc["RISKY", "reason"] == "20,000.00 not yet due expected to be paid late (model)"
    assert table.loc["RISKY", "expected_at_risk"] == 20000.0 and table.loc["BROKE", "broken_promises"] == 1
    # An account past due is delinquent; one not yet due is as likely late as its riskiest invoice.
    assert table.loc["RISKY", "p_delinquent"] == 0.8 and table.loc["LETTER", "p_delinquent"] == 1.0
    # Most at stake first: priority = expected at risk + over limit + 0.5 x broken promises x past due.
    assert table.index[0] == "RISKY" and table.loc["HOLD", "priority"] == 6000 + 1000
    assert table.loc["BROKE", "priority"] == 700 + 0.5 * 700
    assert table["priority"].is_monotonic_decreasing
    everyone = worklist(ledger, AS_OF, everyone=True).set_index("customer_id")
    assert everyone.loc[["DISPUTED", "PROMISED", "FINE"], "action"].tolist() == ["", "", ""]
    assert everyone.loc["DISPUTED", "disputed"] == 500.0 and everyone.loc["PROMISED", "open_promises"] == 1
    assert everyone.loc["RISKY", "action"] == ""  # without scores, nothing not yet due is at risk
    assert everyone.loc["DISPUTED", "p_delinquent"] == 0.0  # past due but all in dispute: not dunned
    with pytest.raises(ArkitError, match="document_id and p_late"):
        worklist(ledger, AS_OF, scores=scores.rename(columns={"p_late": "probability"}))


def test_policy_thresholds_are_configurable_and_checked():
    strict = Policy(letter_days=(5, 10, 20), hold_days=40, agency_days=200, write_off_days=500)
    table = worklist(_ledger(), AS_OF, policy=strict).set_index("customer_id")
    assert table.loc[["LETTER", "LETTER2", "AGENCY", "WRITEOFF"], "action"].tolist() == [
        "dunning letter 2", "credit hold", "credit hold", "agency referral"]
    with pytest.raises(ArkitError, match="policy days must increase"):
        Policy(letter_days=(30, 10, 60))


def test_worklist_of_the_sample(sample_ledger):
    table = worklist(sample_ledger, AS_OF)
    assert table["customer_id"].is_unique and table["priority"].is_monotonic_decreasing
    assert set(table["action"]) <= {"write-off proposal", "agency referral", "credit hold", "call",
                                    "dunning letter 1", "dunning letter 2", "dunning letter 3"}
    assert (table["reason"] != "").all()
    everyone = worklist(sample_ledger, AS_OF, everyone=True)
    from arkit import aging_summary
    book = aging_summary(sample_ledger, AS_OF, by=None, currency="USD")["total"].iloc[0]
    assert round(everyone["open_balance"].sum(), 2) == pytest.approx(book, abs=0.01 * len(everyone))


def test_credit_line_formula():
    items = pd.DataFrame({
        "document_id": [f"I{i}" for i in range(4)], "customer_id": "C", "amount": [3000.0, 3000.0, 6000.0, 6000.0],
        "doc_date": pd.to_datetime(["2026-01-10", "2026-04-10", "2026-07-10", "2026-10-10"]),
        "due_date": pd.to_datetime(["2026-02-09", "2026-05-10", "2026-08-09", "2026-11-09"]),
        "closed_date": pd.to_datetime(["2026-02-09", "2026-05-30", "2026-08-09", None])})
    row = credit_line(Ledger(items), "2026-10-31").iloc[0]
    # 18,000 over 12 months; 1 of 3 settled late (20 days): share 1/3 -> factor 0.75.
    assert (row["monthly_sales"], row["terms_days"], row["settled"], row["factor"]) == (1500.0, 30.0, 3, 0.75)
    assert row["avg_days_late"] == pytest.approx(6.7, abs=0.05)
    assert row["recommended"] == 2000  # 1,500 x (30 + 6.67) / 30 x 0.75 = 1,375 -> 2,000
    assert row["formula"] == "1,500.00 x (30 + 6.7) / 30 x 0.75 = 1,375.00 -> 2,000"
    with pytest.raises(ArkitError, match="customer 'X' has no items"):
        credit_line(Ledger(items), customer_id="X")
