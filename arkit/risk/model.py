"""The delinquency model: P(an invoice is paid more than ``grace`` days late), a scikit-learn classifier.

Two kinds of model on the same feature frames (:func:`arkit.risk.features`):

- ``"gbm"``: :class:`~sklearn.ensemble.HistGradientBoostingClassifier` with native
  categorical splits (text columns ordinal-encoded, at most 250 categories, the rarest
  pooled), missing values handled by the trees;
- ``"logistic"``: :class:`~sklearn.linear_model.LogisticRegression` on one-hot categories
  and standardized numbers (missing numbers imputed with the median, plus a missing flag,
  each clipped to its training range: :class:`TrainingRange`).

``"auto"`` (the default) lets the training window choose between them, as a backtest would,
over several time folds (rolling origin). The rows are taken to be in time order (as
:func:`arkit.risk.features` and :func:`arkit.risk.training_set` give them) and cut at 40%, 60%
and 80%: fold k fits both kinds on every row before its cut and scores the next 20% of the rows
(the last fold scores the latest 20%), so no fold sees a row after its scoring slice. A fold
trains only on the rows whose outcome was known at its own cut, the day before its first scored
row's date (:func:`fold_known`, passed by :meth:`DelinquencyModel.fit_ledger` and
:func:`arkit.risk.backtest`), as a model trained that day would: an invoice still inside its terms
then is left out, though its outcome was known by the end of the window. A fold fits on at most
its latest :data:`MAX_FOLD_ROWS` (100,000) such rows. For each
blend weight w (P = w x P_gbm + (1 - w) x P_logistic, w in 0, 0.1, ..., 1) the folds give a mean
log loss; w* has the lowest. A difference within noise does not count: with d_k(w) the loss of
w minus the loss of w* on fold k, a weight is within noise of w* when mean(d) <= its fold-to-fold
standard error, std(d) / sqrt(3). The simpler model wins within noise: the logistic regression
alone (w = 0) is kept when it is within noise of w*, else w* (w* = 1: the trees alone); the
model(s) kept are refitted on all the rows. Neither kind wins everywhere: trees find thresholds and interactions,
the logistic regression needs fewer rows when the risk is smooth in the record, and one split
was too noisy to choose with (on the sample portfolio its choice moved from one split date to
the next). Log loss, not ROC AUC, picks the weight: it is a proper score, so the blend stays
calibrated. Too few rows to validate (fewer than 200 in a scoring slice, or fewer than 10 of a
class in a slice or before it) and the trees are used alone. The card says what was chosen,
the figures of each fold and their means. Cost: six fold fits on at most 40%, 60% and 80% of the
rows (and 100,000 each), then the refit (benchmarks/bench_risk.py measures it against a trees-only
fit).

Calibration. Both methods minimize log loss, so their probabilities are calibrated on the
data they were fitted to; the backtests check that this holds out of time (the calibration
table, and the tests, which bound the gap between predicted and observed late rates per
decile on the IBM data and the sample portfolio). So ``calibration=None`` is the default.
``"sigmoid"`` (Platt) or ``"isotonic"`` wrap the model in
:class:`~sklearn.calibration.CalibratedClassifierCV`: three shuffled folds, each calibrator
fitted on the predictions of a model that did not see its rows, the three averaged. On both
data sets this cost ROC AUC and Brier score (three models on two thirds of the rows each).

Threads: below 100,000 rows the trees are grown on one thread (OpenMP; ``n_threads=None``), and
the logistic regression is always solved on one (BLAS), which is faster and does not stall when
other processes keep the cores busy (on a loaded machine the regression on 12,000 rows took
3.7 s with two BLAS threads, 0.17 s with one; on 190,174 rows 5.5 s against 2.7 s).

Models are saved with skops (``skops.io``), never with pickle: :meth:`DelinquencyModel.load`
refuses a file holding any type outside :data:`TRUSTED_TYPES`. A model card (data window,
features, metrics) travels inside the file as ``card_`` and is written beside it as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
from threadpoolctl import threadpool_limits

from arkit.progress import advance
from arkit._common import to_date
from arkit.errors import ArkitError, ParameterError
from arkit.risk.point_in_time import META_COLUMNS, extra_columns, features, labels, open_features, training_set

__all__ = ["DelinquencyModel", "TRUSTED_TYPES", "METHODS", "CALIBRATIONS", "fold_bounds", "fold_known"]

METHODS = ("auto", "gbm", "logistic")
KINDS = ("gbm", "logistic")
FOLD_CUTS = (0.4, 0.6, 0.8)  # fold k trains before cut k and scores up to the next cut (the last: to the end)
MIN_VALIDATION_ROWS = 200
MIN_VALIDATION_CLASS = 10
BLEND_STEPS = 10  # weights 0, 0.1, ..., 1
CALIBRATIONS = ("sigmoid", "isotonic", None)
MAX_TREE_CATEGORIES = 250  # below HistGradientBoosting's 255 bins
MAX_ONE_HOT = 50
ONE_THREAD_BELOW = 100_000
MAX_FOLD_ROWS = 100_000  # a fold fits on at most its latest 100,000 known rows
# Features whose rise never lowers the risk of paying late (constraints on the trees).
MONOTONE = {name: 1 for name in (
    "expected_days_late", "excess_days_late", "late_share", "mean_days_late", "max_days_late", "last5_late_share",
    "last5_mean_days_late", "late_share_90d", "past_due_invoices", "past_due_amount", "promises_broken",
    "disputed")}

# Every type a saved DelinquencyModel holds, builtins included: DelinquencyModel.load reads the
# list of types in the file and refuses it when any is not here (even ones skops trusts itself).
# functools.partial is safe here because the only function it can wrap is check_array below.
TRUSTED_TYPES = [
    "arkit.risk.model.DelinquencyModel",
    "arkit.risk.model.TrainingRange",
    "builtins.bool",
    "builtins.dict",
    "builtins.float",
    "builtins.int",
    "builtins.list",
    "builtins.slice",
    "builtins.str",
    "builtins.tuple",
    "functools.partial",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "numpy.random._generator.Generator",
    "numpy.uint64",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn._loss._loss.CyHalfMultinomialLoss",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._encoders.OrdinalEncoder",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.utils.validation.check_array",
]


class TrainingRange(TransformerMixin, BaseEstimator):
    """Clip each column to the range it had in training.

    A logistic regression is linear in every feature, also beyond the values it was fitted on;
    features that grow with the history (days since the first invoice, invoices so far, open
    amount) pass their training range in every later month, and the regression's extrapolation
    there ranked invoices worse than the trees, which stay flat beyond their last split. Clipped,
    the regression stays flat there too.

    Examples
    --------
    >>> TrainingRange().fit([[0.0], [10.0]]).transform([[-5.0], [3.0], [99.0]]).ravel().tolist()
    [0.0, 3.0, 10.0]
    """

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        self.low_, self.high_ = np.nanmin(X, axis=0, initial=np.inf), np.nanmax(X, axis=0, initial=-np.inf)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        return np.clip(X, self.low_, self.high_)


def _is_category(values: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values))


class DelinquencyModel(ClassifierMixin, BaseEstimator):
    """Calibrated probability that an invoice is paid late, from point-in-time features.

    ``fit(X, y)`` takes a feature frame (text or category columns become categories) or a
    numeric array, in time order, and 0/1 outcomes (any two labels work; the second class is "late");
    :meth:`fit_ledger` builds both from a ledger. ``predict_proba`` gives calibrated
    probabilities, :meth:`predict_ledger` scores the open invoices of a ledger.

    Parameters
    ----------
    method : {"auto", "gbm", "logistic"}
        Gradient-boosted trees, a logistic regression, or (default) the better of the two or a
        blend, chosen over time folds of the training window (see the module docstring).
    grace : int, default 0
        Days after the due date that still count as on time, used by :meth:`fit_ledger` and
        :meth:`predict_ledger` (``fit`` takes ``y`` as given).
    calibration : {"sigmoid", "isotonic", None}
        How probabilities are calibrated (see the module docstring).
    max_iter, learning_rate, max_leaf_nodes, l2_regularization, min_samples_leaf, early_stopping
        Of the gradient-boosted trees.
    monotone : bool, default True
        Constrain the trees so that a worse payment record never lowers the risk
        (:data:`MONOTONE`): fewer spurious wiggles on small histories, and drivers that read right.
    C : float
        Inverse regularization strength of the logistic regression.
    n_threads : int, optional
        Threads for the trees and the regression; default: the trees one below 100,000 rows, else
        all cores, the regression one.
    random_state : int
        Seed of every random step (early-stopping split, trees); results are reproducible.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"late_share": rng.random(400), "region": rng.choice(["East", "West"], 400)})
    >>> y = (rng.random(400) < X["late_share"]).astype(int)
    >>> model = DelinquencyModel(method="logistic").fit(X, y)
    >>> model.predict_proba(pd.DataFrame({"late_share": [0.05, 0.95], "region": ["East", "East"]}))[:, 1].round(1)
    array([0.1, 0.9])
    """

    def __init__(self, *, method: str = "auto", grace: int = 0, calibration: str | None = None,
                 max_iter: int = 100, learning_rate: float = 0.05, max_leaf_nodes: int = 4,
                 l2_regularization: float = 0.0, min_samples_leaf: int = 20, C: float = 1.0,
                 monotone: bool = True, early_stopping="auto", n_threads: int | None = None,
                 random_state: int = 0):
        self.method = method
        self.grace = grace
        self.calibration = calibration
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.min_samples_leaf = min_samples_leaf
        self.C = C
        self.monotone = monotone
        self.early_stopping = early_stopping
        self.n_threads = n_threads
        self.random_state = random_state

    def _check_parameters(self) -> None:
        """scikit-learn's rule: parameters are stored as given and checked at fit (ValueError)."""
        if self.method not in METHODS:
            raise ParameterError(f"method must be one of {', '.join(METHODS)}; got {self.method!r}")
        if self.calibration not in CALIBRATIONS:
            raise ParameterError(f"calibration must be 'sigmoid', 'isotonic' or None; got {self.calibration!r}")
        whole = {"grace": 0, "max_iter": 1, "max_leaf_nodes": 2, "min_samples_leaf": 1}
        for name, low in whole.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ParameterError(f"{name} must be a whole number of at least {low}; got {value!r}")
        for name, positive in (("learning_rate", True), ("C", True), ("l2_regularization", False)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value) \
                    or (value <= 0 if positive else value < 0):
                raise ParameterError(f"{name} must be a {'positive' if positive else 'non-negative'} number; "
                                     f"got {value!r}")
        if self.n_threads is not None and (not isinstance(self.n_threads, (int, np.integer)) or self.n_threads < 1):
            raise ParameterError(f"n_threads must be None or a whole number of at least 1; got {self.n_threads!r}")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags

    # ------------------------------------------------------------------------- inputs
    def _frame(self, X, *, reset: bool) -> pd.DataFrame:
        """Validate X and return it as a frame: categories as object text with NaN, numbers as float."""
        if isinstance(X, pd.DataFrame) and any(_is_category(X[c]) for c in X.columns):
            validate_data(self, X, skip_check_array=True, reset=reset)
            if not reset and X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                                 f"{self.n_features_in_} features as input")
            columns = {}
            for position, name in enumerate(X.columns):
                values = X[name]
                if _is_category(values):
                    columns[position] = values.astype(object).where(values.notna(), np.nan).to_numpy()
                else:
                    columns[position] = values.to_numpy(dtype=float, na_value=np.nan)
                    if np.isinf(columns[position]).any():
                        raise ValueError(f"Input X contains infinity in column {name!r}")
            return pd.DataFrame(columns)
        array = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        return pd.DataFrame(array)

    def _build(self, kind: str, categorical: list[int], n_features: int, binary: bool):
        numeric = [i for i in range(n_features) if i not in categorical]
        if kind == "gbm":
            names = [str(n) for n in getattr(self, "feature_names_in_", range(n_features))]
            order = categorical + numeric  # the encoder puts the categories first
            # Monotone constraints need one score, so two classes.
            monotone = [MONOTONE.get(names[i], 0) if self.monotone and binary else 0 for i in order]
            trees = HistGradientBoostingClassifier(
                monotonic_cst=monotone if any(monotone) else None, early_stopping=self.early_stopping,
                max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
                l2_regularization=self.l2_regularization, min_samples_leaf=self.min_samples_leaf,
                categorical_features=[True] * len(categorical) + [False] * len(numeric) if categorical else None,
                random_state=self.random_state)
            if not categorical:
                return trees
            encode = ColumnTransformer(
                [("categories", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                               encoded_missing_value=np.nan, max_categories=MAX_TREE_CATEGORIES),
                  categorical)], remainder="passthrough", sparse_threshold=0)
            return Pipeline([("encode", encode), ("trees", trees)])
        numbers = make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                                TrainingRange(), StandardScaler())
        parts = [("numbers", numbers, numeric)] if numeric else []
        if categorical:
            parts.append(("categories", OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_ONE_HOT,
                                                      sparse_output=False), categorical))
        return Pipeline([("encode", ColumnTransformer(parts, sparse_threshold=0)),
                         ("logistic", LogisticRegression(C=self.C, max_iter=2000))])

    # ---------------------------------------------------------------------- estimator
    def fit(self, X, y, fold_known=None):
        """Fit the model (and its calibration) on features ``X`` and outcomes ``y``; return self.

        With ``method="auto"`` the rows are taken to be in time order: time folds inside them
        choose the model (see the module docstring). ``fold_known`` (from :func:`fold_known`,
        which :meth:`fit_ledger` and :func:`arkit.risk.backtest` pass) says which rows' outcomes
        were known at each fold's cut: a fold trains on those only, as a model trained on that
        day would have. Without it every row before a cut is taken as known there.
        """
        self._check_parameters()
        frame = self._frame(X, reset=True)
        y = column_or_1d(np.asarray(y), warn=True)
        if len(y) != len(frame):
            raise ValueError(f"X has {len(frame)} rows but y has {len(y)}")
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"y has only one class ({classes[0]!r}): need both paid-on-time and late invoices")
        self.categorical_ = [i for i in frame.columns if _is_category(frame[i])]
        if fold_known is None:
            fold_known = np.ones((len(y), len(FOLD_CUTS)), dtype=bool)
        fold_known = np.asarray(fold_known, dtype=bool)
        if fold_known.shape != (len(y), len(FOLD_CUTS)):
            raise ValueError(f"fold_known must have shape ({len(y)}, {len(FOLD_CUTS)}); got {fold_known.shape}")
        if self.method == "auto":
            weights, validation = self._choose(frame, y, fold_known)
        else:
            weights, validation = {self.method: 1.0}, None
        self.weights_ = {kind: weight for kind, weight in weights.items() if weight > 0}
        advance(f"fitting {' and '.join(self.weights_)} on {len(frame):,} invoices")
        self.estimators_ = {kind: self._fit_kind(kind, frame, y) for kind in self.weights_}
        self.classes_ = classes
        self.n_iter_ = max(_iterations(fitted) for fitted in self.estimators_.values())
        chosen = next(iter(self.weights_)) if len(self.weights_) == 1 else "blend"
        self.card_ = {"method": self.method, "chosen": chosen, "weights": dict(self.weights_),
                      "calibration": self.calibration, "grace": self.grace,
                      "n_train": int(len(y)), "late_rate": float(np.mean(y == classes[-1])),
                      "features": [str(c) for c in getattr(self, "feature_names_in_", range(frame.shape[1]))]}
        if validation is not None:
            self.card_["validation"] = validation
        # Each feature's portfolio mean (numbers) or most common value (categories): the
        # reference that explanations compare an invoice to.
        self.reference_ = {}
        for position, name in enumerate(self.card_["features"]):
            values = frame[position]
            if position in self.categorical_:
                common = values.dropna().value_counts()
                self.reference_[name] = str(common.index[0]) if len(common) else None
            else:
                self.reference_[name] = float(np.nanmean(values)) if values.notna().any() else None
        return self

    def _fit_kind(self, kind: str, frame: pd.DataFrame, y: np.ndarray):
        """One kind of model ("gbm" or "logistic"), with its calibration, fitted on these rows."""
        classes, counts = np.unique(y, return_counts=True)
        model = self._build(kind, self.categorical_, frame.shape[1], binary=len(classes) == 2)
        folds = min(3, int(counts.min()))
        if self.calibration is not None and folds >= 2:
            model = CalibratedClassifierCV(model, method=self.calibration,
                                           cv=StratifiedKFold(folds, shuffle=True, random_state=self.random_state))
        with threadpool_limits(self._threads(len(frame), kind)):
            return model.fit(frame, y)

    def _choose(self, frame: pd.DataFrame, y: np.ndarray, fold_known: np.ndarray) -> tuple[dict[str, float], dict]:
        """Blend weights of the kinds, chosen over rolling-origin time folds, and the fold figures."""
        classes = np.unique(y)
        folds = fold_bounds(len(y))
        fitted = [np.flatnonzero(fold_known[:start, k])[-MAX_FOLD_ROWS:] for k, (start, _) in enumerate(folds)]
        enough = all(stop - start >= MIN_VALIDATION_ROWS and _has_classes(y[rows], classes)
                     and _has_classes(y[start:stop], classes) for rows, (start, stop) in zip(fitted, folds))
        if not enough:
            return {"gbm": 1.0}, {"folds": [{"n_fit": len(rows), "n_validate": stop - start}
                                            for rows, (start, stop) in zip(fitted, folds)],
                                  "note": f"too few rows to validate (need {MIN_VALIDATION_ROWS} in each scoring "
                                          f"slice and {MIN_VALIDATION_CLASS} of each class in it and before it): "
                                          "gradient-boosted trees"}
        weights = np.arange(BLEND_STEPS, -1, -1) / BLEND_STEPS         # 1 (trees) .. 0 (logistic)
        losses, scored = [], []
        for number, (rows, (start, stop)) in enumerate(zip(fitted, folds), 1):
            advance(f"choosing the model: fold {number} of {len(folds)}")
            early = frame.iloc[rows].reset_index(drop=True)
            later = frame.iloc[start:stop].reset_index(drop=True)
            p = {kind: self._fit_kind(kind, early, y[rows]).predict_proba(later) for kind in KINDS}
            losses.append([log_loss(y[start:stop], w * p["gbm"] + (1 - w) * p["logistic"], labels=classes)
                           for w in weights])
            scored.append((y[start:stop], p))
        weight = float(weights[simplest_within_noise(np.array(losses), weights)])
        fold_figures = []
        for rows, (start, stop), (later_y, p) in zip(fitted, folds, scored):
            blend = weight * p["gbm"] + (1 - weight) * p["logistic"]
            fold_figures.append({"n_fit": len(rows), "n_validate": stop - start, "chosen": _figures(later_y, blend, classes),
                                 **{kind: _figures(later_y, p[kind], classes) for kind in KINDS}})
        means = {key: {name: float(np.mean([fold[key][name] for fold in fold_figures])) for name in fold_figures[0][key]}
                 for key in (*KINDS, "chosen")}
        return {"gbm": weight, "logistic": round(1 - weight, 10)}, \
            {"n_validate": int(sum(stop - start for start, stop in folds)), **means, "folds": fold_figures}

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated class probabilities; column 1 is P(late) for 0/1 outcomes."""
        check_is_fitted(self)
        frame = self._frame(X, reset=False)
        with threadpool_limits(self._threads(len(frame))):
            return sum(weight * self.estimators_[kind].predict_proba(frame) for kind, weight in self.weights_.items())

    def _threads(self, n_rows: int, kind: str = "gbm") -> int | None:
        if self.n_threads is not None:
            return self.n_threads
        return 1 if n_rows < ONE_THREAD_BELOW or kind == "logistic" else None

    def predict(self, X) -> np.ndarray:
        """The more probable class of each row."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # ------------------------------------------------------------------------- ledgers
    def fit_ledger(self, ledger, before=None, *, extra=()) -> "DelinquencyModel":
        """Fit on the invoices of ``ledger`` whose outcome was known before the day ``before``.

        Features as of each invoice's date (:func:`arkit.risk.features`); the label as known at
        the end of the day before ``before`` (default: the latest date of the ledger), so an
        invoice still inside its terms then is left out. The card gets the data window.

        Examples
        --------
        >>> from arkit import load_ledger
        >>> from arkit.config import SAMPLES_DIR
        >>> model = DelinquencyModel(max_iter=20).fit_ledger(load_ledger(SAMPLES_DIR), before="2026-01-01")
        >>> model.card_["trained_on"], model.card_["n_train"]
        ('2024-11-01 .. 2025-12-16', 19144)
        """
        advance("features")
        rows, known_on = _rows_known_before(ledger, before, self.grace, extra)
        X, y = training_set(rows)
        if len(y) == 0 or y.min() == y.max():
            raise ArkitError(f"no invoices with both outcomes known before {known_on + dt.timedelta(days=1)} to "
                             "train on: give a later date or a longer history")
        known = rows[rows["late"].notna()]
        self.fit(X, y, fold_known=fold_known(known, self.grace))
        self.card_["trained_on"] = f"{known['doc_date'].min().date()} .. {known['doc_date'].max().date()}"
        self.card_["labels_known_on"] = str(known_on)
        self.card_["extra"] = list(extra_columns(ledger, extra))
        return self

    def predict_ledger(self, ledger, as_of=None, *, drivers: int = 0) -> pd.DataFrame:
        """The invoices open at the end of ``as_of``, each with ``p_late`` (from :func:`open_features`).

        Columns: the :data:`~arkit.risk.META_COLUMNS` but ``settled_date``, ``amount``,
        ``p_late``, and with ``drivers=n`` a ``drivers`` column: the top n reasons of the score
        in words (:func:`arkit.risk.explain`), joined by "; "; sorted by customer and document date.
        """
        check_is_fitted(self)
        advance("scoring")
        rows = open_features(ledger, as_of, grace=self.grace, extra=self.card_.get("extra", ()))
        X = _feature_columns(rows, self)
        out = rows[[c for c in META_COLUMNS if c != "settled_date"] + ["amount"]].copy()
        out["p_late"] = self.predict_proba(X)[:, -1]
        if drivers:
            from arkit.risk.drivers import explain

            texts = explain(self, X, top=drivers).groupby("row")["text"].agg("; ".join)
            out["drivers"] = texts.reindex(range(len(out)), fill_value="").to_numpy()
        return out

    # ---------------------------------------------------------------------- persistence
    def save(self, path) -> Path:
        """Write the model to ``path`` with skops, and its card beside it as ``<name>.card.json``."""
        import skops.io

        check_is_fitted(self)
        path = Path(path)
        skops.io.dump(self, path)
        card = path.with_name(path.stem + ".card.json")
        card.write_text(json.dumps(self.card_, indent=2, default=str) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path) -> "DelinquencyModel":
        """Read a model written by :meth:`save`; refuse files holding any type not in :data:`TRUSTED_TYPES`.

        The types are read from the file's skops schema before anything is built, then the file
        is loaded with ``skops.io.load(path, trusted=...)``: nothing is ever unpickled.

        Examples
        --------
        >>> import tempfile
        >>> X, y = pd.DataFrame({"late_share": [0.0, 0.1, 0.9, 1.0] * 5}), [0, 0, 1, 1] * 5
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = DelinquencyModel(method="logistic").fit(X, y).save(Path(tmp) / "model.skops")
        ...     model = DelinquencyModel.load(path)
        >>> model.predict(pd.DataFrame({"late_share": [0.0, 1.0]})).tolist()
        [0, 1]
        """
        import skops.io

        path = Path(path)
        if not path.is_file():
            raise ArkitError(f"{path}: no such model file; train one with `arkit risk train SOURCE -o FILE` "
                             "(in Python: DelinquencyModel().fit_ledger(ledger).save(path))")
        try:
            with zipfile.ZipFile(path) as archive:
                held = _types(json.loads(archive.read("schema.json")), set())
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise ArkitError(f"{path}: not a model file written by arkit (no skops schema: {error})") from None
        untrusted = sorted(held - set(TRUSTED_TYPES))
        if untrusted:
            raise ArkitError(f"{path}: refusing to load: it holds types arkit does not trust ({', '.join(untrusted)})")
        model = skops.io.load(path, trusted=sorted(held))
        if not isinstance(model, cls):
            raise ArkitError(f"{path}: holds a {type(model).__name__}, not a DelinquencyModel")
        return model


