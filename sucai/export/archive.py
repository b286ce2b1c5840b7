"""File names safe on every desktop system, and zip archives of exported documents.

Names: the characters Windows, macOS or Linux forbid or misread in a file name
(``\\ / : * ? " < > |``, control and invisible format characters such as
U+202E) are replaced or dropped, leading/trailing dots and spaces are trimmed,
Windows device names (CON, NUL, COM1…) are prefixed, and the stem is cut to
80 characters (≤ 240 UTF-8 bytes for Chinese, so stem + extension stays under
the 255-byte limit of ext4/APFS/NTFS). A name is never empty and never a path.

Index: ``索引.csv`` cells are neutralised against formula injection (:func:`csv_cell`).

Zips: member names are UTF-8 with general-purpose flag bit 11 (0x800) set for
non-ASCII names (APPNOTE.TXT §4.4.4, done by Python's ``zipfile``), so Windows
Explorer and macOS Archive Utility show Chinese names correctly.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable

MAX_STEM = 80
_ILLEGAL = re.compile(r'[\\/:*?"<>|]')
_SPACES = re.compile(r"\s+")
_DEVICE_NAMES = re.compile(r"(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", re.IGNORECASE)
# Formats whose bytes are already deflated; storing them again compressed costs time for nothing.
_STORED_SUFFIXES = (".docx",)


def safe_stem(title: str, fallback: str) -> str:
    """A file-name stem made from ``title``; ``fallback`` (e.g. "文档-12") when nothing usable is left.

    Never raises. The result contains no path separator, no control character and
    is at most ``MAX_STEM`` characters long.
    """
    spaced = _SPACES.sub(" ", title)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in ("Cc", "Cf"))
    stem = _ILLEGAL.sub("_", kept)[:MAX_STEM].strip(" ._")
    if not stem:
        return fallback
    return f"_{stem}" if _DEVICE_NAMES.fullmatch(stem) else stem


def unique_name(stem: str, suffix: str, taken: set[str]) -> str:
    """``stem + suffix``, or ``stem (2) + suffix``… when that name (ignoring case) is in ``taken``.

    The returned name is added to ``taken`` (a set of casefolded names).
    """
    name, n = stem + suffix, 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem} ({n}){suffix}"
    taken.add(name.casefold())
    return name


def index_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """CSV bytes in UTF-8 with a byte-order mark (so Excel reads Chinese) and CRLF line ends (RFC 4180).

    Every cell is written as text through :func:`csv_cell`, so that no cell is
    read as a formula by a spreadsheet program.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(map(csv_cell, header))
    writer.writerows(map(csv_cell, row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell that no spreadsheet evaluates: a cell starting with = + - @,
    a tab or a carriage return gets a leading apostrophe ("=1+1" → "'=1+1"), as the
    OWASP advice on CSV injection says; any other cell is ``str(value)``."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def zip_files(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip archive holding ``(name, data)`` pairs in order; names must already be unique and safe."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            stored = name.endswith(_STORED_SUFFIXES)
            archive.writestr(name, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()
