"""Each preset loads a realistic export of its ERP (tests/data/exports, see its README) exactly."""

import json
from collections import Counter
from decimal import Decimal

import pytest

from source_tree import PROJECT_ROOT

from arkit import load

EXPORTS = PROJECT_ROOT / "tests" / "data" / "exports"
CASES = json.loads((EXPORTS / "expected.json").read_text())["exports"]


@pytest.mark.parametrize("case", CASES, ids=[c["preset"] for c in CASES])
def test_preset_loads_its_example_export(case):
    result = load(EXPORTS / case["file"], preset=case["preset"])
    items, report = result.ledger.items, result.report
    assert (report.rows_loaded, report.rows_rejected, len(report.skipped)) == (
        case["rows_loaded"], case["rows_rejected"], case["rows_skipped"]), report
    assert round(items["amount"].sum() * 100) == int(Decimal(case["amount_loaded"]) * 100)
    if "open_amount_loaded" in case:
        assert round(items["open_amount"].sum() * 100) == int(Decimal(case["open_amount_loaded"]) * 100)
    assert items["customer_id"].nunique() == case["customers"]
    assert items["document_id"].iloc[0] == case["first_document_id"]
    assert dict(Counter(items["doc_type"])) == case["doc_types"]