def _types(node, found: set[str]) -> set[str]:
    """Every ``module.class`` named in a skops schema."""
    if isinstance(node, dict):
        if "__module__" in node and "__class__" in node:
            found.add(f"{node['__module__']}.{node['__class__']}")
        for value in node.values():
            _types(value, found)
    elif isinstance(node, list):
        for value in node:
            _types(value, found)
    return found


def fold_bounds(n_rows: int) -> list[tuple[int, int]]:
    """The rolling-origin folds of ``n_rows`` rows in time order: (first scored row, end) of each.

    Fold k fits on rows ``0 .. first - 1`` and scores rows ``first .. end - 1``
    (:data:`FOLD_CUTS`); the last fold's slice ends with the last row.

    Examples
    --------
    >>> fold_bounds(1000)
    [(400, 600), (600, 800), (800, 1000)]
    """
    cuts = [int(round(n_rows * share)) for share in FOLD_CUTS] + [n_rows]
    return list(zip(cuts[:-1], cuts[1:]))


def fold_known(rows: pd.DataFrame, grace: int = 0) -> np.ndarray:
    """Which training rows had a known outcome at each fold's cut: a (rows, folds) boolean array.

    ``rows`` are the training rows in date order, each with a known outcome (those of
    :func:`arkit.risk.training_set`: ``doc_date``, ``due_date``, ``settled_date``). Fold k's cut
    is the document date of its first scored row (:func:`fold_bounds`); its training rows are
    labelled as known at the end of the day before (:func:`arkit.risk.labels`), as a model
    trained that day would have them: an invoice still inside its terms then is left out.

    Examples
    --------
    >>> rows = pd.DataFrame({"doc_date": pd.date_range("2026-01-01", periods=5, freq="10D"),
    ...                      "settled_date": pd.NaT})
    >>> rows["due_date"] = rows["doc_date"] + pd.Timedelta(days=15)
    >>> fold_bounds(5), fold_known(rows).astype(int).tolist()
    ([(2, 3), (3, 4), (4, 5)], [[1, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    """
    if len(rows) == 0:
        return np.zeros((0, len(FOLD_CUTS)), dtype=bool)
    doc = pd.to_datetime(rows["doc_date"]).reset_index(drop=True)
    cuts = [doc[min(start, len(doc) - 1)] - pd.Timedelta(days=1) for start, _ in fold_bounds(len(rows))]
    return np.column_stack([labels(rows, cut, grace).notna().to_numpy() for cut in cuts])


