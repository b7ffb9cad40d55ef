"""Checkpoints of the graph layer: ``G.train.Saver`` and ``latest_checkpoint``.

A :class:`Saver` writes the values of its variables to one ``.npz`` file per
save (the format is :mod:`numeric.graph.checkpoint`'s) and records the newest
ones in a small JSON ``checkpoint`` index file in the same directory, as TF1
does. Like TF1's, a Saver deletes only checkpoints it wrote itself in this
process (beyond ``max_to_keep``); the index is untrusted data from disk, and
an entry of it that is not a plain file name inside the directory is refused.

``restore`` is all or nothing: the manifest's names, shapes and dtypes are
compared with the graph before any array is read, each array is read within
the size its variable needs, and variables change only when every array has
been read and checked.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
from collections.abc import Iterable, Mapping

import numpy as np

from numeric.errors import CheckpointError
from numeric.graph.checkpoint import (
    INDEX_FILE,
    CheckpointReader,
    atomic_write,
    manifest_budget,
    remove_orphan_temporaries,
    write_checkpoint,
)
from numeric.graph.graph import Tensor
from numeric.graph.session import Session
from numeric.graph.shapes import format_shape, shape_fits
from numeric.graph.variables import Variable, global_variables

# Bytes a variable of partially unknown static shape may restore when the
# session holds no larger value for it (a fully known shape is its own bound).
UNKNOWN_SHAPE_BUDGET = 64 * 2**20


def _plain_name(entry) -> bool:
    """True for a file name inside a directory: no separator, not . or .."""
    return (
        isinstance(entry, str)
        and entry not in ("", ".", "..")
        and not any(c in entry for c in "/\\\x00")
        and not os.path.isabs(entry)
    )


def _read_index(directory: str):
    path = os.path.join(directory, INDEX_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: unreadable checkpoint index ({exc})") from None
    if (
        not isinstance(index, dict)
        or not isinstance(index.get("model_checkpoint_path"), str)
        or not isinstance(index.get("all_model_checkpoint_paths"), list)
    ):
        raise CheckpointError(f"{path}: malformed checkpoint index")
    return index


def latest_checkpoint(checkpoint_dir: str | os.PathLike[str]) -> str | None:
    """Path of the newest checkpoint recorded in ``checkpoint_dir``'s index
    file, or None when there is none (or its file is gone).

    Raises
    ------
    CheckpointError
        The index is unreadable, or names something that is not a plain file
        name inside ``checkpoint_dir`` (``../x``, an absolute path, ...).
    """
    directory = os.fspath(checkpoint_dir)
    index = _read_index(directory)
    if index is None:
        return None
    entry = index["model_checkpoint_path"]
    if not _plain_name(entry):
        raise CheckpointError(
            f"{os.path.join(directory, INDEX_FILE)} names {entry!r}, which is not "
            "a file name inside that directory; refused"
        )
    path = os.path.join(directory, entry)
    return path if os.path.exists(path) else None


class Saver:
    """Saves and restores variables to ``.npz`` checkpoints.

    Parameters
    ----------
    var_list : list or dict, optional
        Variables to save (a dict maps checkpoint names to variables). None:
        every global variable of the default graph at construction time
        (build the Saver after the optimizer so its slots are included).
    max_to_keep : int or None
        Keep this many of the newest checkpoints this saver wrote, deleting
        its older ones (None or 0: keep all). Files it did not write, such as
        those of an earlier run, are never deleted.

    Examples
    --------
    >>> import numeric.graph as G, tempfile, os
    >>> with G.Graph().as_default():
    ...     w = G.Variable([1.0, 2.0], name="w")
    ...     saver = G.train.Saver()
    ...     with G.Session() as sess:
    ...         sess.run(w.initializer)
    ...         d = tempfile.mkdtemp()
    ...         path = saver.save(sess, os.path.join(d, "model"), global_step=3)
    ...         print(os.path.basename(path))
    model-3.npz
    """

    def __init__(
        self,
        var_list: Iterable[Variable] | Mapping[str, Variable] | None = None,
        max_to_keep: int | None = 5,
    ) -> None:
        if var_list is None:
            var_list = global_variables()
        if isinstance(var_list, dict):
            named = dict(var_list)
        else:
            named = {}
            for v in var_list:
                if not isinstance(v, Variable):
                    raise TypeError(f"Saver: {v!r} is not a Variable")
                if v.op.name in named:
                    raise ValueError(f"Saver: variable {v.op.name} listed twice")
                named[v.op.name] = v
        if not named:
            raise ValueError("No variables to save")
        self._vars = named
        self.max_to_keep = max_to_keep
        self._kept: dict[str, list[str]] = {}  # directory -> basenames, oldest first
        self._lock = threading.Lock()

    @property
    def last_checkpoints(self) -> list[str]:
        """Paths of the checkpoints this saver keeps, oldest first."""
        return [os.path.join(d, b) for d, names in self._kept.items() for b in names]

    def save(
        self,
        sess: Session,
        save_path: str | os.PathLike[str],
        global_step: int | Tensor | None = None,
        write_state: bool = True,
    ) -> str:
        """Write the variables' values; return the checkpoint's path.

        ``save_path`` ``"dir/model"`` gives ``dir/model.npz``, or
        ``dir/model-<step>.npz`` with ``global_step`` (an int, or a variable
        or tensor read in ``sess``). The values are read at one moment, even
        while other threads train. Temporaries left in the directory by a save
        that was killed are deleted first.
        """
        sess._check_open()
        base = os.fspath(save_path)
        base = base.removesuffix(".npz")
        if global_step is not None:
            step = (
                sess.run(global_step)
                if isinstance(global_step, Tensor)
                else global_step
            )
            base = f"{base}-{int(step)}"
        path = base + ".npz"
        read = sess._read_variables(list(self._vars.values()))
        values = {name: np.asarray(v) for name, v in zip(self._vars, read)}
        directory = os.path.dirname(path) or "."
        os.makedirs(directory, exist_ok=True)
        remove_orphan_temporaries(directory)
        write_checkpoint(path, values)
        if write_state:
            self._record(directory, os.path.basename(path))
        return path

    def _record(self, directory, name):
        with self._lock:
            kept = [p for p in self._kept.get(directory, []) if p != name] + [name]
            doomed = []
            if self.max_to_keep:
                doomed, kept = kept[: -self.max_to_keep], kept[-self.max_to_keep :]
            self._kept[directory] = kept
            index = {"model_checkpoint_path": name, "all_model_checkpoint_paths": kept}
            text = json.dumps(index, indent=1).encode("utf-8")
            atomic_write(os.path.join(directory, INDEX_FILE), lambda f: f.write(text))
            for old in doomed:  # written by this saver; the index no longer names them
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(directory, old))

    def restore(self, sess: Session, save_path: str | os.PathLike[str]) -> None:
        """Set the variables from a checkpoint, or change nothing.

        The manifest is compared with the graph first (names, shapes, dtypes);
        arrays are read only then, each within the size its variable needs.

        Raises
        ------
        CheckpointError
            Missing, truncated or corrupt file, an array larger than its
            variable can be, or entries that do not match this saver's
            variables (the message lists missing, unexpected and mis-shaped
            entries). No variable changes then.
        """
        sess._check_open()
        path = os.fspath(save_path)
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        with CheckpointReader(path) as reader:
            manifest = reader.manifest(manifest_budget(self._vars))
            entries = {e["name"]: e for e in manifest["variables"]}
            self._check_matches(sess, path, entries)
            arrays = {name: reader.array(e) for name, e in entries.items()}
        sess._assign_all({self._vars[n]: a for n, a in arrays.items()})

    def _check_matches(self, sess, path, entries):
        missing = [n for n in self._vars if n not in entries]
        unexpected = [n for n in entries if n not in self._vars]
        misfit = []
        for name, e in entries.items():
            var = self._vars.get(name)
            if var is None:
                continue
            shape, dtype = tuple(e["shape"]), np.dtype(e["dtype"])
            nbytes = math.prod(shape) * dtype.itemsize
            if not shape_fits(shape, var._shape) or dtype != var.dtype:
                misfit.append(
                    f"{name} (checkpoint {format_shape(shape)} {dtype}, "
                    f"graph {format_shape(var._shape)} {var.dtype})"
                )
            elif nbytes > _budget(sess, var):
                misfit.append(
                    f"{name} (checkpoint {format_shape(shape)}: {nbytes} bytes, "
                    f"more than {_budget(sess, var)} for shape "
                    f"{format_shape(var._shape)})"
                )
        if missing or unexpected or misfit:
            parts = []
            if missing:
                parts.append("missing from the checkpoint: " + ", ".join(missing))
            if unexpected:
                parts.append("not in the graph: " + ", ".join(unexpected))
            if misfit:
                parts.append("wrong shape or dtype: " + ", ".join(misfit))
            raise CheckpointError(
                f"{path} does not match the graph; nothing was restored. "
                + "; ".join(parts)
            )


def _budget(sess, var) -> int:
    """Bytes ``var`` may restore: its size when its static shape is known."""
    if var._shape is not None and None not in var._shape:
        return math.prod(var._shape) * var.dtype.itemsize
    current = sess._read_variable(var).nbytes if sess._is_initialized(var) else 0
    return max(current, UNKNOWN_SHAPE_BUDGET)
