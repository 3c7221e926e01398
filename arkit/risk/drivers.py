"""Why a score is high: the drivers of each invoice's and account's risk, in words, and global importance.

Method (one feature at a time, the same for trees, the logistic regression and a blend of
the two): for an invoice with predicted probability p, each feature in turn is set to its
portfolio reference (the training mean of a number, the most common value of a category, kept
in the model's ``reference_``) and the invoice is scored again, giving p_j. The feature's
effect is logit(p) - logit(p_j), logit(p) = ln(p / (1 - p)): how much higher the risk is, in
log-odds, because this value differs from the portfolio's. For a logistic regression this is
the feature's coefficient times its standardized distance from the reference; measured in
log-odds rather than probability, the reasons of a score near 1 do not vanish (there every
single feature moves p by less than a point). The drivers are the features with the largest
positive effects, each put in a sentence with the invoice's value beside the portfolio's ("paid
62% of its 13 settled invoices late (portfolio: 18%)"). Effects of correlated features overlap
and need not add up; they rank reasons, they do not decompose the score.

Global importance is permutation importance on a test set: the drop in ROC AUC when one
feature's column is shuffled (:func:`sklearn.inspection.permutation_importance`).
"""

from __future__ import annotations

import calendar
import math

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.utils.validation import check_is_fitted

from arkit.errors import ArkitError

__all__ = ["explain", "explain_accounts", "importance", "describe", "feature_name", "FEATURE_NAMES"]


def _n(x) -> str:
    return f"{x:,.0f}"


def _invoices(x) -> str:
    return f"{x:,.0f} invoice" + ("" if round(x) == 1 else "s")


