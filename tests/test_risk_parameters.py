"""DelinquencyModel follows scikit-learn's estimator rules: keyword-only, stored as given, checked at fit."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from arkit import ArkitError
from arkit.risk import DelinquencyModel


def _data(n=60):
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"late_share": rng.random(n)})
    return X, (X["late_share"] > 0.5).astype(int).to_numpy()


def test_parameters_are_keyword_only_and_stored_unchanged():
    with pytest.raises(TypeError):
        DelinquencyModel("gbm")  # noqa: the point of the test
    model = DelinquencyModel(method="logistic", C=-1.0, max_iter=0)  # bad, but only fit checks
    assert model.get_params()["C"] == -1.0 and model.get_params()["max_iter"] == 0
    assert clone(model).get_params() == model.get_params()


@pytest.mark.parametrize("name, value", [("method", "forest"), ("calibration", "platt"), ("grace", -1),
                                         ("max_iter", 0), ("max_leaf_nodes", 1), ("min_samples_leaf", 0.5),
                                         ("learning_rate", 0), ("C", float("nan")), ("l2_regularization", -0.1),
                                         ("n_threads", 0), ("grace", True)])
def test_a_bad_parameter_is_a_value_error_naming_it_at_fit(name, value):
    X, y = _data()
    model = DelinquencyModel(**{name: value})
    with pytest.raises(ValueError, match=f"^{name} must be") as caught:
        model.fit(X, y)
    assert isinstance(caught.value, ArkitError)  # the CLI prints it as one line


def test_good_parameters_at_their_limits_fit():
    X, y = _data()
    DelinquencyModel(method="logistic", grace=0, C=1e-3).fit(X, y)
    DelinquencyModel(method="gbm", max_iter=1, max_leaf_nodes=2, min_samples_leaf=1, l2_regularization=0,
                     n_threads=1).fit(X, y)
