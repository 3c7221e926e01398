"""Mutation testing of the core analytics (`make mutation`): mutmut, then the kill rate per module.

mutmut (configured under [tool.mutmut] in pyproject.toml) copies arkit to ``mutants/``, makes
one-line changes (mutants) to the functions of the modules it is told to mutate, and runs, for
each mutant, only the tests that call the mutated function (it records which do in a first
run), from the fast by-hand test files. A mutant that no test fails on *survived*: either a test
is missing, or the change is equivalent (docs/MUTATION.md lists which, and why).

The run is restricted to the functions that compute figures (TARGETS below); plumbing such as
error messages, frame conversion and argument checks is left out, to keep a run near 40 minutes
on two cores.

Usage::

    python scripts/mutation.py                      # every target, then the kill rates
    python scripts/mutation.py "arkit.aging.x__age*" # one function (mutmut's names, * allowed)
    python scripts/mutation.py --minutes 40          # stop after 40 minutes, report what ran
    python scripts/mutation.py --report              # only the report of the last run

Kill rate = (killed + timed out) / mutants checked. Survivors are listed with their names;
``mutmut show NAME`` prints the change.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = [sys.executable, "-m", "mutmut"]

# The functions of the core analytics whose mutants are run (mutmut names: module.x_function).
TARGETS = {
    "arkit.aging": ["bucket_labels", "_age", "_open_cents", "_applied", "_fx_rates_on", "_summarize",
                    "_summarize_days", "_sum_buckets", "sum_money"],
    "arkit._kpis": ["aging_kpis", "rank_past_due", "compute_kpis", "_ratio", "_settlements", "_monthly_figures",
                   "period_kpis"],
    "arkit.cashapp": ["_by_references", "_by_amount", "_subsets", "_oldest_first"],
    "arkit.risk.point_in_time": ["_compute", "open_features", "features", "_label", "_ratio", "xǁ_Timelineǁbefore",
                                 "xǁ_Timelineǁbounds", "xǁ_Timelineǁtotal"],
    "arkit.monthly": ["month_ends", "with_month_key", "_events", "_running", "aging_trend", "monthly_activity"],
}
KILLED = {"killed", "timeout", "caught by type check"}
NOT_KILLED = {"survived", "no tests", "suspicious", "segfault"}
# mutmut's name of a function: x_name for a function, xǁClassǁmethod for a method.
_NAME = re.compile(r"^(?P<module>.+?)\.(?P<function>x_[^.]+|xǁ[^.]+)__mutmut_\d+$")


def patterns() -> list[str]:
    out = []
    for module, functions in TARGETS.items():
        for function in functions:
            mangled = function if function.startswith("xǁ") else f"x_{function}"
            out.append(f"{module}.{mangled}__mutmut_*")
    return out


def run(selected: list[str], minutes: float | None, children: int) -> int:
    """Run mutmut on the selected mutants; on the time limit, interrupt it as Ctrl-C would."""
    command = [*MUTMUT, "run", "--max-children", str(children), *selected]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    try:
        return process.wait(timeout=None if minutes is None else minutes * 60)
    except subprocess.TimeoutExpired:
        print(f"\nmutation: {minutes:g} minutes are up; stopping mutmut (mutants not reached stay unchecked)")
        os.killpg(process.pid, signal.SIGINT)
        try:
            return process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait()
    except KeyboardInterrupt:
        os.killpg(process.pid, signal.SIGINT)
        return process.wait()


def results() -> dict[str, str]:
    """Every mutant's status, from ``mutmut results --all true``."""
    out = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True)
    statuses = {}
    for line in out.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and _NAME.match(name):
            statuses[name] = status
    return statuses


def report(statuses: dict[str, str], selected: list[str]) -> float | None:
    chosen = {n: s for n, s in statuses.items() if any(fnmatch.fnmatchcase(n, p) for p in selected)}
    per_module: dict[str, Counter] = {}
    survivors = []
    for name, status in sorted(chosen.items()):
        module = _NAME.match(name)["module"]
        per_module.setdefault(module, Counter())[status] += 1
        if status in NOT_KILLED:
            survivors.append(f"  {status:>9}  {name}")
    print(f"\n{'module':<26} {'mutants':>7} {'checked':>7} {'killed':>7} {'timeout':>7} {'survived':>8} "
          f"{'no tests':>8} {'kill rate':>9}")
    total = Counter()
    for module, counts in sorted(per_module.items()):
        total.update(counts)
        print(_row(module, counts))
    if len(per_module) > 1:
        print(_row("all", total))
    if survivors:
        print(f"\n{len(survivors)} mutant(s) not killed (`mutmut show NAME` prints one):")
        print("\n".join(survivors))
    return _rate(total)


def _checked(counts: Counter) -> int:
    return sum(v for k, v in counts.items() if k not in ("not checked", "skipped", "check was interrupted by user"))


def _rate(counts: Counter) -> float | None:
    checked = _checked(counts)
    return sum(counts[k] for k in KILLED) / checked * 100 if checked else None


def _row(module: str, counts: Counter) -> str:
    rate = _rate(counts)
    return (f"{module:<26} {sum(counts.values()):>7} {_checked(counts):>7} {counts['killed']:>7} {counts['timeout']:>7} "
            f"{counts['survived']:>8} {counts['no tests']:>8} {'-' if rate is None else f'{rate:.1f}%':>9}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mutants", nargs="*", help="mutmut names or patterns (default: every target)")
    parser.add_argument("--minutes", type=float, help="stop after this many minutes and report what ran")
    parser.add_argument("--children", type=int, default=1, help="parallel workers (the machine is often shared)")
    parser.add_argument("--report", action="store_true", help="only print the report of the last run")
    parser.add_argument("--survivors", action="store_true",
                        help="rerun only the selected mutants that were not killed (after adding tests)")
    args = parser.parse_args(argv)
    selected = args.mutants or patterns()
    if not args.report:
        names = selected
        if args.survivors:  # a killed mutant stays killed when tests are added: rerun the others only
            names = [n for n, status in results().items() if status in NOT_KILLED
                     and any(fnmatch.fnmatchcase(n, p) for p in selected)]
            print(f"mutation: rerunning {len(names)} mutant(s) not killed last time")
        code = run(names, args.minutes, args.children) if names else 0
        if code not in (0, -signal.SIGINT, 130):
            print(f"mutation: mutmut stopped with exit code {code}", file=sys.stderr)
    rate = report(results(), selected)
    print(f"\nkill rate: {'-' if rate is None else f'{rate:.1f}%'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
