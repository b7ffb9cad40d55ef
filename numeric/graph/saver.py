"""Checkpoints of the graph layer: ``G.train.Saver`` and ``latest_checkpoint``.

A checkpoint is one ``.npz`` file: the variables' arrays under keys ``v0``,
``v1``, ... and a manifest (JSON bytes stored as a uint8 array) giving each
variable's name, shape, dtype and the sha256 of its bytes. Files are written
atomically (temporary file in the same directory, flush, fsync,
``os.replace``), read with ``allow_pickle=False``, and fully validated before
any variable changes. A small JSON ``checkpoint`` index file, also written
atomically, records the newest checkpoints of a directory, as in TF1.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile

import numpy as np

from numeric.errors import CheckpointError
from numeric.graph.graph import Tensor
from numeric.graph.shapes import format_shape, shape_fits
from numeric.graph.variables import Variable, global_variables

_FORMAT = "numeric.graph checkpoint"
_VERSION = 1
_MANIFEST = "__manifest__"
INDEX_FILE = "checkpoint"


def _sha256(arr: np.ndarray) -> str:
    return hashlib.sha256(np.array(arr, order="C").tobytes()).hexdigest()


def _fsync_dir(directory: str) -> None:
    # Makes the rename itself durable; not possible on every platform.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: str, write) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, fsync it and
    rename it over ``path``; on any error the temporary file is removed and
    ``path`` is untouched."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_dir(directory)


def _checkpoint_file(save_path: str) -> str:
    return save_path if save_path.endswith(".npz") else save_path + ".npz"


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


def latest_checkpoint(checkpoint_dir):
    """Path of the newest checkpoint recorded in ``checkpoint_dir``'s index
    file, or None when there is none (or its file is gone)."""
    index = _read_index(os.fspath(checkpoint_dir))
    if index is None:
        return None
    path = os.path.join(os.fspath(checkpoint_dir), index["model_checkpoint_path"])
    return path if os.path.exists(path) else None


def read_checkpoint(path):
    """``(arrays by name, manifest)`` of a checkpoint file, every array checked
    against the manifest's shape, dtype and sha256.

    Raises
    ------
    CheckpointError
        The file is missing, truncated, corrupt, not a checkpoint, holds an
        object array (pickled data is never loaded), or fails a checksum.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f"no checkpoint file at {path!r}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if not hasattr(npz, "files"):
                raise CheckpointError(f"{path}: not an .npz checkpoint")
            files = set(npz.files)
            if _MANIFEST not in files:
                raise CheckpointError(
                    f"{path}: no manifest; not a checkpoint of this toolkit"
                )
            manifest = _parse_manifest(path, npz[_MANIFEST])
            entries = manifest["variables"]
            keys = {e["key"] for e in entries}
            extra = files - keys - {_MANIFEST}
            if extra:
                raise CheckpointError(
                    f"{path}: arrays not in the manifest: {sorted(extra)}"
                )
            arrays = {}
            for e in entries:
                if e["key"] not in files:
                    raise CheckpointError(f"{path}: array for {e['name']} is missing")
                arr = npz[e["key"]]
                if (
                    list(arr.shape) != e["shape"]
                    or str(arr.dtype) != e["dtype"]
                    or _sha256(arr) != e["sha256"]
                ):
                    raise CheckpointError(
                        f"{path}: {e['name']} does not match its manifest entry "
                        "(shape, dtype or sha256 checksum); the file is corrupt"
                    )
                arrays[e["name"]] = arr
    except CheckpointError:
        raise
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "pickle" in str(exc).lower():
            raise CheckpointError(
                f"{path}: holds an object array (pickled data); refused without "
                "loading it"
            ) from None
        raise CheckpointError(
            f"{path}: corrupt or truncated checkpoint ({exc})"
        ) from None
    except Exception as exc:
        raise CheckpointError(
            f"{path}: corrupt or truncated checkpoint ({type(exc).__name__}: {exc})"
        ) from None
    return arrays, manifest


def _parse_manifest(path, raw):
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise CheckpointError(f"{path}: malformed manifest")
    try:
        manifest = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CheckpointError(
            f"{path}: manifest is not valid JSON; corrupt file"
        ) from None
    ok = (
        isinstance(manifest, dict)
        and manifest.get("format") == _FORMAT
        and isinstance(manifest.get("variables"), list)
        and all(
            isinstance(e, dict)
            and isinstance(e.get("name"), str)
            and isinstance(e.get("key"), str)
            and isinstance(e.get("shape"), list)
            and isinstance(e.get("dtype"), str)
            and isinstance(e.get("sha256"), str)
            for e in manifest["variables"]
        )
    )
    if not ok:
        raise CheckpointError(f"{path}: malformed manifest")
    if manifest.get("version") != _VERSION:
        raise CheckpointError(
            f"{path}: unsupported checkpoint version {manifest.get('version')!r}"
        )
    return manifest