# A sentence for each feature: value x, its row (for related values) and the portfolio reference r.
_WORDS = {
    "late_share": lambda x, row, r: f"paid {x:.0%} of its {_invoices(row.get('settled_invoices', 0))} settled so far "
                                    f"late (portfolio: {r:.0%})",
    "last5_late_share": lambda x, row, r: f"paid {round(x * min(5, row.get('settled_invoices', 5))):.0f} of its last "
                                          f"{min(5, row.get('settled_invoices', 5)):.0f} invoices late",
    "late_share_90d": lambda x, row, r: f"paid {x:.0%} of the invoices it settled in the last 90 days late "
                                        f"(portfolio: {r:.0%})",
    "late_share_trend": lambda x, row, r: f"paying late more often lately: {row.get('last5_late_share', 0):.0%} of its "
                                          f"last 5 invoices against {row.get('late_share', 0):.0%} overall",
    "mean_days_late": lambda x, row, r: f"paid {x:.0f} days late on average (portfolio: {r:.0f})",
    "last5_mean_days_late": lambda x, row, r: f"paid its last 5 invoices {x:.0f} days late on average "
                                              f"(portfolio: {r:.0f})",
    "max_days_late": lambda x, row, r: f"has paid as late as {x:.0f} days after the due date",
    "mean_days_to_pay": lambda x, row, r: f"takes {x:.0f} days to pay on average (portfolio: {r:.0f})",
    "expected_days_late": lambda x, row, r: (f"on its record, expected to pay {x:.0f} days after the due date"
                                             if x >= 0.5 else f"on its record, expected to pay {-x:.0f} days "
                                             "before the due date") + f" (portfolio: {r:+.0f})",
    "excess_days_late": lambda x, row, r: f"pays {abs(x):.0f} days {'later' if x >= 0 else 'sooner'} than the "
                                          "portfolio on comparable invoices",
    "disputed_share": lambda x, row, r: f"disputed {x:.0%} of its paid invoices (portfolio: {r:.0%})",
    "settled_invoices": lambda x, row, r: f"{_invoices(x)} settled so far (portfolio: {_n(r)})",
    "prior_invoices": lambda x, row, r: f"{_invoices(x)} billed before (portfolio: {_n(r)})",
    "days_since_first_invoice": lambda x, row, r: f"first billed {x:.0f} days ago",
    "settled_90d": lambda x, row, r: f"{_invoices(x)} settled in the last 90 days (portfolio: {r:.1f})",
    "open_invoices": lambda x, row, r: f"{_invoices(x)} open besides this one (portfolio: {r:.1f})",
    "open_amount": lambda x, row, r: f"{x:,.2f} open besides this invoice (portfolio: {r:,.0f})",
    "past_due_invoices": lambda x, row, r: f"{_invoices(x)} past due now (portfolio: {r:.1f})",
    "past_due_amount": lambda x, row, r: f"{x:,.2f} past due now (portfolio: {r:,.0f})",
    "credit_limit_use": lambda x, row, r: f"uses {x:.0%} of its credit limit (portfolio: {r:.0%})",
    "amount": lambda x, row, r: f"invoice of {x:,.2f} (portfolio average: {r:,.0f})",
    "log_amount": lambda x, row, r: f"invoice of {math.expm1(x):,.2f} (portfolio typical: {math.expm1(r):,.0f})",
    "amount_vs_usual": lambda x, row, r: f"invoice is {x:.1f}x its usual size",
    "terms_days": lambda x, row, r: f"{x:.0f}-day terms (portfolio: {r:.0f})",
    "doc_month": lambda x, row, r: f"billed in {calendar.month_name[int(x)]}" if 1 <= x <= 12 else "billed",
    "disputed": lambda x, row, r: "invoice is disputed" if x else "invoice is not disputed",
    "disputes_opened": lambda x, row, r: f"{x:.0f} dispute{'' if x == 1 else 's'} opened so far (portfolio: {r:.1f})",
    "disputes_open": lambda x, row, r: f"{x:.0f} dispute{'' if x == 1 else 's'} open now",
    "promises_made": lambda x, row, r: f"{x:.0f} promise{'' if x == 1 else 's'} to pay so far",
    "promises_broken": lambda x, row, r: f"{x:.0f} broken promise{'' if x == 1 else 's'} to pay",
}
#: Short names of the features, for tables of global importance.
FEATURE_NAMES = {
    "late_share": "share of settled invoices paid late", "last5_late_share": "late share of the last 5 invoices",
    "late_share_90d": "late share in the last 90 days", "late_share_trend": "late share lately against overall",
    "mean_days_late": "average days late", "last5_mean_days_late": "average days late, last 5 invoices",
    "max_days_late": "most days late", "mean_days_to_pay": "average days to pay",
    "expected_days_late": "expected days late on its record", "excess_days_late": "days later than comparable invoices",
    "disputed_share": "share of paid invoices disputed", "settled_invoices": "invoices settled so far",
    "prior_invoices": "invoices billed before", "days_since_first_invoice": "days since the first invoice",
    "settled_90d": "invoices settled in the last 90 days", "open_invoices": "other open invoices",
    "open_amount": "other open amount", "past_due_invoices": "invoices past due now",
    "past_due_amount": "amount past due now", "credit_limit_use": "credit limit used", "amount": "invoice amount",
    "log_amount": "invoice amount (log)", "amount_vs_usual": "invoice size against its usual",
    "terms_days": "payment terms (days)", "doc_month": "month billed", "disputed": "invoice disputed",
    "disputes_opened": "disputes opened so far", "disputes_open": "disputes open now",
    "promises_made": "promises to pay made", "promises_broken": "promises to pay broken",
}


def feature_name(feature: str) -> str:
    """A feature's name in words.

    Examples
    --------
    >>> feature_name("late_share"), feature_name("PaperlessBill")
    ('share of settled invoices paid late', 'PaperlessBill')
    """
    return FEATURE_NAMES.get(feature, feature.replace("_", " ") if feature.islower() else feature)


_NO_HISTORY = {"late_share", "last5_late_share", "late_share_90d", "mean_days_late", "last5_mean_days_late",
               "max_days_late", "mean_days_to_pay", "excess_days_late", "disputed_share", "late_share_trend"}


