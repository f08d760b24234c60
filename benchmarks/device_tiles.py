"""Long device files made of a real file's data blocks or pages, repeated on in time.

The benchmark and the tests need day- and week-long device files; the real ones shipped
here are 1-3 minutes. :func:`tile_geneactiv` repeats a GENEActiv ``.bin`` file's whole
pages (300 samples each), their ``Sequence Number`` and ``Page Time`` counted on and the
header's ``Number of Pages`` set to the new count. :func:`tile_cwa` repeats a file's
512-byte data blocks after its 1024-byte header, each copy moved on by the span of the
blocks plus one block period (the span as actfast times the blocks: needs the
``devices`` extra), so that a reader sees one continuous recording with the device's own
block timing and samples: block timestamps and their fractions rewritten, the timestamp
offset made good for the new fraction (actfast places a block by both), sequence numbers
counted on, the checksum made good again. (Until 0.8 the copies moved by whole seconds,
leaving a pause of under a second between them, which a reader now sees as a gap; a
file without fractional timestamps still is.) Blocks can be left out to make a hole, and
:func:`damage_cwa` spoils blocks of a file as a failing card or copy does (a bad checksum,
zeroed or erased sectors).

The fields (Axivity ``cwa.h``, OpenMovement): ``uint16`` device fraction at byte 4
(top bit set: the lower 15 bits are the time's fraction in 1/32768 s), ``uint32``
sequence number at 10, packed timestamp at 14 (``YYYYYYMM MMDDDDDh hhhhmmmm mmssssss``,
year from 2000), the sample rate code at 24 (``3200 / 2**(15 - (code & 15))`` Hz),
``int16`` timestamp offset (the sample the timestamp is of) at 26, and a ``uint16``
checksum at 510 that makes the block's 256 words sum to 0. actfast (``src/axivity``) takes
the timestamp with its fraction ``f`` (1/32768 s) to be that of sample ``offset +
((2 f) * rate) >> 16`` of the block, ``rate`` the integer ``1e9 // ns_per_sample``: a new
fraction keeps the block's samples where they were moved to when the offset takes up the
change of that second term.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

HEADER, BLOCK = 1024, 512


def _u16(b: np.ndarray, at: int) -> np.ndarray:
    return b[:, at].astype(np.int64) | (b[:, at + 1].astype(np.int64) << 8)


def _put_u16(b: np.ndarray, at: int, v: np.ndarray) -> None:
    b[:, at] = v & 0xFF
    b[:, at + 1] = (v >> 8) & 0xFF


def block_seconds(blocks: np.ndarray) -> np.ndarray:
    """Each block's timestamp (with its fraction) in seconds since 1970 (device time)."""
    # (the fraction: cwa.h's deviceFractional, top bit set)
    v = _u16(blocks, 14) | (_u16(blocks, 16) << 16)
    stamp = pd.to_datetime(
        {
            "year": ((v >> 26) & 0x3F) + 2000,
            "month": (v >> 22) & 0xF,
            "day": (v >> 17) & 0x1F,
            "hour": (v >> 12) & 0x1F,
            "minute": (v >> 6) & 0x3F,
            "second": v & 0x3F,
        }
    )
    sec = stamp.to_numpy().astype("datetime64[s]").astype(np.int64).astype(np.float64)
    frac = _u16(blocks, 4)
    return sec + np.where(frac & 0x8000, (frac & 0x7FFF) / 32768.0, 0.0)


def _set_seconds(blocks: np.ndarray, seconds: np.ndarray) -> None:
    """Block timestamps set to whole ``seconds`` (the fractions are left as they are)."""
    t = pd.DatetimeIndex(seconds.astype(np.int64).astype("datetime64[s]"))
    v = (
        ((t.year.to_numpy(np.int64) - 2000) << 26)
        | (t.month.to_numpy(np.int64) << 22)
        | (t.day.to_numpy(np.int64) << 17)
        | (t.hour.to_numpy(np.int64) << 12)
        | (t.minute.to_numpy(np.int64) << 6)
        | t.second.to_numpy(np.int64)
    )
    _put_u16(blocks, 14, v & 0xFFFF)
    _put_u16(blocks, 16, v >> 16)


