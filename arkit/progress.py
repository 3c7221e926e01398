"""Progress on stderr for long work, shown only to a person watching a terminal.

One-line hooks for the library: ``for x in tracked(xs, "reading files"):`` counts a loop,
``advance("fitting the model")`` names the stage reached (a pass of cash application, a step
of a load or a backtest). Nothing is shown, and tqdm is not even imported, unless stderr is a
terminal: pipes, files, CI logs and notebooks get no stray output. ``disable()`` (the CLI's
``--no-progress``), ``ARKIT_PROGRESS=0`` or ``TERM=dumb`` turn it off. The bars carry no colour,
so ``NO_COLOR`` is honoured as it is.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterable, Iterator

from arkit.rendering.text import printable

__all__ = ["enabled", "disable", "task", "tracked", "advance", "write"]

_open: list = []  # the bars on screen now, innermost last
_disabled = False


def disable(off: bool = True) -> None:
    """Turn progress off (or back on) for this process, e.g. for ``--no-progress``."""
    global _disabled
    _disabled = off


def enabled() -> bool:
    """Whether progress is shown: stderr is a terminal and nothing turned it off.

    Examples
    --------
    >>> enabled()  # doctests write to a pipe, not a terminal
    False
    """
    if _disabled or os.environ.get("ARKIT_PROGRESS") == "0" or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


class _NoBar:
    """What :func:`task` yields when nothing is shown: every bar method, doing nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


@contextlib.contextmanager
def task(description: str, total: int | None = None, unit: str = "step"):
    """A progress bar on stderr for the work in the block (a no-op bar when not shown).

    Examples
    --------
    >>> with task("loading", total=2) as bar:
    ...     bar.update()
    """
    if not enabled():
        yield _NoBar()
        return
    from tqdm import tqdm

    # A terminal that reports no size (some containers' pseudo-terminals) still gets its bars.
    size = shutil.get_terminal_size()
    bar = tqdm(total=total, desc=printable(description), unit=unit, file=sys.stderr, leave=False,
               position=len(_open), ncols=size.columns, nrows=size.lines, mininterval=0.2,
               delay=0.3)  # work done in a blink shows no bar at all
    _open.append(bar)
    try:
        yield bar
    finally:
        _open.remove(bar)
        bar.close()


def tracked(items: Iterable, description: str, total: int | None = None, unit: str = "step") -> Iterator:
    """``items``, one by one, counted on a bar of their own.

    Examples
    --------
    >>> [month for month in tracked(["2026-01", "2026-02"], "months")]
    ['2026-01', '2026-02']
    """
    if not enabled():
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)
    with task(description, total, unit) as bar:
        for item in items:
            yield item
            bar.update()


def advance(stage: str) -> None:
    """Name the stage the work has reached on the innermost bar; a bar of stages counts it.

    Examples
    --------
    >>> advance("exact references")  # no bar open: nothing happens
    """
    if not _open:
        return
    bar = _open[-1]
    bar.set_postfix_str(printable(stage), refresh=False)
    bar.update(1 if bar.total is None else 0)


def write(text: str, stream=None) -> None:
    """Write ``text`` to ``stream`` (stderr by default) without tearing the bars on screen."""
    stream = stream or sys.stderr
    if not _open:
        stream.write(text)
        return
    from tqdm import tqdm

    with tqdm.external_write_mode(file=sys.stderr):
        stream.write(text)
        stream.flush()
