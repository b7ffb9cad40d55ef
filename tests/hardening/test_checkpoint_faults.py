"""Checkpoints under faults: refused with a clear error, nothing changed.

A round trip is bit-exact; the manifest names every variable's shape, dtype
and checksum; a pickle smuggled into a checkpoint is refused without running
(its payload would create a canary file); seeded random truncations and bit
flips each give ``CheckpointError`` (or, for a flip in bytes nothing reads, a
bit-exact restore); a save killed mid-write leaves the previous checkpoint
loadable; a mismatched restore lists what is wrong and changes nothing.
"""

import io
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import zipcraft

import numeric.graph as G
from numeric.errors import CheckpointError

N_FAULTS = 50  # truncations, and as many bit flips


class _Canary:
    """Unpickling this object would create a file: the payload of a smuggled pickle."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _values():
    special = np.array([0.0, -0.0, np.inf, -np.inf, 5e-324, 1.7976931348623157e308])
    return {
        "w": np.random.default_rng(3).standard_normal((4, 3)),
        "b": np.float64(0.125),
        "special": special,
        "n": np.arange(6, dtype=np.int64).reshape(2, 3),
    }


def _build(values=None, shapes=None):
    graph = G.Graph()
    values = values or _values()
    with graph.as_default():
        variables = {k: G.Variable(v, name=k) for k, v in values.items()}
        saver = G.train.Saver()
        init = G.global_variables_initializer()
    sess = G.Session(graph=graph)
    sess.run(init)
    return sess, saver, variables


def _state(sess, variables):
    return {
        k: np.asarray(v).tobytes()
        for k, v in zip(variables, sess.run(list(variables.values())))
    }


@pytest.fixture
def saved(tmp_path):
    sess, saver, variables = _build()
    path = saver.save(sess, str(tmp_path / "model"))
    yield sess, saver, variables, path
    sess.close()


def test_round_trip_is_bit_exact(saved, tmp_path):
    sess, _saver, variables, path = saved
    original = _state(sess, variables)
    zeros = {k: np.zeros_like(v) for k, v in _values().items()}
    sess2, saver2, variables2 = _build(zeros)
    with sess2:
        assert _state(sess2, variables2) != original
        saver2.restore(sess2, path)
        assert _state(sess2, variables2) == original


def test_manifest_names_shapes_dtypes_checksums(saved):
    _, _, _, path = saved
    with np.load(path, allow_pickle=False) as npz:
        manifest = json.loads(npz["__manifest__"].tobytes().decode("utf-8"))
        entries = {e["name"]: e for e in manifest["variables"]}
        assert set(entries) == set(_values())
        for name, value in _values().items():
            e = entries[name]
            assert e["shape"] == list(np.shape(value))
            assert e["dtype"] == str(np.asarray(value).dtype)
            assert len(e["sha256"]) == 64
            assert npz[e["key"]].tobytes() == np.asarray(value).tobytes()


def _rewrite(path, replace):
    """Rewrite an .npz, replacing some members' bytes (``replace``: name -> bytes)."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members.update(replace)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


@pytest.mark.parametrize("where", ["variable", "manifest", "extra_member"])
def test_smuggled_pickle_refused_no_code_run(saved, tmp_path, where):
    sess, saver, variables, path = saved
    canary = tmp_path / "canary_dir"
    canary.mkdir()
    payload = np.empty(1, dtype=object)
    payload[0] = _Canary(str(canary / "CANARY"))
    bad = _npy_bytes(payload)
    assert b"open" in bad and b"CANARY" in bad  # a live payload, not a dud
    with np.load(path, allow_pickle=False) as npz:
        manifest = json.loads(npz["__manifest__"].tobytes().decode("utf-8"))
    key = {"variable": manifest["variables"][0]["key"] + ".npy",
           "manifest": "__manifest__.npy", "extra_member": "v99.npy"}[where]  # fmt: skip
    _rewrite(path, {key: bad})
    before = _state(sess, variables)
    with pytest.raises(CheckpointError):
        saver.restore(sess, path)
    assert not os.listdir(canary), "the smuggled pickle ran"
    assert _state(sess, variables) == before


def _restore_outcome(sess, saver, variables, path, original):
    """'error' for a CheckpointError with state unchanged, 'exact' for a clean
    bit-exact restore; anything else fails the test."""
    before = _state(sess, variables)
    try:
        saver.restore(sess, path)
    except CheckpointError as exc:
        assert str(exc).strip()
        assert _state(sess, variables) == before
        return "error"
    assert _state(sess, variables) == original, "a corrupt file restored wrong values"
    return "exact"


