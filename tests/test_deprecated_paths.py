"""Old import paths keep working for one release, with a deprecation warning."""

import importlib
import sys

import pytest


def _fresh_import(name: str):
    sys.modules.pop(name, None)
    return importlib.import_module(name)


def test_arkit_bank_warns_and_gives_the_same_functions():
    from arkit.loaders import bank

    with pytest.warns(DeprecationWarning, match="arkit.loaders.bank"):
        old = _fresh_import("arkit.bank")
    assert old.read_payments is bank.read_payments
    assert old.read_camt053 is bank.read_camt053 and old.read_bai2 is bank.read_bai2
