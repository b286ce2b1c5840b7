"""Plain text and markdown: encoding detection and decoding.

Order: a BOM (UTF-8, UTF-32, UTF-16) decides; else strict UTF-8 (the common
case); else charset-normalizer's candidates, best first. Any GB2312/GBK label is
decoded as GB18030 (its superset), so GBK-only characters such as "囧" survive.
Every decode is strict: a file no candidate decodes cleanly is refused, never
turned into U+FFFD soup.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from sucai.errors import ReadError
from sucai.readers.raw import RawDocument, finish

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
_GB_ALIASES = {"gb2312", "gbk", "cp936", "ms936", "hz", "euc-cn", "x-gbk", "gb18030"}


def canonical_encoding(label: str) -> str | None:
    """The Python codec name for an encoding label ("GB2312" → "gb18030", "UTF8" → "utf-8"), None if unknown."""
    label = label.strip().lower()
    if label in _GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_ALIASES else name


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _bom_codec(data: bytes) -> tuple[str, str] | None:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name
    return None


def _plausible(text: str, encoding: str, has_nul: bool) -> bool:
    """UTF-16/32 without a BOM only when the bytes hold NULs (ASCII in UTF-16); NUL-free text otherwise."""
    wide = encoding.startswith(("utf-16", "utf-32"))
    return wide == has_nul and "\ufffd" not in text


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to (text, encoding name); ``text`` may still have a BOM and CR line ends.

    ``declared`` is an encoding the container names (an html ``<meta charset>``);
    it is tried after a BOM and strict UTF-8 (valid UTF-8 beats a stale label). Raises ReadError code "undecodable" (the
    message names what was tried) when no encoding decodes the bytes cleanly.
    """
    bom = _bom_codec(data)
    if bom:
        codec, name = bom
        text = _strict(data, codec)
        if text is None:
            raise ReadError(
                f"文件开头有 {name} 字节顺序标记（BOM），但内容不是有效的 {name}，请另存为 UTF-8 后重试",
                code="undecodable",
            )
        return text, name
    tried = []
    for codec in filter(None, ("utf-8", canonical_encoding(declared) if declared else None)):
        tried.append(codec)
        text = _strict(data, codec)
        if text is not None and "\x00" not in text:
            return text, codec
    has_nul = b"\x00" in data
    for match in from_bytes(data):
        codec = canonical_encoding(match.encoding) or match.encoding
        tried.append(codec)
        text = _strict(data, codec)
        if text is not None and _plausible(text, codec, has_nul):
            return text, codec
    raise ReadError(
        "无法识别文本编码（已尝试 " + "、".join(dict.fromkeys(tried)) + "），请另存为 UTF-8 后重试",
        code="undecodable",
    )


def read_text(data: bytes, fmt: str = "txt") -> RawDocument:
    """Read a .txt or .md file's bytes. ``fmt`` is "txt" or "md" (markdown marks are kept as written).

    Raises ReadError "undecodable" (see ``decode``) or "empty".
    """
    text, encoding = decode(data)
    return finish(text, fmt, encoding)