class Saver:
    """Saves and restores variables to ``.npz`` checkpoints.

    Parameters
    ----------
    var_list : list or dict, optional
        Variables to save (a dict maps checkpoint names to variables). None:
        every global variable of the default graph at construction time
        (build the Saver after the optimizer so its slots are included).
    max_to_keep : int or None
        Keep this many newest checkpoints, deleting older files (None or 0:
        keep all).

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

    def __init__(self, var_list=None, max_to_keep=5):
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

    @property
    def last_checkpoints(self):
        """Paths of the checkpoints this saver keeps, oldest first."""
        return [os.path.join(d, b) for d, names in self._kept.items() for b in names]

    def save(self, sess, save_path, global_step=None, write_state=True):
        """Write the variables' values; return the checkpoint's path.

        ``save_path`` ``"dir/model"`` gives ``dir/model.npz``, or
        ``dir/model-<step>.npz`` with ``global_step`` (an int, or a variable
        or tensor read in ``sess``).
        """
        sess._check_open()
        base = os.fspath(save_path)
        base = base.removesuffix(".npz")
        if global_step is not None:
            if isinstance(global_step, Tensor):
                global_step = sess.run(global_step)
            base = f"{base}-{int(global_step)}"
        path = base + ".npz"
        values = {
            name: np.asarray(sess._read_variable(v)) for name, v in self._vars.items()
        }
        arrays, entries = {}, []
        for i, (name, arr) in enumerate(values.items()):
            key = f"v{i}"
            arr = np.array(arr, order="C")  # ascontiguousarray would make 0-d 1-d
            arrays[key] = arr
            entries.append(
                {
                    "name": name,
                    "key": key,
                    "shape": list(arr.shape),
                    "dtype": str(arr.dtype),
                    "sha256": _sha256(arr),
                }
            )
        manifest = {"format": _FORMAT, "version": _VERSION, "variables": entries}
        arrays[_MANIFEST] = np.frombuffer(
            json.dumps(manifest).encode("utf-8"), dtype=np.uint8
        )
        directory = os.path.dirname(path) or "."
        os.makedirs(directory, exist_ok=True)
        atomic_write(path, lambda f: np.savez(f, **arrays))
        if write_state:
            self._record(directory, os.path.basename(path))
        return path

    def _record(self, directory, name):
        kept = self._kept.get(directory)
        if kept is None:
            index = _read_index(directory)
            kept = []
            if index is not None:
                kept = [
                    p
                    for p in index["all_model_checkpoint_paths"]
                    if isinstance(p, str) and os.path.exists(os.path.join(directory, p))
                ]
        kept = [p for p in kept if p != name] + [name]
        doomed = []
        if self.max_to_keep:
            doomed, kept = kept[: -self.max_to_keep], kept[-self.max_to_keep :]
        self._kept[directory] = kept
        index = {"model_checkpoint_path": name, "all_model_checkpoint_paths": kept}
        text = json.dumps(index, indent=1).encode("utf-8")
        atomic_write(os.path.join(directory, INDEX_FILE), lambda f: f.write(text))
        for old in doomed:  # after the index no longer names them
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(directory, old))

    def restore(self, sess, save_path):
        """Set the variables from a checkpoint, or change nothing.

        Raises
        ------
        CheckpointError
            Missing, truncated or corrupt file, or entries that do not match
            this saver's variables (the message lists missing, unexpected and
            mis-shaped entries). No variable changes then.
        """
        sess._check_open()
        path = os.fspath(save_path)
        if not os.path.exists(path) and os.path.exists(_checkpoint_file(path)):
            path = _checkpoint_file(path)
        arrays, _ = read_checkpoint(path)
        missing = [n for n in self._vars if n not in arrays]
        unexpected = [n for n in arrays if n not in self._vars]
        misfit = []
        for name, arr in arrays.items():
            var = self._vars.get(name)
            if var is None:
                continue
            if (
                not shape_fits(arr.shape, var._shape)
                or np.dtype(arr.dtype) != var.dtype
            ):
                misfit.append(
                    f"{name} (checkpoint {format_shape(arr.shape)} {arr.dtype}, "
                    f"graph {format_shape(var._shape)} {var.dtype})"
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
        sess._assign_all(
            {self._vars[n]: np.array(a, copy=True) for n, a in arrays.items()}
        )
