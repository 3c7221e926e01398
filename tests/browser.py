"""Helpers of the browser tests: serve a notebook through Voila, and Debian's Chromium for Playwright."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from source_tree import PROJECT_ROOT

from arkit.config import NOTEBOOKS_DIR

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ERROR_TEXT = "There was an error when executing cell"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(command: list[str], port: int, log_path, **popen):
    """Run a server command until its port answers (90 s at most); yield its URL; stop it."""
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen)
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    os.killpg(server.pid, signal.SIGTERM) if server.poll() is None else None
                    pytest.fail(f"the server did not start; see {log_path}")
                time.sleep(0.3)
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def chromium_path() -> str:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: run scripts/install-test-deps.sh (make test does)"
    return chromium


@contextlib.contextmanager
def serve_notebook(name: str, log_folder):
    """Serve ``arkit/dashboards/notebooks/<name>`` through Voila on a free port, on the bundled
    sample (the ``ARKIT_*`` variables that name another ledger or payments file are left out);
    yield its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("ARKIT_LEDGER", "ARKIT_LOAD_OPTIONS", "ARKIT_PAYMENTS")}
    command = [sys.executable, "-m", "voila", str(NOTEBOOKS_DIR / name), "--port", str(port), "--no-browser"]
    with serve(command, port, log_folder / "voila.log", cwd=PROJECT_ROOT, env=env) as url:
        yield url


@contextlib.contextmanager
def browser_page(url: str, timeout: int = 180_000):
    """A page of Debian's Chromium (headless, 1400 x 1000) opened at ``url``; the browser closes after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, timeout=timeout)
            yield page
        finally:
            browser.close()
