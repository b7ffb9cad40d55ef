"""The verdicts of ``sg.verify`` and the evidence they rest on: the result
object, and how it prints (the verdict first, then the counterexample or
what was tried)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["NO_COUNTEREXAMPLE", "PROVED", "WRONG", "Evidence", "VerifyResult"]

PROVED, WRONG, NO_COUNTEREXAMPLE = "proved", "wrong", "no counterexample"


@dataclass
class Evidence:
    """What a verdict rests on.

    ``points`` compared (finite everywhere), ``tried`` drawn, ``ranges`` in
    words; ``symbolic`` says what SymPy did (proved it, found a non-zero
    difference, ran out of its ``budget`` seconds, or did not run and why);
    ``rounding`` counts float-precision disagreements that high precision
    showed to be rounding.
    """

    points: int = 0
    tried: int = 0
    ranges: str = ""
    symbolic: str = ""
    budget: float = 0.0
    rounding: int = 0
    counts: dict = field(default_factory=dict)


@dataclass
class VerifyResult:
    """Result of :func:`verify`.

    ``verdict`` is ``"proved"``, ``"wrong"`` or ``"no counterexample"``;
    ``correct`` is True for the first and the last; ``counterexample`` is set
    only when wrong: ``{"point": {name: float}, "claimed": ..., "actual":
    ..., "difference": ...}`` (claimed minus actual), the values computed at
    60 digits (a list per variable when several were given). ``evidence``
    says what the verdict rests on. ``shown`` is the derivative as printed
    (simplified, when wrong); ``derivative`` the DAG as built.
    """

    verdict: str
    counterexample: dict | None
    derivative: list
    claim: list
    evidence: Evidence
    names: list = field(default_factory=list)
    shown: list | None = None

    @property
    def correct(self) -> bool:
        return self.verdict != WRONG

    @property
    def method(self) -> str:
        """``"symbolic"`` for a proof, ``"numeric"`` otherwise."""
        return "symbolic" if self.verdict == PROVED else "numeric"

    def __str__(self) -> str:
        ev = self.evidence
        if self.verdict == PROVED:
            return "proved: the claim equals the derivative (SymPy simplifies their difference to 0)"
        if self.verdict == WRONG:
            ce = self.counterexample
            assert ce is not None  # a wrong verdict always carries one
            at = ", ".join(f"{k} = {_plain(v)}" for k, v in ce["point"].items())
            lines = [f"wrong: at {at}"]
            claimed, actual, gap = ce["claimed"], ce["actual"], ce.get("difference")
            if not isinstance(claimed, list):
                claimed, actual, gap = [claimed], [actual], [gap]
            for name, c, a, g in zip(
                self.names, claimed, actual, gap or [None] * len(claimed)
            ):
                if _plain(c) != _plain(a):
                    lines.append(
                        f"  the claimed d/d{name} is {_plain(c)}, the derivative is {_plain(a)}"
                    )
                elif g:  # equal to 15 digits: say by how much they differ
                    lines.append(
                        f"  the claimed d/d{name} is {_plain(c)}, the derivative is "
                        f"{_plain(a)}, but the claim is larger by {g:.3g}"
                        if g > 0
                        else f"  the claimed d/d{name} is {_plain(c)}, the derivative is "
                        f"{_plain(a)}, but the claim is smaller by {-g:.3g}"
                    )
            lines.append("  (both computed at 60 and 120 digits)")
            shown = self.derivative if self.shown is None else self.shown
            lines += [f"  d/d{n} = {d}" for n, d in zip(self.names, shown)]
            return "\n".join(lines)
        return (
            f"no counterexample: the claim agrees with the derivative at all {ev.points:,} "
            f"points compared ({ev.ranges}); not proved: {ev.symbolic}"
        )

    __repr__ = __str__


def _plain(v: float) -> str:
    """A number as a person writes it: 2.5, -3, 1e-07, 0.333333333333333."""
    v = float(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.15g}"
