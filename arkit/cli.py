"""The ``arkit`` command: ``sample``, ``aging`` and ``dashboard``.

Errors in the input print one line (``arkit: error: ...``) and exit 1; no traceback reaches
the user unless ``ARKIT_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from arkit.aging import DEFAULT_BUCKETS, aging_summary
from arkit.config import SAMPLES_DIR, TRIAGE_NOTEBOOK
from arkit.errors import ArkitError
from arkit.export import protect_formulas
from arkit.loaders import load_ledger

__all__ = ["main", "build_parser"]


def _buckets(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bucket edges are whole days separated by commas, e.g. 30,60,90; got {text!r}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arkit", description="Accounts-receivable analytics.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sample = commands.add_parser("sample", help="write the seeded sample portfolio as canonical CSVs")
    sample.add_argument("--out", required=True, type=Path, help="folder to write (created if missing)")
    sample.add_argument("--seed", type=int, default=7, help="random seed (default 7, the committed sample)")

    aging = commands.add_parser("aging", help="aging summary of a ledger by any column")
    aging.add_argument("source", help="a folder of canonical CSVs or one items CSV")
    aging.add_argument("--as-of", help="aging date YYYY-MM-DD (default: the latest date in the data)")
    aging.add_argument("--by", default="customer_id", help="column(s) to group by, comma-separated (default customer_id)")
    aging.add_argument("--basis", choices=("due", "document"), default="due", help="age from due date or document date")
    aging.add_argument("--buckets", type=_buckets, default=DEFAULT_BUCKETS, help="bucket edges in days (default 30,60,90,120)")
    aging.add_argument("--currency", help="convert to this currency with the ledger's fx_rates (default: document currency)")
    aging.add_argument("--format", choices=("table", "csv", "json"), default="table")
    aging.add_argument("-o", "--output", type=Path, help="write to this file instead of the screen")

    dashboard = commands.add_parser("dashboard", help="serve the portfolio triage dashboard through Voila")
    dashboard.add_argument("source", nargs="?", default=str(SAMPLES_DIR), help="ledger to show (default: the sample)")
    dashboard.add_argument("--port", type=int, default=8866)
    dashboard.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    return parser


def _render(frame: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return protect_formulas(frame).to_csv(index=False, lineterminator="\n", float_format="%.2f")
    if fmt == "json":
        return frame.to_json(orient="records", double_precision=2, indent=1) + "\n"
    money = {c: "{:,.2f}".format for c in frame.columns if pd.api.types.is_float_dtype(frame[c])}
    return frame.to_string(index=False, formatters=money) + "\n"


def _aging(args) -> int:
    ledger = load_ledger(args.source)
    by = [part.strip() for part in args.by.split(",") if part.strip()] or None
    summary = aging_summary(ledger, args.as_of, by, basis=args.basis, buckets=args.buckets, currency=args.currency)
    text = _render(summary, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {len(summary)} rows to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _sample(args) -> int:
    from arkit.sample import write_sample

    paths = write_sample(args.out, seed=args.seed)
    print(f"wrote {len(paths)} files to {args.out}", file=sys.stderr)
    return 0


def voila_command(notebook: Path, host: str, port: int) -> list[str]:
    """The Voila command line that serves ``notebook``.

    Sources hidden, no tracebacks in the page, one kernel kept preheated (the notebook has
    already run when a browser asks, so the page opens at once), idle kernels culled.
    """
    return [
        sys.executable, "-m", "voila", str(notebook),
        f"--Voila.ip={host}", f"--port={port}", "--no-browser",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.preheat_kernel=True", "--VoilaConfiguration.default_pool_size=1",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_idle_timeout=1800",
    ]


def _dashboard(args) -> int:
    ledger_path = Path(args.source).resolve()
    ledger = load_ledger(ledger_path)  # fail here, in one line, rather than inside the page
    env = dict(os.environ, ARKIT_LEDGER=str(ledger_path))
    print(f"arkit: serving {ledger!r} from {ledger_path} on http://{args.host}:{args.port}/", file=sys.stderr)
    return subprocess.call(voila_command(TRIAGE_NOTEBOOK, args.host, args.port), env=env)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"sample": _sample, "aging": _aging, "dashboard": _dashboard}[args.command]
    try:
        return handler(args)
    except ArkitError as exc:
        print(f"arkit: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours, not the user's: one line, and how to see more
        if os.environ.get("ARKIT_DEBUG"):
            raise
        print(f"arkit: unexpected error: {type(exc).__name__}: {exc} (set ARKIT_DEBUG=1 for details)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
