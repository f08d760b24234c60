"""Readers for MATLAB ``.mat`` files and HDF5 (``.h5``, ``.hdf5``) files.

``.mat`` v4 to v7.2 are read whole with :func:`scipy.io.loadmat` (core); ``.mat`` v7.3
is HDF5 underneath (a 512-byte MATLAB text header, then an HDF5 file) and, like
``.h5``/``.hdf5``, is read with h5py (the ``hdf5`` extra). HDF5 files are opened lazily:
:func:`open_hdf5` gives an :class:`H5Rows` whose row slices read only those rows, so
:func:`movement.stream.score_stream` scores a long file window by window.

Which variable / data set is the signal, and what describes it (one convention for
both formats):

* **signal**: the variable or data set named ``data`` (at the top; else the only one so
  named inside a MATLAB struct or an HDF5 group); else the only numeric matrix (two
  dimensions longer than 1) anywhere in the file; else a
  :class:`~movement.errors.RecordingError` saying what the file holds. **Samples are the longer axis**: a ``samples x channels`` array and a
  ``channels x samples`` one are read alike. MATLAB v7.3 stores arrays transposed
  (column-major), so a MATLAB ``data`` of size samples x channels appears in h5py as
  ``(channels, samples)``; the rule reads it the right way round. A 1-D ``data`` is one
  channel.
* **sampling rate**: a scalar named ``fs``, ``Fs``, ``srate``, ``sfreq``,
  ``sampling_rate``, ``SamplingRate`` or ``SamplingFrequency`` (the case of the letters
  does not matter) beside the signal (in the same MATLAB workspace / struct or HDF5
  group), or an HDF5 attribute of that name on the signal's data set, its group or the
  file. Without one, the rate comes as for any file (``--fs``, a sidecar JSON, a
  ``time`` variable), else the usual "unknown sampling rate: give --fs" error.
* optional, found the same way: ``channels`` (strings, one per channel: a MATLAB
  cellstr or char matrix, HDF5 strings as bytes or text), ``modality`` (``accel`` /
  ``emg``), ``units``, and ``time`` (seconds of each sample, as in ``.npz``). Text that
  cannot be read (e.g. MATLAB ``string`` objects) is ignored with a warning.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import MissingExtraError, RecordingError
from . import RawSignal, register_reader

__all__ = ["H5Rows", "open_hdf5", "read_hdf5", "read_mat", "hdf5_offset", "is_hdf5"]

_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: Names of the sampling rate, compared without regard to case.
FS_NAMES = (
    "fs", "Fs", "srate", "sfreq", "sampling_rate", "SamplingRate", "SamplingFrequency",
)  # fmt: skip
_FS_KEYS = tuple(dict.fromkeys(n.lower() for n in FS_NAMES))
_META_KEYS = ("channels", "modality", "units", "time")
#: MATLAB classes (the ``MATLAB_class`` attribute of v7.3 data sets) that are numbers.
_MATLAB_NUMERIC = {
    "double", "single", "logical", "int8", "uint8", "int16", "uint16", "int32", "uint32",
    "int64", "uint64",
}  # fmt: skip


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _h5py(what: str) -> ModuleType:
    try:
        return importlib.import_module("h5py")
    except ImportError:
        raise MissingExtraError(what, "hdf5", "h5py") from None


def hdf5_offset(path: Path) -> int | None:
    """Byte offset of the HDF5 signature (0, 512, 1024, 2048... as the HDF5 format
    allows; MATLAB v7.3 files have it at 512), or None when the file is not HDF5."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            off = 0
            while off + len(_SIGNATURE) <= size:
                fh.seek(off)
                if fh.read(len(_SIGNATURE)) == _SIGNATURE:
                    return off
                off = 512 if off == 0 else 2 * off
    except OSError as exc:
        raise RecordingError(f"cannot read ({exc.strerror or exc})", str(path)) from None
    return None


def is_hdf5(path: Path) -> bool:
    """Whether ``path`` is an HDF5 file (a ``.h5``, or a MATLAB v7.3 ``.mat``)."""
    return hdf5_offset(path) is not None