def simplest_within_noise(losses: np.ndarray, weights: np.ndarray) -> int:
    """Position of the weight kept: the logistic regression alone when within noise of the best, else the best.

    ``losses[k, j]`` is the log loss of weight ``weights[j]`` (1: trees alone, 0: the logistic
    regression alone) on fold k. With j* the lowest mean over folds, the regression alone is kept
    when the mean over folds of ``losses[:, 0-weight] - losses[:, j*]`` is at most its standard
    error over folds (std with ddof 1, over the square root of the number of folds); else j*.

    Examples
    --------
    >>> w = np.array([1.0, 0.5, 0.0])
    >>> int(simplest_within_noise(np.array([[0.50, 0.49, 0.52], [0.40, 0.39, 0.41], [0.45, 0.44, 0.47]]), w))
    1
    >>> int(simplest_within_noise(np.array([[0.50, 0.49, 0.48], [0.40, 0.39, 0.41], [0.45, 0.44, 0.45]]), w))
    2
    """
    mean = losses.mean(axis=0)
    best = int(np.argmin(mean))
    simplest = int(np.flatnonzero(weights == 0)[0])
    gap = losses[:, simplest] - losses[:, best]
    return simplest if gap.mean() <= gap.std(ddof=1) / np.sqrt(len(gap)) else best


