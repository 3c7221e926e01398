"""The public API: every name of ``arkit.__all__`` resolves, and ``import arkit`` stays light."""

import json
import subprocess
import sys

import arkit
from tests.source_tree import PROJECT_ROOT


def test_every_public_name_resolves_to_the_object_of_its_module():
    from arkit._kpis import kpis
    from arkit._reconcile import reconcile
    from arkit.aging import age
    from arkit.loaders.bank import read_payments

    for name in arkit.__all__:
        assert getattr(arkit, name) is not None, name
    assert arkit.kpis is kpis and arkit.reconcile is reconcile and arkit.age is age
    assert arkit.read_payments is read_payments
    assert set(arkit.__all__) <= set(dir(arkit))


def test_unknown_names_raise_attribute_error():
    try:
        arkit.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("arkit.no_such_thing resolved")


def test_import_arkit_does_not_import_the_heavy_libraries():
    code = ("import sys, json, arkit; print(json.dumps(sorted(m for m in ('sqlalchemy', 'voila', 'matplotlib', "
            "'sklearn', 'openpyxl', 'fpdf', 'duckdb', 'polars') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert json.loads(out.stdout) == []
    code = "import sys, arkit; arkit.load; print('sqlalchemy' in sys.modules, 'voila' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert out.stdout.split() == ["True", "False"]  # SQL sources are read by the loaders: loaded with them