def _what(path: Path) -> str:
    return "MATLAB v7.3 files" if path.suffix.lower() == ".mat" else "HDF5 files"


# -- lazy rows -----------------------------------------------------------------------------------


class H5Rows:
    """The rows of an HDF5 data set, read on demand (float64, samples x channels).

    An array-like of shape ``(n_samples, n_channels)``: ``rows[a:b]`` reads samples
    ``a:b`` only (a hyperslab of the data set, whichever axis holds the samples), so a
    long file is scored window by window (:func:`movement.stream.score_stream`) in
    bounded memory; the values equal the same rows of the whole read, bit for bit.
    The file is opened on first use and kept open (h5py serialises reads from threads).

    Parameters
    ----------
    path : str
        The HDF5 (or MATLAB v7.3) file.
    name : str
        The data set's path in the file.
    n : int
        Samples.
    k : int
        Channels in the file.
    samples_axis : int
        0 when the data set is ``(samples, channels)``, 1 when ``(channels, samples)``
        (MATLAB v7.3's column-major layout of a samples x channels array); a 1-D data
        set is one channel.
    channels : list of int, optional
        Columns to return, in order (all by default).
    """

    ndim = 2
    dtype = np.dtype(np.float64)

    def __init__(
        self,
        path: str,
        name: str,
        n: int,
        k: int,
        samples_axis: int,
        channels: list[int] | None = None,
    ) -> None:
        self.path = str(path)
        self.name = name
        self.n = int(n)
        self.k = int(k)
        self.samples_axis = int(samples_axis)
        self.channels = list(range(self.k)) if channels is None else list(channels)
        self.shape = (self.n, len(self.channels))
        #: the name of a ``time`` data set beside the signal (not read when opened lazily)
        self.time_name: str | None = None
        self._file: Any = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self.n

    def select(self, idx: list[int]) -> H5Rows:
        """The same rows with only the channels ``idx`` (in that order)."""
        out = H5Rows(
            self.path, self.name, self.n, self.k, self.samples_axis,
            [self.channels[i] for i in idx],
        )  # fmt: skip
        out.time_name = self.time_name
        out._file = self._file  # the same open file
        return out

    def _dataset(self) -> Any:
        with self._lock:
            if self._file is None:
                h5py = _h5py(_what(Path(self.path)))
                try:
                    self._file = h5py.File(self.path, "r")
                except Exception as exc:  # noqa: BLE001 - h5py raises OSError and others
                    raise RecordingError(
                        f"not a readable HDF5 file ({_one_line(exc)})", self.path
                    ) from None
            return self._file[self.name]

    def close(self) -> None:
        """Close the file (it is opened again by the next read)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_file"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("H5Rows supports row slices rows[a:b] only")
        a, b, _ = key.indices(self.n)
        b = max(a, b)
        if b == a:
            return np.empty((0, len(self.channels)))
        ds = self._dataset()
        try:
            if ds.ndim == 1:
                x = ds[a:b][:, None]
            elif self.samples_axis == 0:
                x = ds[a:b, :]
            else:
                x = ds[:, a:b].T
        except Exception as exc:  # noqa: BLE001 - a corrupt chunk, a missing filter...
            raise RecordingError(
                f"cannot read samples {a}-{b} of {self.name!r} ({_one_line(exc)})", self.path
            ) from None
        if self.channels != list(range(self.k)):
            x = x[:, self.channels]
        return np.ascontiguousarray(x, dtype=np.float64)


# -- values: numbers and strings from loadmat, h5py data sets and attributes -------------------


def _matlab_class(obj: Any) -> str | None:
    attrs = getattr(obj, "attrs", None)
    if attrs is None or "MATLAB_class" not in attrs:
        return None
    c = attrs["MATLAB_class"]
    return c.decode() if isinstance(c, bytes) else str(c)


def _is_numeric_array(value: Any) -> bool:
    dt = getattr(value, "dtype", None)
    if dt is None or dt.kind not in "biuf" or dt.fields is not None:
        return False
    cls = _matlab_class(value)
    return cls is None or cls in _MATLAB_NUMERIC


def _matlab_empty(obj: Any) -> bool:
    attrs = getattr(obj, "attrs", None)
    return bool(attrs is not None and attrs.get("MATLAB_empty", 0))


def _chars(codes: np.ndarray) -> list[str]:
    """MATLAB v7.3 char data (uint16 codes, stored transposed) as one string per row."""
    arr = np.asarray(codes)
    if arr.ndim == 1:
        arr = arr[:, None]
    arr = arr.reshape(arr.shape[0], -1).T  # rows of the MATLAB char matrix
    return ["".join(map(chr, row)).rstrip("\x00 ") for row in arr.tolist()]


def _strings(value: Any, f: Any = None) -> list[str]:
    """Text as a list of strings, from loadmat values, h5py data sets or attributes.

    MATLAB v7.3 char matrices (uint16 codes) and cellstrs (object references to char
    data sets, resolved in the file ``f``) are decoded.
    """
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace").strip()]
    if isinstance(value, str):
        return [value.strip()]
    if f is not None and type(value).__name__ == "Reference":  # an HDF5 object reference
        return [" ".join(_strings(f[value], f))]
    if f is not None and hasattr(value, "attrs") and hasattr(value, "dtype"):  # a data set
        cls = _matlab_class(value)
        if _matlab_empty(value):
            return []
        if cls == "char":
            return _chars(value[()])
        if cls is not None and cls not in _MATLAB_NUMERIC and cls != "cell":
            raise ValueError(f"MATLAB {cls} values are not read (save text as char or a cellstr)")
        if value.dtype.kind in "SU" or h5_string(value):
            value = value.asstr()[()]
        else:
            value = value[()]  # numbers, or references (a MATLAB cell): resolved below
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v, f)]
    arr = np.asarray(value)
    if arr.dtype.kind == "O":
        if arr.ndim == 0:
            item = arr.item()
            if isinstance(item, (str, bytes, list, tuple)) or type(item).__name__ == "Reference":
                return _strings(item, f)
            raise ValueError(f"not text ({type(item).__name__})")
        # (h5py ravels in MATLAB's column-major order: a v7.3 array is stored transposed)
        return [" ".join(_strings(v, f)) for v in arr.ravel()]
    if arr.dtype.kind == "S":
        return [v.decode("utf-8", "replace").strip() for v in arr.ravel()]
    if arr.dtype.kind == "U":
        return [str(v).strip() for v in arr.ravel()]
    if arr.dtype.kind in "iuf":
        return [f"{v:g}" for v in arr.ravel().tolist()]
    raise ValueError(f"not text (dtype {arr.dtype})")


def h5_string(ds: Any) -> bool:
    """Whether an h5py data set holds strings (variable-length or fixed)."""
    try:
        import h5py

        return h5py.check_string_dtype(ds.dtype) is not None
    except ImportError:  # pragma: no cover - only called on h5py objects
        return False


def _number(value: Any) -> float:
    if hasattr(value, "attrs") and hasattr(value, "dtype"):  # an h5py data set
        if not _is_numeric_array(value) or _matlab_empty(value):
            raise ValueError("not a number")
        value = value[()]
    arr = np.asarray(value)
    if arr.dtype.kind in "SU":
        return float(arr.ravel()[0])
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise ValueError("not a single number")
    return float(arr.ravel()[0])


#: Declared bytes from which a data set is checked for chunks never written.
_SPARSE_CHECK_BYTES = 1 << 30
#: ... and refused when its stored bytes are fewer than this fraction of them.
_SPARSE_FRACTION = 1e-3


def _check_written(ds: Any, name: str, n: int, k: int, src: str) -> None:
    """Refuse a chunked data set of over a GiB of which (almost) nothing was written.

    HDF5 reads a chunk never written as its fill value: a file of a few kB may declare
    10^9 samples (an interrupted logger's preallocation, a damaged header), which would
    be scored as hours of zeros, or read whole until memory runs out. Real samples never
    compress a thousandfold, so a data set storing under a thousandth of its declared
    bytes is refused in one line.
    """
    declared = int(ds.size) * int(ds.dtype.itemsize)
    if ds.chunks is None or declared < _SPARSE_CHECK_BYTES:
        return
    stored = int(ds.id.get_storage_size())
    if stored < _SPARSE_FRACTION * declared:
        raise RecordingError(
            f"{name!r} declares {n} samples x {k} channels ({declared / 2**30:.1f} GiB) but "
            f"stores {stored / 2**20:.2g} MB: most of it was never written (an interrupted "
            "recording, or a damaged file?)",
            src,
        )


def _shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(str(int(d)) for d in shape) if shape else "scalar"


def _long_dims(shape: tuple[int, ...]) -> int:
    return sum(int(d) > 1 for d in shape)


def _orient(shape: tuple[int, ...], what: str, src: str) -> tuple[int, int, int]:
    """``(n, k, samples_axis)`` of a 1-D or 2-D signal; samples are the longer axis."""
    if len(shape) == 1:
        return int(shape[0]), 1, 0
    if len(shape) != 2:
        raise RecordingError(
            f"{what} has {len(shape)} dimensions ({_shape_text(shape)}): need samples x channels",
            src,
        )
    a, b = int(shape[0]), int(shape[1])
    return (a, b, 0) if a >= b else (b, a, 1)


def _orient_note(name: str, shape: tuple[int, ...], n: int, k: int, axis: int) -> str:
    how = "transposed: " if axis == 1 else ""
    return (
        f"{name!r} ({_shape_text(shape)} in the file) read as {n} samples x {k} channels "
        f"({how}samples are the longer axis)"
    )


def _base(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _pick(
    candidates: dict[str, Any],
    listing: list[str],
    src: str,
    kind: str,
    data_is: str | None = None,
) -> tuple[str, Any]:
    """The signal: ``data`` at the top, else the only entry named ``data`` (in a struct or
    group), else the only numeric matrix; else an error saying what the file holds.

    ``data_is``: what a top-level ``data`` that is no candidate is (``"a struct"``, ``"a
    group"``), so the error does not say there is no ``data``.
    """
    if "data" in candidates:
        return "data", candidates["data"]
    named = [name for name in candidates if _base(name) == "data"]
    if len(named) == 1:
        return named[0], candidates[named[0]]
    if len(named) > 1:
        raise RecordingError(
            f"{len(named)} {kind}s named 'data' ({', '.join(named[:6])}): keep one", src
        )
    if not listing:
        raise RecordingError(f"the file holds no {kind}s", src)
    no_data = (
        f"no numeric {kind} named 'data' ('data' is {data_is})"
        if data_is
        else f"no {kind} named 'data'"
    )
    mats = [
        name
        for name, v in candidates.items()
        if _is_numeric_array(v)
        and not _matlab_empty(v)
        and _long_dims(tuple(v.shape)) == 2
        and _base(name).lower() not in (*_FS_KEYS, *_META_KEYS)
    ]
    if len(mats) == 1:
        return mats[0], candidates[mats[0]]
    if mats:
        raise RecordingError(
            f"{no_data} and {len(mats)} numeric matrices "
            f"({', '.join(mats[:6])}{', ...' if len(mats) > 6 else ''}): name the signal 'data'",
            src,
        )
    there = ", ".join(listing[:12]) + (", ..." if len(listing) > 12 else "")
    raise RecordingError(f"{no_data} and no numeric matrix (the file holds {there})", src)


def _look(found: Any, keys: tuple[str, ...]) -> tuple[str, Any] | None:
    """``(name, value)`` of the first of ``keys`` (lower case) that ``found`` (a dict, an
    h5py group or attribute set) has under any case; only that value is read."""
    lower: dict[str, str] = {}
    for name in found.keys():
        lower.setdefault(str(name).lower(), name)
    for key in keys:
        if key in lower:
            return str(lower[key]), found[lower[key]]
    return None


@dataclass
class _Meta:
    fs: float | None = None
    channels: list[str] | None = None
    modality: str | None = None
    units: str | None = None
    time: Any = None
    notes: dict[str, str] = field(default_factory=dict)


def _metadata(places: list[tuple[str, Any]], f: Any, src: str, k: int) -> _Meta:
    """The rate, ``channels``, ``modality``, ``units`` and ``time`` from ``places``:
    ``(where, mapping)`` in order of precedence, each value taken from the first place
    that has it (``time`` only from the first: the signal's own workspace / group)."""
    meta = _Meta()
    for i, (where, found) in enumerate(places):
        if meta.fs is None and (hit := _look(found, _FS_KEYS)) is not None:
            try:
                fs = _number(hit[1])
            except (ValueError, TypeError):
                raise RecordingError(
                    f"{hit[0]!r}{where} is not a number (sampling rate)", src
                ) from None
            if not (np.isfinite(fs) and fs > 0):
                raise RecordingError(f"{hit[0]!r}{where} is not a positive rate ({fs:g})", src)
            meta.fs = fs
            meta.notes["fs"] = f"sampling rate from {hit[0]!r}{where}"
        for key in ("channels", "modality", "units"):
            if getattr(meta, key) is not None or (hit := _look(found, (key,))) is None:
                continue
            try:
                text = _strings(hit[1], f)
            except (ValueError, TypeError, KeyError) as exc:
                # optional text: the signal is still usable (default names, --modality...)
                msg = f"{hit[0]!r}{where} not read ({exc}); ignored"
                warnings.warn(f"{src}: {msg}", stacklevel=4)
                meta.notes[key] = msg
                continue
            setattr(meta, key, text if key == "channels" else (" ".join(text) or None))
        if i == 0 and (hit := _look(found, ("time",))) is not None:
            meta.time = hit[1]
    if meta.channels is not None and len(meta.channels) != k:
        raise RecordingError(f"'channels' has {len(meta.channels)} names for {k} channels", src)
    return meta


def _time_array(value: Any, n: int, src: str) -> np.ndarray:
    """A ``time`` variable / data set: seconds from the first sample."""
    if hasattr(value, "attrs") and hasattr(value, "dtype"):
        value = value[()] if _is_numeric_array(value) else None
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise RecordingError("'time' is not numeric", src)
    t = arr.astype(np.float64).ravel()
    if t.size != n:
        raise RecordingError(f"'time' has {t.size} values for {n} samples", src)
    return t - t[0]


def _channels(meta: _Meta, k: int) -> list[str]:
    return meta.channels if meta.channels is not None else [f"ch{i + 1}" for i in range(k)]


# -- HDF5 (and MATLAB v7.3) ---------------------------------------------------------------------


def open_hdf5(path: Path, *, read_time: bool = True) -> RawSignal:
    """Open an HDF5 file (``.h5``, ``.hdf5`` or MATLAB v7.3 ``.mat``) lazily.

    What :func:`read_hdf5` returns, except that ``data`` is an :class:`H5Rows` (rows
    read when sliced). With ``read_time=False`` a ``time`` data set is not read (its
    name is kept in ``data.time_name``), so opening a long file stays cheap.
    """
    src = str(path)
    label = "MATLAB v7.3" if path.suffix.lower() == ".mat" else "HDF5"
    if hdf5_offset(path) is None:
        raise RecordingError("not an HDF5 file (no HDF5 signature)", src)
    h5py = _h5py(_what(path))
    try:
        f = h5py.File(path, "r")
    except Exception as exc:  # noqa: BLE001 - h5py raises OSError and others for bad files
        # (HDF5's "truncated file: eof = ..., stored_eof = ..." says it in its own terms)
        why = (
            "truncated: shorter than its HDF5 header declares"
            if "truncated file" in str(exc)
            else _one_line(exc)
        )
        raise RecordingError(f"not a readable {label} file ({why})", src) from None
    kind = "data set" if label == "HDF5" else "variable"
    with f:
        found: dict[str, Any] = {}
        listing: list[str] = []

        def visit(name: str, obj: Any) -> None:
            if name.startswith(("#refs#", "#subsystem#")) or not isinstance(obj, h5py.Dataset):
                return
            found[name] = obj
            cls = _matlab_class(obj)
            shape = tuple(obj.shape)
            if cls is not None:  # MATLAB's own order (v7.3 stores arrays transposed)
                shape = shape[::-1]
            listing.append(f"{name} ({_shape_text(shape)} {cls or obj.dtype})")

        try:
            f.visititems(visit)
            data_is = None
            if f.get("data", getclass=True) is h5py.Group:  # (a MATLAB struct is a group)
                data_is = "a struct" if _matlab_class(f["data"]) == "struct" else "a group"
            name, ds = _pick(found, listing, src, kind, data_is)
            if not _is_numeric_array(ds):
                raise RecordingError(
                    f"{name!r} is not numeric ({_matlab_class(ds) or ds.dtype})", src
                )
            if ds.dtype.kind == "b" or _matlab_class(ds) == "logical":
                raise RecordingError(f"{name!r} is logical (true/false), not samples", src)
            shape = tuple(ds.shape)
            if _matlab_empty(ds) or 0 in shape:
                raise RecordingError(f"no samples in the file ({name!r} is empty)", src)
            n, k, axis = _orient(shape, repr(name), src)
            _check_written(ds, name, n, k, src)
            group = ds.parent
            gname = group.name.strip("/")
            places: list[tuple[str, Any]] = [
                (f" in {gname!r}" if gname else "", group),
                (f" (attribute of {name!r})", ds.attrs),
            ]
            if gname:
                places.append((f" (attribute of {gname!r})", group.attrs))
            places.append((" (attribute of the file)", f.attrs))
            meta = _metadata(places, f, src, k)
            rows = H5Rows(src, ds.name, n, k, axis)
            time_arr = None
            if meta.time is not None:
                rows.time_name = getattr(meta.time, "name", None)
                if read_time:
                    time_arr = _time_array(meta.time, n, src)
        except RecordingError:
            raise
        except Exception as exc:  # noqa: BLE001 - corrupt object headers, odd attributes
            raise RecordingError(f"not a readable {label} file ({_one_line(exc)})", src) from None
    meta.notes["signal"] = _orient_note(name, shape, n, k, axis)
    return RawSignal(
        data=rows,  # type: ignore[arg-type]
        channels=_channels(meta, k),
        fs=meta.fs,
        time=time_arr,
        units=meta.units,
        modality=meta.modality,
        notes=meta.notes,
    )


@register_reader(".h5", ".hdf5", extra="hdf5", description="HDF5: 'data' + optional 'fs'... (h5py)")
def read_hdf5(path: Path) -> RawSignal:
    """Read an HDF5 file (``.h5``, ``.hdf5``; also a MATLAB v7.3 ``.mat``) with h5py.

    The signal is the data set ``data`` (at the root, else the only one so named in a
    group, else the only numeric 2-D data set), with an optional sampling rate ``fs``
    (or ``Fs``, ``srate``, ``sfreq``, ``sampling_rate``, ``SamplingRate``,
    ``SamplingFrequency``, any case) as a scalar data set beside it or as an attribute of
    the data set, its group or the file, and optional ``channels`` (strings, bytes or
    text), ``modality``, ``units`` and ``time`` found the same way. **Samples are the
    longer axis**: ``(samples, channels)`` and ``(channels, samples)`` are read alike.
    :func:`open_hdf5` gives the same rows on demand (streaming).

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    RawSignal
    """
    raw = open_hdf5(path)
    rows = raw.data
    try:
        raw.data = rows[:]  # type: ignore[index]
    finally:
        rows.close()  # type: ignore[attr-defined]
    return raw


# -- MATLAB ------------------------------------------------------------------------------------


def _walk(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Variables of a loadmat workspace, struct fields as ``struct/field`` (any depth)."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        if key.startswith("__"):
            continue
        name = prefix + key
        out[name] = value
        if isinstance(value, dict):
            out.update(_walk(value, name + "/"))
    return out


def _is_sparse(value: Any) -> bool:
    return type(value).__module__.startswith("scipy.sparse")


def _describe(value: Any) -> str:
    """A loadmat value in MATLAB's words (``3000x3 float64``, ``struct``, ``2 cell``...)."""
    if isinstance(value, dict):
        return "struct"
    if isinstance(value, str):
        return "char"
    if isinstance(value, list):
        return "cell"
    if _is_sparse(value):
        return f"{_shape_text(value.shape)} sparse"
    kind = {"MatlabFunction": "function handle", "MatlabOpaque": "object"}.get(type(value).__name__)
    if kind:
        return kind
    arr = np.asarray(value)
    shape = _shape_text(arr.shape)
    if arr.dtype.kind == "O":  # (loadmat's cell array)
        return f"{shape} cell"
    if arr.dtype.kind in "SU":  # (a char matrix: one string per row)
        return f"{shape} char"
    return f"{shape} {arr.dtype.name}"  # (float64, not >f8: the byte order says nothing)


#: The size of the header of a MATLAB v5/v7 file (v4 files have none: a zero byte in the
#: first 4, which is a matrix's type code).
_MAT5_HEADER = 128


def _mat_header_check(path: Path, src: str) -> None:
    """Refuse, in one line, a file with no MATLAB header (or cut within it).

    scipy says these as "Unknown mat file type, version 111, 32", an IndexError or
    "buffer is too small for requested array" (the same test as scipy's
    ``matfile_version``: a v4 file has a zero in its first 4 bytes; a v5/v7 header ends
    in the version, 1 or 2, and ``IM`` or ``MI``).
    """
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(_MAT5_HEADER)
    except OSError as exc:
        raise RecordingError(f"cannot read ({exc.strerror or exc})", src) from None
    if size == 0:
        raise RecordingError("the file is empty", src)
    what = "not a readable MATLAB file"
    if head[:20] == bytes(20):
        raise RecordingError(f"{what} (it starts with 20 zero bytes: no MATLAB header)", src)
    if len(head) < 20:
        raise RecordingError(f"{what} (truncated: {size} bytes)", src)
    if 0 in head[:4]:
        return  # a v4 file: no header (a damaged one is said when read)
    if len(head) < _MAT5_HEADER:
        raise RecordingError(
            f"{what} (truncated: {size} bytes, shorter than the {_MAT5_HEADER}-byte MATLAB header)",
            src,
        )
    version = head[125] if head[126:127] == b"I" else head[124]
    if version not in (1, 2):
        why = "its header names no MATLAB version" if head.startswith(b"MATLAB") else None
        raise RecordingError(f"{what} ({why or 'no MATLAB header'})", src)


def _mat_error(exc: BaseException) -> str:
    """What a failed ``scipy.io.loadmat`` of a file with a MATLAB header means, in words."""
    import zlib

    text = str(exc)
    if isinstance(exc, OSError) and "could not read bytes" in text:
        return "truncated or damaged: a variable runs past the end of the file"
    if isinstance(exc, zlib.error):
        detail = text.split(": ", 1)[-1]  # ("Error -3 while decompressing data: ...")
        return f"damaged: a compressed variable does not decompress: {detail}"
    if "Did not fully consume compressed contents" in text:
        return "damaged: a compressed variable does not end where its size says"
    if text.startswith("Not enough bytes to read matrix"):
        # (v4: followed by advice to call whosmat; a garbled name may be binary)
        name = text.split("'")[1] if text.count("'") >= 2 else ""
        shown = f" {name!r}" if name.isprintable() and 0 < len(name) <= 40 else ""
        return f"truncated or damaged: too few bytes for matrix{shown}"
    return _one_line(exc)


@register_reader(
    ".mat", description="MATLAB .mat: 'data' + optional 'fs'... (v4-v7.2 scipy; v7.3 h5py)"
)
def read_mat(path: Path) -> RawSignal:
    """Read a MATLAB ``.mat`` file.

    v4 to v7.2 files are read whole with :func:`scipy.io.loadmat` (a core dependency);
    v7.3 files (HDF5 underneath) need h5py (``pip install 'movement[hdf5]'``), are read
    as by :func:`read_hdf5`, and stream window by window.

    The signal is the variable ``data`` (else the only variable so named in a struct,
    else the only numeric matrix), with an optional sampling rate ``fs`` (or ``Fs``,
    ``srate``, ``sfreq``, ``sampling_rate``, ``SamplingRate``, ``SamplingFrequency``, any
    case) and optional ``channels`` (a cellstr or a char matrix, one name per channel),
    ``modality``, ``units`` and ``time`` (seconds) in the same workspace or struct.
    **Samples are the longer axis**: ``data`` may be samples x channels or channels x
    samples, and MATLAB v7.3's transposed (column-major) storage, where a samples x
    channels ``data`` appears in HDF5 as channels x samples, is read the right way round.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    RawSignal
    """
    src = str(path)
    if is_hdf5(path):
        return read_hdf5(path)
    import scipy.io

    _mat_header_check(path, src)
    try:
        mat = scipy.io.loadmat(path, simplify_cells=True)
    except NotImplementedError:  # v7.3 (scipy's message) without the HDF5 signature found
        raise RecordingError("a MATLAB v7.3 file without a readable HDF5 part", src) from None
    except Exception as exc:  # noqa: BLE001 - scipy raises many types for bad files
        raise RecordingError(f"not a readable MATLAB file ({_mat_error(exc)})", src) from None
    found = _walk(mat)
    listing = [f"{key} ({_describe(v)})" for key, v in found.items()]
    arrays = {key: v for key, v in found.items() if not isinstance(v, dict)}  # (no structs)
    data_is = "a struct" if isinstance(found.get("data"), dict) else None
    name, value = _pick(arrays, listing, src, "variable", data_is)
    if _is_sparse(value):  # (its numbers are there, but not as an array)
        raise RecordingError(
            f"{name!r} is a sparse matrix: save it full (in MATLAB: {_base(name)} = "
            f"full({_base(name)}))",
            src,
        )
    arr = np.asarray(value) if isinstance(value, np.ndarray) else None
    if arr is None or not _is_numeric_array(arr):
        raise RecordingError(f"{name!r} is not numeric ({_describe(value)})", src)
    logical = arr.dtype.kind == "b" or (
        "/" not in name  # (loadmat gives a logical as uint8: its class is in the header)
        and any(v == name and c == "logical" for v, _, c in scipy.io.whosmat(path))
    )
    if logical:  # (as a .npy of booleans: a mask, not samples)
        raise RecordingError(f"{name!r} is logical (true/false), not samples", src)
    if arr.ndim == 0 or arr.size == 0:
        what = "is empty" if arr.size == 0 else "is a single number"
        raise RecordingError(f"no samples in the file ({name!r} {what})", src)
    shape = tuple(arr.shape)
    n, k, axis = _orient(shape, repr(name), src)
    data = arr.reshape(n, 1) if arr.ndim == 1 else (arr.T if axis == 1 else arr)
    parent = name.rsplit("/", 1)[0] if "/" in name else ""
    scope = {
        _base(key): v
        for key, v in found.items()
        if (key.rsplit("/", 1)[0] if "/" in key else "") == parent
    }
    meta = _metadata([(f" in {parent!r}" if parent else "", scope)], None, src, k)
    time_arr = _time_array(meta.time, n, src) if meta.time is not None else None
    meta.notes["signal"] = _orient_note(name, shape, n, k, axis)
    return RawSignal(
        data=np.ascontiguousarray(data, dtype=np.float64),
        channels=_channels(meta, k),
        fs=meta.fs,
        time=time_arr,
        units=meta.units,
        modality=meta.modality,
        notes=meta.notes,
    )