def test_random_truncations_each_refused(saved, tmp_path):
    sess, saver, variables, path = saved
    original = _state(sess, variables)
    data = Path(path).read_bytes()
    rng = np.random.default_rng(11)
    scratch = str(tmp_path / "cut.npz")
    outcomes = []
    for cut in rng.integers(0, len(data), size=N_FAULTS):
        with open(scratch, "wb") as f:
            f.write(data[:cut])
        outcomes.append(_restore_outcome(sess, saver, variables, scratch, original))
    assert outcomes == ["error"] * N_FAULTS


def test_random_bit_flips_refused_or_harmless(saved, tmp_path):
    sess, saver, variables, path = saved
    original = _state(sess, variables)
    data = Path(path).read_bytes()
    rng = np.random.default_rng(12)
    scratch = str(tmp_path / "flip.npz")
    outcomes = []
    for pos, bit in zip(
        rng.integers(0, len(data), size=N_FAULTS), rng.integers(0, 8, size=N_FAULTS)
    ):
        flipped = bytearray(data)
        flipped[pos] ^= 1 << int(bit)
        with open(scratch, "wb") as f:
            f.write(bytes(flipped))
        outcomes.append(_restore_outcome(sess, saver, variables, scratch, original))
    # Flips in bytes nothing checks (zip timestamps, ...) may restore exactly;
    # most flips hit checked bytes.
    assert outcomes.count("error") >= N_FAULTS // 2, outcomes


def test_bit_flip_in_array_data_is_caught_by_checksum(saved):
    sess, saver, variables, path = saved
    with zipfile.ZipFile(path) as z:
        raw = z.read("v0.npy")
    flipped = bytearray(raw)
    flipped[-1] ^= 0x01  # last byte of the array's data; the header still parses
    _rewrite(path, {"v0.npy": bytes(flipped)})
    before = _state(sess, variables)
    with pytest.raises(CheckpointError, match=r"sha256|corrupt"):
        saver.restore(sess, path)
    assert _state(sess, variables) == before


_KILLED_SAVE = """
import sys, time
import numpy as np
import numeric.graph as G

path, stage = sys.argv[1], sys.argv[2]
graph = G.Graph()
with graph.as_default():
    w = G.Variable(np.full((64, 64), 1.0), name="w")
    saver = G.train.Saver()
    init = G.global_variables_initializer()
sess = G.Session(graph=graph)
sess.run(init)
if stage == "first":
    saver.save(sess, path)
    print("saved", flush=True)
    sys.exit(0)
sess.run(w.assign(np.full((64, 64), 2.0)))
real_savez = np.savez

def stalled_savez(f, **arrays):
    f.write(b"PK\\x03\\x04" + b"\\x00" * 1000)  # part of a zip, then stall
    f.flush()
    print("midway", flush=True)
    time.sleep(120)

np.savez = stalled_savez
saver.save(sess, path)
"""


