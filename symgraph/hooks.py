"""Hooks: a low module's node methods delegate to functions that modules above
it install, so the low module imports none of them (no import cycle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Hooks"]


class Hooks:
    """A table of named functions, filled by :meth:`register` at import time.

    ``owner`` names the package in the error raised when a hook is asked for
    before the module providing it is loaded; ``names``, when given, are the
    only hooks the table accepts.
    """

    def __init__(self, owner: str, names: tuple[str, ...] | None = None) -> None:
        self._owner = owner
        self._names = names
        self._table: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, function: Callable[..., Any]) -> None:
        """Install ``function`` as the hook ``name``."""
        if self._names is not None and name not in self._names:
            raise ValueError(f"no {self._owner} hook named {name!r}")
        self._table[name] = function

    def installed(self) -> dict[str, Callable[..., Any]]:
        """A copy of the table: hook name to function."""
        return dict(self._table)

    def __getitem__(self, name: str) -> Callable[..., Any]:
        try:
            return self._table[name]
        except KeyError:
            raise RuntimeError(
                f"{self._owner}'s {name} is not loaded (import symgraph)"
            ) from None