def describe(feature: str, value, row: dict | None = None, reference=None) -> str:
    """An analyst's sentence for one feature value, with the portfolio's beside it.

    Examples
    --------
    >>> describe("late_share", 0.62, {"settled_invoices": 13}, 0.18)
    'paid 62% of its 13 invoices settled so far late (portfolio: 18%)'
    >>> describe("past_due_invoices", 3, reference=0.4)
    '3 invoices past due now (portfolio: 0.4)'
    >>> describe("region", "West")
    'region is West'
    """
    row = row or {}
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if missing:
        return "no payment history yet" if feature in _NO_HISTORY else f"{feature.replace('_', ' ')} unknown"
    words = _WORDS.get(feature)
    if words is not None and isinstance(value, (int, float, np.integer, np.floating)):
        try:
            return words(float(value), row, float(reference) if reference is not None else float("nan"))
        except (TypeError, ValueError):
            pass
    if isinstance(value, (int, float, np.integer, np.floating)):
        ref = f" (portfolio: {reference:,.4g})" if isinstance(reference, (int, float)) else ""
        return f"{feature.replace('_', ' ')} {float(value):,.4g}{ref}"
    return f"{feature.replace('_', ' ')} is {value}"


def _effects(model, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """P(late) of each row, and the effect of each feature (rows x features): the drop in log-odds
    when it is set to the reference."""
    check_is_fitted(model)
    if not isinstance(X, pd.DataFrame) or not hasattr(model, "feature_names_in_"):
        raise ArkitError("explanations need a model fitted on a feature frame and such a frame "
                         "(arkit.risk.features or open_features)")
    names = list(model.feature_names_in_)
    X = X[names].reset_index(drop=True)
    p = model.predict_proba(X)[:, -1]
    # Numbers as floats and categories as plain objects, so that any reference value fits.
    X = X.apply(lambda c: c.astype(float) if pd.api.types.is_numeric_dtype(c) else c.astype(object))
    usable = [name for name in names if model.reference_.get(name) is not None]
    stacked = pd.concat([X] * len(usable), ignore_index=True)
    for j, name in enumerate(usable):
        rows = slice(j * len(X), (j + 1) * len(X))
        column = stacked.columns.get_loc(name)
        stacked.iloc[rows, column] = model.reference_[name]
    replaced = model.predict_proba(stacked)[:, -1].reshape(len(usable), len(X)).T if usable else np.empty((len(X), 0))
    return p, _logit(p)[:, None] - _logit(replaced), usable


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def explain(model, X: pd.DataFrame, *, top: int = 3, min_effect: float = 0.05) -> pd.DataFrame:
    """The top drivers of each row's risk, in words (see the module docstring for the method).

    Parameters
    ----------
    model : DelinquencyModel
        Fitted on a feature frame.
    X : DataFrame
        Feature rows (the model's feature columns; other columns are ignored).
    top : int
        Drivers kept per row, largest effect first.
    min_effect : float
        Smallest effect (in log-odds) worth naming; 0.05 is about a point of probability near
        p = 0.5.

    Returns
    -------
    DataFrame
        One row per driver: ``row`` (position in X), ``p_late``, ``rank``, ``feature``,
        ``value``, ``reference``, ``effect``, ``text``. A row with no driver above
        ``min_effect`` has none.

    Examples
    --------
    >>> from arkit.risk import DelinquencyModel
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"late_share": rng.random(500), "settled_invoices": rng.integers(1, 30, 500),
    ...                   "past_due_invoices": rng.integers(0, 3, 500)})
    >>> y = (rng.random(500) < 0.1 + 0.8 * X["late_share"]).astype(int)
    >>> model = DelinquencyModel(method="logistic").fit(X, y)
    >>> row = pd.DataFrame({"late_share": [0.9], "settled_invoices": [10], "past_due_invoices": [1]})
    >>> explain(model, row, top=1)["text"].tolist()
    ['paid 90% of its 10 invoices settled so far late (portfolio: 53%)']
    """
    p, effects, names = _effects(model, X)
    X = X.reset_index(drop=True)
    records = []
    order = np.argsort(-effects, axis=1, kind="stable")[:, :top]
    for i in range(len(X)):
        row = X.iloc[i].to_dict()
        for rank, j in enumerate(order[i], start=1):
            if effects[i, j] < min_effect:
                break
            name = names[j]
            records.append((i, p[i], rank, name, row[name], model.reference_[name], float(effects[i, j]),
                            describe(name, row[name], row, model.reference_[name])))
    return pd.DataFrame(records, columns=["row", "p_late", "rank", "feature", "value", "reference", "effect", "text"])


def explain_accounts(model, X: pd.DataFrame, customer_id, *, top: int = 3, min_effect: float = 0.05) -> pd.DataFrame:
    """The drivers of each account: those of its riskiest invoice (highest P(late)).

    ``customer_id`` gives the account of each row of X (a column name of X or a sequence).
    Returns the columns of :func:`explain` with ``customer_id`` first, accounts by risk; an
    account whose riskiest invoice has no driver above ``min_effect`` (B below) has no rows.

    Examples
    --------
    >>> from arkit.risk import DelinquencyModel
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"late_share": rng.random(500), "settled_invoices": rng.integers(1, 30, 500)})
    >>> y = (rng.random(500) < 0.1 + 0.8 * X["late_share"]).astype(int)
    >>> model = DelinquencyModel(method="logistic").fit(X, y)
    >>> rows = pd.DataFrame({"late_share": [0.1, 0.9, 0.0], "settled_invoices": [10, 10, 12]})
    >>> explain_accounts(model, rows, ["A", "A", "B"], top=1)[["customer_id", "row", "text"]].to_dict("records")
    [{'customer_id': 'A', 'row': 1, 'text': 'paid 90% of its 10 invoices settled so far late (portfolio: 53%)'}]
    """
    accounts = X[customer_id] if isinstance(customer_id, str) else pd.Series(list(customer_id))
    if len(accounts) != len(X):
        raise ArkitError(f"customer_id has {len(accounts)} values for {len(X)} rows")
    X = X.reset_index(drop=True)
    features = X[list(model.feature_names_in_)]
    p = model.predict_proba(features)[:, -1]
    riskiest = pd.DataFrame({"customer_id": accounts.to_numpy(), "p": p}).sort_values(
        ["p", "customer_id"], ascending=[False, True], kind="stable").drop_duplicates("customer_id")
    explained = explain(model, features.iloc[riskiest.index.to_numpy()], top=top, min_effect=min_effect)
    explained.insert(0, "customer_id", riskiest["customer_id"].to_numpy()[explained["row"].to_numpy()])
    explained["row"] = riskiest.index.to_numpy()[explained["row"].to_numpy()]
    return explained


def importance(model, X: pd.DataFrame, y, *, n_repeats: int = 5, random_state: int = 0) -> pd.DataFrame:
    """Permutation importance: the mean and spread of the drop in ROC AUC when a feature is shuffled.

    Examples
    --------
    >>> from arkit.risk import DelinquencyModel
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"late_share": rng.random(400), "noise": rng.random(400)})
    >>> y = (rng.random(400) < X["late_share"]).astype(int)
    >>> importance(DelinquencyModel(method="logistic").fit(X, y), X, y)["feature"].tolist()
    ['late_share', 'noise']
    """
    check_is_fitted(model)
    result = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=n_repeats, random_state=random_state)
    table = pd.DataFrame({"feature": list(X.columns), "importance": result.importances_mean,
                          "spread": result.importances_std})
    return table.sort_values(["importance", "feature"], ascending=[False, True], kind="stable").reset_index(drop=True)