def _temporaries(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_save_killed_midway_leaves_previous_checkpoint_and_no_orphan(tmp_path):
    path = str(tmp_path / "model")
    script = textwrap.dedent(_KILLED_SAVE)
    run = [sys.executable, "-c", script, path]
    first = subprocess.run(
        [*run, "first"], check=False, capture_output=True, text=True, timeout=60
    )
    assert first.stdout.strip() == "saved", first.stderr
    proc = subprocess.Popen(
        [*run, "second"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sess, saver, variables = _build({"w": np.zeros((64, 64))})
    try:
        assert proc.stdout.readline().strip() == "midway"
        live = _temporaries(tmp_path)
        assert len(live) == 1 and live[0].startswith(".model.npz.")
        saver.save(sess, str(tmp_path / "other"))  # a save while it writes:
        assert _temporaries(tmp_path) == live  # a live writer's file is kept
        proc.kill()  # SIGKILL during the write: no cleanup runs
    finally:
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode != 0
    with sess:
        saver.restore(sess, path + ".npz")
        np.testing.assert_array_equal(sess.run(variables["w"]), np.full((64, 64), 1.0))
        assert _temporaries(tmp_path) == live  # the orphan of the killed save
        saver.save(sess, str(tmp_path / "other"))
        assert _temporaries(tmp_path) == []  # cleaned by the next save


def test_mismatched_restore_lists_problems_and_changes_nothing(saved, tmp_path):
    _, _, _, path = saved
    values = _values()
    del values["b"]  # missing from the graph: unexpected in the checkpoint
    values["w"] = np.zeros((3, 4))  # mis-shaped
    values["extra"] = np.zeros(2)  # missing from the checkpoint
    sess, saver, variables = _build(values)
    with sess:
        before = _state(sess, variables)
        with pytest.raises(CheckpointError) as info:
            saver.restore(sess, path)
        message = str(info.value)
        assert "missing" in message and "extra" in message
        assert "not in the graph" in message and "b" in message
        assert "wrong shape" in message and "w (" in message
        assert _state(sess, variables) == before


# ----- the checkpoint index is untrusted ------------------------------------------

# Entries of a planted `checkpoint` index that are not plain file names inside
# the directory; {outside} is replaced by a directory outside the save directory.
HOSTILE_INDEX_ENTRIES = [
    "../victim.npz",
    "../../victim.npz",
    "{outside}/victim.npz",
    "sub/victim.npz",
    "sub/../../victim.npz",
    "..",
    ".",
    "",
    "a\\..\\victim.npz",
    "victim.npz\x00.txt",
]


def _plant(tmp_path, entry):
    """A save directory whose index names ``entry``; the file it points at
    exists (when it can) and must survive."""
    save_dir = tmp_path / "ckpt"
    (save_dir / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    entry = entry.replace("{outside}", str(outside))
    victims = []
    if "\x00" not in entry and entry not in ("", ".", ".."):
        victim = (save_dir / entry).resolve()
        victim.parent.mkdir(parents=True, exist_ok=True)
        victim.write_bytes(b"someone else's file")
        victims.append(victim)
    index = {"model_checkpoint_path": entry, "all_model_checkpoint_paths": [entry]}
    (save_dir / "checkpoint").write_text(json.dumps(index))
    return save_dir, victims


@pytest.mark.parametrize("entry", HOSTILE_INDEX_ENTRIES)
def test_saver_never_deletes_what_a_planted_index_names(tmp_path, entry):
    save_dir, victims = _plant(tmp_path, entry)
    sess, saver, _ = _build()
    saver.max_to_keep = 1
    with sess:
        for step in range(3):
            saver.save(sess, str(save_dir / "model"), global_step=step)
    for victim in victims:
        assert victim.read_bytes() == b"someone else's file", victim
    names = sorted(p.name for p in save_dir.iterdir())
    assert "model-2.npz" in names and "model-0.npz" not in names  # its own go
    index = json.loads((save_dir / "checkpoint").read_text())
    assert index["all_model_checkpoint_paths"] == ["model-2.npz"]


@pytest.mark.parametrize("entry", HOSTILE_INDEX_ENTRIES)
def test_latest_checkpoint_refuses_a_planted_entry(tmp_path, entry):
    save_dir, _ = _plant(tmp_path, entry)
    with pytest.raises(CheckpointError, match="not a file name"):
        G.train.latest_checkpoint(str(save_dir))


# ----- restore reads the manifest first, and only as much as the graph needs ------

BOMB_ELEMENTS = 200_000_000  # 1.6 GB of float64 declared in a ~10 MB file
MEMORY_LIMIT = 32 * 2**20  # what a restore of a few small variables may take


def _npy_header(shape, descr="<f8"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)}
    )
    return buf.getvalue()


def _manifest_member(entries):
    manifest = {"format": "numeric.graph checkpoint", "version": 1,
                "variables": entries}  # fmt: skip
    raw = np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8)
    return zipcraft.stored("__manifest__.npy", _npy_bytes(raw))


def _bomb_member(name, header_shape, n_zeros):
    header = _npy_header(header_shape)
    data = zipcraft.deflate_zeros(header, n_zeros)
    # the CRC is left wrong: computing it would mean producing the gigabytes
    return (name, data, 8, len(header) + n_zeros, 0)


def _entry(shape):
    return {"name": "w", "key": "v0", "shape": list(shape), "dtype": "float64",
            "sha256": "0" * 64}  # fmt: skip


def _restore_peak(tmp_path, members):
    """Restore a crafted file into a graph whose ``w`` has shape (3,); return
    the error and the peak memory the restore allocated."""
    path = tmp_path / "crafted.npz"
    zipcraft.write_zip(path, members)
    graph = G.Graph()
    with graph.as_default():
        w = G.Variable(np.arange(3.0), name="w")
        saver = G.train.Saver()
    with G.Session(graph=graph) as sess:
        sess.run(w.initializer)
        tracemalloc.start()
        try:
            with pytest.raises(CheckpointError) as info:
                saver.restore(sess, str(path))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        np.testing.assert_array_equal(sess.run(w), np.arange(3.0))
    return str(info.value), peak


def test_restore_refuses_a_declared_giant_before_reading_it(tmp_path):
    message, peak = _restore_peak(
        tmp_path,
        [
            _manifest_member([_entry([BOMB_ELEMENTS])]),
            _bomb_member("v0.npy", [BOMB_ELEMENTS], 8 * BOMB_ELEMENTS),
        ],
    )
    assert "does not match the graph" in message and "w (" in message
    assert peak < MEMORY_LIMIT, f"restore allocated {peak / 2**20:.0f} MiB"


def test_restore_refuses_an_array_header_that_disagrees_with_the_manifest(tmp_path):
    message, peak = _restore_peak(
        tmp_path,
        [
            _manifest_member([_entry([3])]),
            _bomb_member("v0.npy", [BOMB_ELEMENTS], 8 * BOMB_ELEMENTS),
        ],
    )
    assert "v0" in message or "w" in message
    assert peak < MEMORY_LIMIT, f"restore allocated {peak / 2**20:.0f} MiB"


def test_restore_refuses_a_giant_manifest(tmp_path):
    n = 100 * 2**20  # 100 MB of manifest "bytes"
    header = _npy_header([n], descr="|u1")
    manifest = ("__manifest__.npy", zipcraft.deflate_zeros(header, n), 8,
                len(header) + n, 0)  # fmt: skip
    message, peak = _restore_peak(tmp_path, [manifest])
    assert "manifest" in message
    assert peak < MEMORY_LIMIT, f"restore allocated {peak / 2**20:.0f} MiB"


def test_restore_refuses_a_member_declaring_more_bytes_than_needed(tmp_path):
    header = _npy_header([3])
    member = ("v0.npy", zipcraft.deflate_zeros(header, 8 * BOMB_ELEMENTS), 8,
              len(header) + 8 * BOMB_ELEMENTS, 0)  # fmt: skip
    message, peak = _restore_peak(tmp_path, [_manifest_member([_entry([3])]), member])
    assert "v0" in message and "bytes" in message
    assert peak < MEMORY_LIMIT


def test_names_and_shapes_are_checked_before_any_array_is_read(saved):
    # a file that is both mismatched and corrupt reports the mismatch: the
    # arrays were never read
    _, _, _, path = saved
    with zipfile.ZipFile(path) as z:
        raw = bytearray(z.read("v0.npy"))
    raw[-1] ^= 0x01
    _rewrite(path, {"v0.npy": bytes(raw)})
    values = _values()
    values["w"] = np.zeros((5, 5))
    sess, saver, variables = _build(values)
    with sess:
        before = _state(sess, variables)
        with pytest.raises(CheckpointError, match="does not match the graph") as info:
            saver.restore(sess, path)
        assert "sha256" not in str(info.value)
        assert _state(sess, variables) == before


# ----- temporaries: the umask, and no orphan left for ever --------------------------

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


UMASKS = [0o022, 0o077, 0o002]


@posix_only
@pytest.mark.parametrize("umask", UMASKS)
def test_saved_files_respect_the_umask(tmp_path, umask):
    sess, saver, _ = _build()
    previous = os.umask(umask)
    try:
        with sess:
            path = saver.save(sess, str(tmp_path / "model"))
    finally:
        os.umask(previous)
    for name in (path, tmp_path / "checkpoint"):
        assert os.stat(name).st_mode & 0o777 == 0o666 & ~umask, name


LEFTOVERS = [
    ".model-3.npz.0123456789abcdef.tmp",  # a killed save of this saver
    ".checkpoint.fedcba9876543210.tmp",  # a killed index write
    ".model.npz.k2_9xq0z.tmp",  # tempfile.mkstemp's names, older versions
]
NOT_OURS = [".notes.tmp", "model.npz.tmp", ".model.npz.tmp", "data.csv",
            ".other.txt.0123456789abcdef.tmp"]  # fmt: skip


def test_leftover_temporaries_are_cleaned_on_the_next_save(tmp_path):
    for name in LEFTOVERS + NOT_OURS:
        (tmp_path / name).write_bytes(b"x" * 100)
    sess, saver, _ = _build()
    with sess:
        saver.save(sess, str(tmp_path / "model"))
    names = {p.name for p in tmp_path.iterdir()}
    assert not names & set(LEFTOVERS)
    assert set(NOT_OURS) <= names
