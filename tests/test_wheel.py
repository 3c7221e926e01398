"""The wheel works installed: built from the repo, installed into a new venv outside the source
tree, its `arkit` writes the sample, ages it, computes KPIs and serves the triage dashboard.

The new venv borrows the dependencies already installed in this one instead of downloading
them again (hundreds of MB): a ``.pth`` file puts a folder of symlinks on its path, one per
entry of this venv's site-packages except arkit itself (this venv's arkit is an editable
install of the source tree, which must not leak in) and pip. ``pip install --no-index`` then
finds every requirement of the wheel already satisfied, and fails rather than download one
that is missing. (``venv --system-site-packages`` would reuse the base Python's packages, not
this venv's.) Voila's templates and the widgets' front end are data files under
``share/jupyter``, so the venv links that folder too, as a real install would have it.
"""

import filecmp
import io
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from browser import ERROR_TEXT, free_port
from source_tree import PROJECT_ROOT

from arkit.cli import main
from arkit.config import SAMPLES_DIR

pytestmark = pytest.mark.slow

SHARED = Path(sysconfig.get_paths()["purelib"])


def _borrowed(entry: Path) -> bool:
    """Whether the new venv reuses this entry of our site-packages: not arkit, pip or .pth files."""
    if entry.suffix == ".pth" or entry.name.startswith("__editable__"):
        return False
    return entry.name.split("-")[0] not in ("arkit", "pip", "__pycache__")


def _run(command, cwd, env, **kwargs):
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A venv outside the repo with the wheel installed; yields its bin folder, a cwd and an env."""
    root = tmp_path_factory.mktemp("wheel")
    assert PROJECT_ROOT not in root.parents
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("ARKIT_")}
    # Build from a copy: pip builds in the source folder, and a stale build/ there could leak
    # files of removed modules into the wheel.
    source = root / "source"
    shutil.copytree(PROJECT_ROOT / "arkit", source / "arkit", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(root / "dist"),
          str(source)], root, env)
    [wheel] = (root / "dist").glob("arkit-*.whl")

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], root, env)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     root, env).stdout.strip())
    deps = root / "deps"
    deps.mkdir()
    for entry in SHARED.iterdir():
        if _borrowed(entry):
            (deps / entry.name).symlink_to(entry)
    (site / "shared-dependencies.pth").write_text(f"{deps}\n")
    for data in ("share/jupyter", "etc/jupyter"):
        if (Path(sys.prefix) / data).is_dir():
            (venv / data).parent.mkdir(parents=True, exist_ok=True)
            (venv / data).symlink_to(Path(sys.prefix) / data)
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-index", str(wheel)], root, env)

    work = root / "work"
    work.mkdir()
    yield venv / "bin", work, env


def test_installed_arkit_is_the_wheel_with_its_data(installed):
    bin_, work, env = installed
    code = "import arkit, arkit.config as c; print(arkit.__file__); print(c.SAMPLES_DIR); print(c.TRIAGE_NOTEBOOK)"
    module, samples, notebook = _run([str(bin_ / "python"), "-c", code], work, env).stdout.splitlines()
    package = Path(module).parent
    assert package.parents[3] == bin_.parent  # venv/lib/pythonX.Y/site-packages/arkit
    assert Path(samples) == package / "data" / "samples"
    assert Path(notebook) == package / "dashboards" / "notebooks" / "01-portfolio-triage.ipynb"
    assert Path(notebook).is_file()
    shipped = sorted(p.relative_to(samples).as_posix() for p in Path(samples).rglob("*.csv"))
    assert shipped == sorted(p.relative_to(SAMPLES_DIR).as_posix() for p in SAMPLES_DIR.rglob("*.csv"))


def test_sample_aging_and_kpis_match_the_source_tree(installed, capsys, sample_ledger):
    bin_, work, env = installed
    _run([str(bin_ / "arkit"), "sample", "--out", "portfolio"], work, env)
    written = sorted(p.relative_to(work / "portfolio").as_posix() for p in (work / "portfolio").rglob("*.csv"))
    match, differ, missing = filecmp.cmpfiles(work / "portfolio", SAMPLES_DIR, written, shallow=False)
    assert (differ, missing) == ([], []) and len(match) == 10  # the bundled sample is seed 7, the default

    aging = ["aging", "portfolio", "--as-of", "2026-10-31", "--by", "customer_id", "--format", "csv"]
    installed_csv = _run([str(bin_ / "arkit"), *aging], work, env).stdout
    assert main([*aging[:1], str(SAMPLES_DIR), *aging[2:]]) == 0
    assert installed_csv == capsys.readouterr().out
    open_items = sample_ledger.items[sample_ledger.items["closed_date"].isna()]
    aged = pd.read_csv(io.StringIO(installed_csv), dtype={"customer_id": str})
    assert set(aged["customer_id"]) == set(open_items["customer_id"])

    kpis = ["kpis", "portfolio", "--as-of", "2026-10-31", "--months", "3", "--format", "csv"]
    installed_csv = _run([str(bin_ / "arkit"), *kpis], work, env).stdout
    assert main([*kpis[:1], str(SAMPLES_DIR), *kpis[2:]]) == 0
    assert installed_csv == capsys.readouterr().out
    assert pd.read_csv(io.StringIO(installed_csv))["period_end"].tolist() == ["2026-08-31", "2026-09-30",
                                                                              "2026-10-31"]


def _venv_processes(venv: Path) -> list[str]:
    """Command lines of running processes started from ``venv`` (the server, Voila, kernels)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmdline.startswith(str(venv)):
            found.append(cmdline)
    return found


def test_dashboard_serves_the_bundled_sample_and_stops(installed, tmp_path):
    bin_, work, env = installed
    port = free_port()
    log_path = tmp_path / "dashboard.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(bin_ / "arkit"), "dashboard", "--host", "127.0.0.1", "--port", str(port)],
                                  cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120) as response:
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the dashboard did not answer:\n" + log_path.read_text()
                time.sleep(0.5)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    assert status == 200
    assert "<title>01-portfolio-triage" in body
    assert "TriageDashboard(children=" in body and "arkit-tile" in body  # the notebook ran, the widget is shown
    assert ERROR_TEXT not in body and "Traceback" not in body
    log = log_path.read_text()
    assert log.startswith("arkit: serving Ledger(currency='USD', items=65565, customers=1250,")
    assert "Kernel shutdown" in log
    deadline = time.monotonic() + 30
    while _venv_processes(bin_.parent) and time.monotonic() < deadline:  # Voila stops its kernels
        time.sleep(0.5)
    assert _venv_processes(bin_.parent) == []