def _checksum(blocks: np.ndarray) -> None:
    blocks[:, 510:512] = 0
    words = blocks.view("<u2").astype(np.int64)
    _put_u16(blocks, 510, (-words.sum(axis=1)) & 0xFFFF)


def tile_cwa(
    src: str | Path,
    dst: str | Path,
    copies: int,
    drop: tuple[int, int] | None = None,
    per_write: int = 20_000,
) -> Path:
    """Write ``copies`` copies of ``src``'s data blocks one after another to ``dst``.

    Parameters
    ----------
    src, dst : path
        A ``.cwa`` file with a 1024-byte header and whole data blocks; the new file.
    copies : int
        How many times the blocks are repeated (each copy starts one block period after
        the previous copy's last block).
    drop : (int, int), optional
        Blocks ``[a, b)`` of the new file left out (a hole in the recording).
    per_write : int
        Blocks made and written at a time (a week is ~500,000 blocks).
    """
    raw = np.fromfile(src, dtype=np.uint8)
    head = raw[:HEADER]
    base = raw[HEADER:].reshape(-1, BLOCK)
    base = base[(base[:, 0] == ord("A")) & (base[:, 1] == ord("X"))]
    whole = np.floor(block_seconds(base))
    k = len(base)
    # (each copy moved on by the blocks' span as actfast times them plus one block: in
    # 1/32768 s, the fractions' unit, when the blocks have fractions; else by whole
    # seconds, rounded up)
    import actfast

    lf = actfast.read(str(src))["timeseries"]["low_frequency"]["datetime"] / 1e9
    exact = (lf[-1] - lf[0]) * k / (k - 1) if k > 1 else 1.0
    frac = _u16(base, 4)
    fractional = bool(frac[0] & 0x8000)
    period = float(np.ceil(exact))
    if fractional:
        ticks = int(round(exact * 32768))  # (a copy's move, in 1/32768 s)
        code = int(base[0, 24]) & 15
        ns = 312_500 << (15 - code) if code <= 15 else 312_500 >> (code - 15)
        freq = 10**9 // ns  # (actfast's integer rate)
        offset = _u16(base, 26)
        offset = np.where(offset >= 0x8000, offset - 0x10000, offset)

        def pull(f: np.ndarray) -> np.ndarray:  # (the samples actfast moves a block by)
            return ((f << 1) * freq) >> 16

    seq0 = int(_u16(base[:1], 10)[0] | (_u16(base[:1], 12)[0] << 16))
    total = k * copies
    dst = Path(dst)
    with open(dst, "wb") as fh:
        fh.write(head.tobytes())
        for a in range(0, total, per_write):  # loop over pieces of blocks (not samples)
            i = np.arange(a, min(total, a + per_write))
            if drop is not None:
                i = i[(i < drop[0]) | (i >= drop[1])]
            if not len(i):
                continue
            b = base[i % k].copy()
            if fractional:
                f = frac[i % k] & 0x7FFF
                moved = f + (i // k) * ticks
                new = moved % 32768
                _set_seconds(b, whole[i % k] + moved // 32768)
                _put_u16(b, 4, 0x8000 | new)
                _put_u16(b, 26, (offset[i % k] + pull(f) - pull(new)) & 0xFFFF)
            else:
                _set_seconds(b, whole[i % k] + (i // k) * period)
            seq = seq0 + i
            _put_u16(b, 10, seq & 0xFFFF)
            _put_u16(b, 12, (seq >> 16) & 0xFFFF)
            _checksum(b)
            fh.write(b.tobytes())
    return dst


def damage_cwa(path: str | Path, blocks: range | list[int], how: str = "checksum") -> Path:
    """Spoil data blocks ``blocks`` (counted from 0 after the header) of the ``.cwa`` file
    ``path`` in place: ``"checksum"`` flips a sample byte (its checksum then fails),
    ``"zero"`` and ``"erased"`` fill the 512 bytes with 0x00 or 0xFF."""
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    b = raw[HEADER:].reshape(-1, BLOCK)  # (a view: written back below)
    i = np.asarray(list(blocks), dtype=np.int64)
    if how == "checksum":
        b[i, 100] ^= 0x5A
    elif how in ("zero", "erased"):
        b[i] = 0x00 if how == "zero" else 0xFF
    else:
        raise ValueError(f"how must be checksum, zero or erased, not {how!r}")
    raw.tofile(path)
    return path


def tile_geneactiv(src: str | Path, dst: str | Path, copies: int) -> Path:
    """Write ``copies`` copies of the whole pages of a GENEActiv ``.bin`` file ``src``.

    Each copy's page times follow on from the previous copy's at the header's rate (its
    pages are ``300 / rate`` s apart); a partial last page of ``src`` is left out.
    """
    raw = Path(src).read_bytes()
    mark = b"Recorded Data"
    starts = [i for i in range(len(raw)) if raw.startswith(mark, i) and raw[i - 1 : i] == b"\n"]
    head, pages = raw[: starts[0]], []
    for a, b in zip(starts, [*starts[1:], len(raw)], strict=True):
        page = raw[a:b]
        lines = page.splitlines()
        if len(lines) >= 10 and len(lines[9].strip()) == 300 * 12:  # (a whole page)
            pages.append(page)
    rate = float(re.search(rb"Measurement Frequency:\s*([\d.]+)", head).group(1))
    k = len(pages)
    t0 = pd.Timestamp(re.search(rb"Page Time:(\S+ \S+)", pages[0]).group(1).decode()[:-4])
    head = re.sub(rb"Number of Pages:\d+", b"Number of Pages:%d" % (k * copies), head)
    dst = Path(dst)
    with open(dst, "wb") as fh:
        fh.write(head)
        for i in range(k * copies):  # loop over pages (300 samples each)
            t = t0 + pd.Timedelta(seconds=i * 300 / rate)
            stamp = t.strftime("%Y-%m-%d %H:%M:%S:") + f"{t.microsecond // 1000:03d}"
            page = re.sub(rb"Sequence Number:\d+", b"Sequence Number:%d" % i, pages[i % k])
            fh.write(re.sub(rb"Page Time:\S+ \S+", b"Page Time:" + stamp.encode(), page))
    return dst


def tile_gt3x(src: str | Path, dst: str | Path, copies: int) -> Path:
    """Write ``copies`` copies of the records of an ActiGraph ``.gt3x`` file's log.

    The records before its first samples (the settings) are kept once; the rest are
    repeated, each copy's timestamps (uint32 seconds at byte 2 of a record) moved on by
    the span from its first record of samples to its last record, plus 1 s, and each
    record's checksum (the complement of the XOR of its bytes) made good again;
    ``info.txt``'s ``Last Sample Time`` (ticks of 100 ns) moves on by as much.
    """
    import zipfile

    with zipfile.ZipFile(src) as z:
        info = z.read("info.txt").decode("utf-8")
        log = z.read("log.bin")
    recs, i = [], 0
    while i < len(log):  # loop over records
        size = int.from_bytes(log[i + 6 : i + 8], "little")
        recs.append((i, i + 9 + size, log[i + 1], int.from_bytes(log[i + 2 : i + 6], "little")))
        i += 9 + size
    first = next(k for k, r in enumerate(recs) if r[2] in (0x00, 0x1A))
    period = recs[-1][3] - recs[first][3] + 1
    body = [bytearray(log[a:b]) for a, b, _, _ in recs[first:]]
    stamps = [r[3] for r in recs[first:]]
    out = bytearray(log[: recs[first][0]])
    for c in range(copies):  # loop over copies (records within)
        for rec, ts in zip(body, stamps, strict=True):
            r = bytearray(rec)
            r[2:6] = (ts + c * period).to_bytes(4, "little")
            x = 0
            for byte in r[:-1]:  # (a record's bytes: up to a few hundred)
                x ^= byte
            r[-1] = ~x & 0xFF
            out += r
    last = re.search(r"Last Sample Time: (\d+)", info)
    if last:
        moved = int(last.group(1)) + (copies - 1) * period * 10**7
        info = info.replace(last.group(0), f"Last Sample Time: {moved}")
    dst = Path(dst)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("log.bin", bytes(out))
        z.writestr("info.txt", info)
    return dst
