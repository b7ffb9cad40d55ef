"""The checkpoint file format: atomic writes, and reads bounded by what is expected.

A checkpoint is one ``.npz`` file: the variables' arrays under keys ``v0``,
``v1``, ... and a manifest (JSON bytes stored as a uint8 array) giving each
variable's name, shape, dtype and the sha256 of its bytes.

Writing: a temporary file ``.<name>.<16 hex>.tmp`` next to the target, created
with mode 0666 so the umask applies as for any ``open()``, locked (``flock``)
while it is written, flushed, fsynced and renamed over the target. A writer
killed on the way leaves its temporary behind, unlocked;
:func:`remove_orphan_temporaries` (called by each save) deletes those, and
never a temporary whose writer is alive.

Reading never trusts the file: :class:`CheckpointReader` reads the manifest
first (its declared size bounded), the caller compares it with the graph, and
only then are arrays read, each bounded by the size the graph expects: the zip
entry's declared size, the ``.npy`` header's shape and dtype, and the bytes
actually read must all agree with the manifest. Pickled (object) arrays are
refused without being loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import secrets
import zipfile

import numpy as np

from numeric.errors import CheckpointError

try:  # POSIX: a live writer holds a lock on its temporary file
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted anyway
    fcntl = None  # type: ignore[assignment]

FORMAT = "numeric.graph checkpoint"
VERSION = 1
MANIFEST = "__manifest__"
INDEX_FILE = "checkpoint"
# Bytes allowed for an .npy header (ours are 128) on top of the array's data.
HEADER_MARGIN = 4096

# .<target>.<token>.tmp, where the token is ours (16 hex digits) or, for files
# left by earlier versions, tempfile.mkstemp's 8 characters
_TEMPORARY = re.compile(r"^\.(?P<target>.+)\.(?:[0-9a-f]{16}|[a-z0-9_]{8})\.tmp$")


def sha256(arr: np.ndarray) -> str:
    """Checksum of an array's bytes in C order."""
    return hashlib.sha256(np.array(arr, order="C").tobytes()).hexdigest()


# ----- writing ----------------------------------------------------------------


def _fsync_dir(directory: str) -> None:
    # Makes the rename itself durable; not possible on every platform.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _create_temporary(path: str):
    """``(name, file)`` of a new temporary next to ``path``, mode 0666 & ~umask."""
    directory, base = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        f = os.fdopen(fd, "wb")
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        return tmp, f