def _has_classes(part: np.ndarray, classes: np.ndarray) -> bool:
    values, counts = np.unique(part, return_counts=True)
    return len(values) == len(classes) and counts.min() >= MIN_VALIDATION_CLASS


def _figures(y: np.ndarray, p: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    """Validation log loss, and ROC AUC with two classes."""
    figures = {"log_loss": float(log_loss(y, p, labels=classes))}
    if len(classes) == 2:
        figures["roc_auc"] = float(roc_auc_score(y == classes[1], p[:, 1]))
    return figures


def _iterations(fitted) -> int:
    """Boosting or solver iterations of the fitted model (the most over calibration folds)."""
    models = [c.estimator for c in fitted.calibrated_classifiers_] if isinstance(fitted, CalibratedClassifierCV) \
        else [fitted]
    last = [m.steps[-1][1] if isinstance(m, Pipeline) else m for m in models]
    return int(max(np.max(m.n_iter_) for m in last))


def _rows_known_before(ledger, before, grace: int, extra) -> tuple[pd.DataFrame, dt.date]:
    """Feature rows of the invoices dated before ``before``, labelled as known the day before it."""
    rows = features(ledger, grace=grace, extra=extra)
    if before is None:
        return rows, ledger.latest_date()
    known_on = to_date(before, "before") - dt.timedelta(days=1)
    rows = rows[rows["doc_date"].dt.date <= known_on].reset_index(drop=True)
    return rows.assign(late=labels(rows, known_on, grace)), known_on


def _feature_columns(rows: pd.DataFrame, model: DelinquencyModel) -> pd.DataFrame:
    names = list(model.feature_names_in_)
    missing = [n for n in names if n not in rows.columns]
    if missing:
        raise ArkitError(f"the model was trained with feature(s) {', '.join(missing)} that this ledger lacks; "
                         "load the same tables (customers, disputes, activities) as for training")
    return rows[names]
