"""`arkit risk backtest|train|score` and `arkit worklist` on the sample portfolio."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from source_tree import PROJECT_ROOT

from arkit.cli import main
from arkit.config import SAMPLES_DIR
from arkit.risk import DelinquencyModel
from arkit._worklist import worklist

SAMPLE = str(SAMPLES_DIR)
AS_OF = "2026-10-31"


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.skops"
    assert main(["risk", "train", SAMPLE, "--before", "2026-07-01", "-o", str(path)]) == 0
    return path


def test_backtest_json_has_the_model_and_both_baselines(capsys):
    assert main(["risk", "backtest", SAMPLE, "--split-date", "2026-03-01", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["n_train"], result["n_test"], result["split_date"]) == (21164, 11588, "2026-03-01")
    for key in ("roc_auc", "pr_auc", "brier", "log_loss", "top_decile_lift", "baseline_roc_auc", "rule_roc_auc"):
        assert 0 < result[key] < 10, key
    assert result["roc_auc"] > max(result["baseline_roc_auc"], result["rule_roc_auc"])
    assert result["brier"] < min(result["baseline_brier"], result["rule_brier"])
    assert sum(row["count"] for row in result["calibration"]) == result["n_test"]
    assert main(["risk", "backtest", SAMPLE, "--split-date", "2026-03-01", "--grace", "10"]) == 0
    table = capsys.readouterr().out  # 10 days of grace: fewer late, and fewer outcomes known yet
    assert "tested on 10,720 (30.0% late)" in table and "late-share rule" in table and "invoice fields alone" in table


def test_train_writes_a_model_and_its_card(model_file):
    card = json.loads(model_file.with_name("model.card.json").read_text())
    assert card["labels_known_on"] == "2026-06-30" and card["trained_on"].startswith("2024-11-01")
    assert DelinquencyModel.load(model_file).card_ == card


def test_score_lists_every_open_invoice_with_its_probability_and_drivers(model_file, capsys, sample_ledger):
    assert main(["risk", "score", SAMPLE, "--model", str(model_file), "--as-of", AS_OF, "--format", "csv"]) == 0
    scored = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"customer_id": str, "document_id": str})
    expected = DelinquencyModel.load(model_file).predict_ledger(sample_ledger, AS_OF)
    assert sorted(scored["document_id"]) == sorted(expected["document_id"])
    assert scored["p_late"].is_monotonic_decreasing and scored["p_late"].between(0, 1).all()
    p = expected.set_index("document_id")["p_late"]
    assert np.allclose(scored.set_index("document_id")["p_late"], p.loc[scored["document_id"]], atol=5e-5)
    riskiest = scored.iloc[0]
    assert "late" in riskiest["drivers"] and "portfolio" in riskiest["drivers"]
    assert scored["already_late"].dtype == bool


def test_worklist_with_a_model_adds_the_expected_amount_at_risk(model_file, capsys, sample_ledger):
    assert main(["worklist", SAMPLE, "--as-of", AS_OF, "--format", "csv", "--everyone"]) == 0
    plain = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"customer_id": str})
    assert main(["worklist", SAMPLE, "--as-of", AS_OF, "--model", str(model_file), "--format", "csv",
                 "--everyone"]) == 0
    scored = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"customer_id": str})
    assert scored["priority"].is_monotonic_decreasing
    assert plain["open_balance"].sum().round(2) == scored["open_balance"].sum().round(2)
    # The model only adds what is not yet due, at its probability: at risk = past due + sum(p x amount).
    scores = DelinquencyModel.load(model_file).predict_ledger(sample_ledger, AS_OF)
    expected = worklist(sample_ledger, AS_OF, scores=scores, everyone=True).set_index("customer_id")
    got = scored.set_index("customer_id")
    assert np.allclose(got["expected_at_risk"], expected.loc[got.index, "expected_at_risk"], atol=0.005)
    assert (got["expected_at_risk"] >= plain.set_index("customer_id").loc[got.index, "expected_at_risk"] - 0.005).all()
    assert got["expected_at_risk"].sum() > plain["expected_at_risk"].sum() + 1000
    assert set(got["action"].fillna("")) <= {"", "call", "credit hold", "agency referral", "write-off proposal",
                                             "dunning letter 1", "dunning letter 2", "dunning letter 3"}


def test_a_missing_or_foreign_model_file_is_one_line(tmp_path, capsys):
    assert main(["worklist", SAMPLE, "--model", str(tmp_path / "none.skops")]) == 1
    assert "no such model file; train one with `arkit risk train" in capsys.readouterr().err
    (tmp_path / "junk.skops").write_text("junk")
    assert main(["risk", "score", SAMPLE, "--model", str(tmp_path / "junk.skops")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("arkit: error:") and "not a model file" in err and "Traceback" not in err


def test_backtest_says_which_model_the_training_window_chose(capsys):
    assert main(["risk", "backtest", SAMPLE, "--split-date", "2026-06-01", "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    for method in ("gbm", "logistic"):
        assert main(["risk", "backtest", SAMPLE, "--split-date", "2026-06-01", "--json", "--method", method]) == 0
        single = json.loads(capsys.readouterr().out)
        assert default["roc_auc"] >= single["roc_auc"] - 0.006, method    # the noise margin of tests/test_risk.py
    assert main(["risk", "backtest", SAMPLE, "--split-date", "2026-03-01"]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line == ("model: 0.8 x gradient-boosted trees + 0.2 x logistic regression, chosen over 3 time folds "
                    "of the latest 12,698 training invoices (mean ROC AUC there: trees 0.872, logistic 0.858, "
                    "blend 0.872)")
    # Known limit (README): from 2026-03-01 the regression does better (0.883 against 0.863 for the
    # trees, 0.870 for this blend), though on each of the window's three folds the trees had the lower
    # log loss: a shift between periods no choice made inside the window can see.
    assert main(["risk", "backtest", SAMPLE, "--split-date", "2026-03-01", "--json", "--method", "logistic"]) == 0
    assert json.loads(capsys.readouterr().out)["roc_auc"] > 0.88


IBM = PROJECT_ROOT.parent / "shared" / "datasets" / "ibm-accounts-receivable" / "WA_Fn-UseC_-Accounts-Receivable.csv"


def test_the_readme_ibm_backtest_reaches_its_target_without_extra(capsys):
    if not IBM.is_file():
        pytest.skip(f"public IBM dataset not found at {IBM} (it lives beside the repo, in ../shared)")
    assert main(["risk", "backtest", str(IBM), "--preset", "ibm-late-payments", "--split-date", "2013-04-01",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["roc_auc"] >= 0.94 and (result["n_train"], result["n_test"]) == (1494, 872)