def atomic_write(path: str, write) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, fsync it and
    rename it over ``path``; on any error the temporary file is removed and
    ``path`` is untouched."""
    for attempt in range(3):
        tmp, f = _create_temporary(path)
        try:
            try:
                write(f)
                f.flush()
                os.fsync(f.fileno())
                if fcntl is None:
                    f.close()  # Windows renames only closed files
                os.replace(tmp, path)
            finally:
                f.close()  # releases the lock, after the rename
        except FileNotFoundError:
            # another process took our temporary for an orphan in the instant
            # between creating and locking it: write again
            if attempt == 2 or os.path.exists(tmp):
                raise
            continue
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise
        break
    _fsync_dir(os.path.dirname(path) or ".")


def remove_orphan_temporaries(directory: str) -> list[str]:
    """Delete the temporaries of checkpoint and index writes in ``directory``
    whose writer is gone (killed mid-save); return their names.

    A live writer holds an exclusive lock on its temporary, so its file is
    left alone; files of other names are never touched.
    """
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    removed = []
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None:
            continue
        target = match.group("target")
        if not (target.endswith(".npz") or target == INDEX_FILE):
            continue
        path = os.path.join(directory, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        if _remove_if_unlocked(path):
            removed.append(name)
    return removed


def _remove_if_unlocked(path: str) -> bool:
    if fcntl is None:
        try:
            os.remove(path)  # fails while a writer has it open
        except OSError:
            return False
        return True
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # locked: its writer is alive
        os.close(fd)
        return False
    try:
        os.remove(path)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def write_checkpoint(path: str, values: dict) -> None:
    """Write ``{name: array}`` as one checkpoint file at ``path``, atomically."""
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
                "sha256": sha256(arr),
            }
        )
    manifest = {"format": FORMAT, "version": VERSION, "variables": entries}
    arrays[MANIFEST] = np.frombuffer(
        json.dumps(manifest).encode("utf-8"), dtype=np.uint8
    )
    # (NumPy's stub types savez's keywords as its allow_pickle flag)
    atomic_write(path, lambda f: np.savez(f, **arrays))  # type: ignore[arg-type]


# ----- reading ----------------------------------------------------------------


def manifest_budget(names) -> int:
    """Largest manifest (bytes) a checkpoint of these variable names can need:
    about 200 bytes per entry, names escaped to at most 12 bytes a character."""
    return 4096 + sum(256 + 12 * len(n) for n in names)


class CheckpointReader:
    """An open checkpoint file, read member by member within given budgets.

    Use as a context manager; every failure is a :class:`CheckpointError`.
    """

    def __init__(self, path: str):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise CheckpointError(f"no checkpoint file at {path!r}") from None
        except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise CheckpointError(
                f"{path}: corrupt or truncated checkpoint ({exc})"
            ) from None
        self._members = {info.filename: info for info in self._zip.infolist()}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()
        return False

    def manifest(self, max_bytes: int) -> dict:
        """The parsed manifest, refused when its member is larger than ``max_bytes``."""
        raw = self._read(MANIFEST, None, np.dtype(np.uint8), max_bytes)
        manifest = _parse_manifest(self.path, raw)
        keys = {e["key"] for e in manifest["variables"]}
        extra = {n.removesuffix(".npy") for n in self._members} - keys - {MANIFEST}
        if extra:
            raise CheckpointError(
                f"{self.path}: arrays not in the manifest: {sorted(extra)}"
            )
        return manifest

    def array(self, entry: dict) -> np.ndarray:
        """The array of a manifest entry (whose shape and dtype the caller has
        accepted), checked against its checksum."""
        dtype = np.dtype(entry["dtype"])
        shape = tuple(entry["shape"])
        nbytes = math.prod(shape) * dtype.itemsize
        arr = self._read(entry["key"], shape, dtype, nbytes + HEADER_MARGIN)
        if sha256(arr) != entry["sha256"]:
            raise CheckpointError(
                f"{self.path}: {entry['name']} does not match its sha256 checksum; "
                "the file is corrupt"
            )
        return arr

    def _read(self, key, shape, dtype, max_bytes):
        """Member ``key``'s array, which must have ``shape`` (None: a 1-d array
        of any length) and ``dtype``; no more than ``max_bytes`` are read."""
        what = f"{self.path}: {key}"
        info = self._members.get(f"{key}.npy")
        if info is None and key == MANIFEST:
            raise CheckpointError(
                f"{self.path}: no manifest; not a checkpoint of this toolkit"
            )
        if info is None:
            raise CheckpointError(f"{what}: missing from the file")
        if info.file_size > max_bytes:
            raise CheckpointError(
                f"{what} declares {info.file_size} bytes, more than the "
                f"{max_bytes} bytes the graph can need; refused without reading it"
            )
        try:
            with self._zip.open(info) as f:
                header_shape, fortran, header_dtype = _read_npy_header(f, what)
                if shape is None and len(header_shape) == 1:
                    shape = header_shape
                if header_shape != shape or header_dtype.newbyteorder("=") != dtype:
                    raise CheckpointError(
                        f"{what}: its header declares shape {header_shape} and "
                        f"dtype {header_dtype}, not {shape} {dtype} as the "
                        "manifest says; the file is corrupt"
                    )
                count = math.prod(shape)
                data = f.read(count * dtype.itemsize)
                if len(data) != count * dtype.itemsize or f.read(1):
                    raise CheckpointError(f"{what}: wrong length of array data")
        except CheckpointError:
            raise
        except Exception as exc:  # zipfile, zlib and header errors alike
            raise CheckpointError(
                f"{what}: corrupt or truncated checkpoint ({type(exc).__name__}: {exc})"
            ) from None
        arr = np.frombuffer(data, dtype=header_dtype).reshape(
            shape, order="F" if fortran else "C"
        )
        return np.array(arr, dtype=dtype, order="C")


def _read_npy_header(f, what):
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        header = np.lib.format.read_array_header_1_0(f, max_header_size=HEADER_MARGIN)
    elif version == (2, 0):
        header = np.lib.format.read_array_header_2_0(f, max_header_size=HEADER_MARGIN)
    else:
        raise CheckpointError(f"{what}: unsupported .npy version {version}")
    shape, fortran, dtype = header
    if dtype.hasobject:
        raise CheckpointError(
            f"{what}: holds an object array (pickled data); refused without loading it"
        )
    return tuple(shape), fortran, dtype


def _parse_manifest(path, raw):
    try:
        manifest = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CheckpointError(
            f"{path}: manifest is not valid JSON; corrupt file"
        ) from None
    ok = (
        isinstance(manifest, dict)
        and manifest.get("format") == FORMAT
        and isinstance(manifest.get("variables"), list)
        and all(_valid_entry(e) for e in manifest["variables"])
    )
    if not ok:
        raise CheckpointError(f"{path}: malformed manifest")
    if manifest.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: unsupported checkpoint version {manifest.get('version')!r}"
        )
    names = [e["name"] for e in manifest["variables"]]
    keys = [e["key"] for e in manifest["variables"]]
    if len(set(names)) != len(names) or len(set(keys)) != len(keys):
        raise CheckpointError(f"{path}: malformed manifest (repeated entries)")
    return manifest


def _valid_entry(e) -> bool:
    if not (
        isinstance(e, dict)
        and isinstance(e.get("name"), str)
        and isinstance(e.get("key"), str)
        and re.fullmatch(r"v[0-9]{1,9}", e["key"])
        and isinstance(e.get("shape"), list)
        and all(type(d) is int and 0 <= d < 2**62 for d in e["shape"])
        and isinstance(e.get("dtype"), str)
        and isinstance(e.get("sha256"), str)
    ):
        return False
    try:
        dtype = np.dtype(e["dtype"])
    except Exception:  # any text: TypeError, ValueError, SyntaxError, ...
        return False
    return dtype.kind in "biuf" and str(dtype) == e["dtype"]
