"""Time budgets for symbolic steps: nothing SymPy does on user input may hang.

A budget is a POSIX interval timer whose signal raises
:class:`~symgraph.errors.TimeBudgetError` in the middle of whatever Python
code is running (SymPy is pure Python, so its work stops within moments).
Signals reach only the main thread, and not every platform has the timer:
elsewhere a budgeted step does not run at all, and callers report that as
their evidence (:func:`available` says which).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import TimeBudgetError

__all__ = ["available", "time_budget"]


class _Expired(BaseException):
    """Raised by the timer inside the budgeted code: a BaseException, so no
    ``except Exception`` in SymPy (or in our own bridge) can swallow it; the
    budget turns it into a TimeBudgetError where the block ends."""


def available() -> bool:
    """True when a budget can interrupt work here (POSIX timer, main thread)."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )


@contextmanager
def time_budget(seconds: float, what: str) -> Iterator[None]:
    """Run the block for at most ``seconds``; past it, raise TimeBudgetError.

    Raises
    ------
    TimeBudgetError
        When the budget runs out (names ``what`` and the budget), or at once
        when no budget can be kept here (see :func:`available`).
    """
    if not available():
        raise TimeBudgetError(
            f"{what}: no time budget can be kept outside the main thread"
        )
    if seconds <= 0:
        raise TimeBudgetError(f"{what}: the time budget is {seconds} s")

    def expire(signum, frame):
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    start = time.monotonic()
    outer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise TimeBudgetError(
            f"{what} ran out of its {seconds:g} s time budget"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0] > 0:  # an enclosing timer keeps what it had left
            left = outer[0] - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), outer[1])
