"""Plain text and markdown: encoding detection and decoding.

Order: a BOM (UTF-8, UTF-32, UTF-16) decides; else strict UTF-8 (the common
case) unless its reading is implausible (the GBK bytes of "通知" are valid
UTF-8 but read as two combining marks); else the container's declared charset;
else the Chinese readings GB18030 and Big5, whichever has more of the common
characters of its own standard (GB 2312 level 1, Big5 常用字); else UTF-8 with
a few damaged bytes (:func:`_damaged_utf8`) or Chinese in UTF-16 without a BOM
(:func:`_chinese_utf16`); else charset-normalizer's candidates, where a codec
of another East Asian language
(cp949, johab, shift_jis, euc-jp…) counts only when its reading is written in
that language's own script (Hangul, kana) — short Chinese files are often
misdetected as those (case B26). Any GB2312/GBK label is decoded as GB18030 (its
superset), so GBK-only characters such as "囧" survive. Every decode is strict:
a file no candidate reads plausibly is refused, never stored as mojibake or
U+FFFD soup. The one tolerance: a file whose BOM names its encoding keeps a
few damaged units (a lone UTF-16 surrogate, a stray byte), at most one per
:data:`_DAMAGE_PER` characters, each as U+FFFD — and so does a file that is
UTF-8 but for a few damaged bytes (a download cut inside its last character),
never guessed to be in another codec, and Chinese in UTF-16 without a BOM. A file that mixes encodings — lines
Chinese in UTF-8 beside lines Chinese in GBK or Big5, a GBK file with a UTF-8 line appended — is refused, saying so
and naming the first line in the other encoding (:func:`_mixed_encodings`), even where GB18030 would decode it whole.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

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
# Code ranges of the characters ordinary Chinese text is made of, per standard: GB 2312 punctuation and
# full-width forms (A1A1–A3FE) and level-1 hanzi (B0A1–D7F9); Big5 punctuation (A140–A2FE) and 常用字 (A440–C67E).
_COMMON = {
    "gb18030": ("gb2312", ((0xA1A1, 0xA3FE), (0xB0A1, 0xD7F9))),
    "big5": ("big5", ((0xA140, 0xA2FE), (0xA440, 0xC67E))),
}
_DAMAGE_PER = 1_000  # characters per damaged unit a file with a BOM, or mostly UTF-8, may have (each read as U+FFFD)
_UTF8_VALID_PER = 10  # multi-byte characters per damaged unit that make a file UTF-8 with damage, not another codec
_CHINESE_MIN_SCORE = 0.6  # share of common characters a Chinese reading needs
_SCORED_CHARS = 20_000  # characters sampled for scores
_OWN_SCRIPT = {  # codec (normalised name prefix) → the script its language is written in
    "cp949": "HANGUL", "euc_kr": "HANGUL", "johab": "HANGUL", "iso2022_kr": "HANGUL",
    "shift_jis": "KATAKANA HIRAGANA", "cp932": "KATAKANA HIRAGANA", "euc_jis": "KATAKANA HIRAGANA",
    "euc_jp": "KATAKANA HIRAGANA", "iso2022_jp": "KATAKANA HIRAGANA",
}
_OWN_SCRIPT_MIN_SHARE = 0.3  # of the non-ASCII characters
_SUSPICIOUS_UTF8_SHARE = 0.2
_MD_FIRST_HEADING = re.compile(r"\s*#{1,6}[ \t]+\S")   # blank lines, then an ATX heading (CommonMark §4.2)
# Any character but those of ordinary Chinese text that are never suspicious (Latin-1 letters and signs,
# general punctuation, letterlike symbols, number forms, arrows, mathematical and technical symbols,
# enclosed numbers, box drawing and geometric shapes, CJK punctuation but its tone marks, CJK unified
# ideographs, full-width forms): a sample without one needs no look at each of its characters.
_UNORDINARY = re.compile("[^\x00-\x7f\u00a0-\u00ff\u2000-\u205e\u2100-\u218b\u2190-\u23ff\u2460-\u25ff"
                         "\u3000-\u3029\u3030-\u303f\u4e00-\u9fff\uff01-\uff60]")


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


def _slightly_damaged(data: bytes, codec: str) -> str | None:
    """``data`` decoded with U+FFFD for its damaged units when there are at most one per :data:`_DAMAGE_PER`
    characters (a lone surrogate in an otherwise good UTF-16 file), else None."""
    text = data.decode(codec, errors="replace")
    return text if text.count("\ufffd") <= max(1, len(text) // _DAMAGE_PER) else None


def _bom_codec(data: bytes) -> tuple[str, str] | None:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name
    return None


def _wide(text: str) -> list[str]:
    """The non-ASCII characters of (a sample of) ``text``."""
    return [c for c in text[: _SCORED_CHARS * 4] if ord(c) > 0x7F][:_SCORED_CHARS]


def chinese_score(text: str, codec: str) -> float:
    """Share (0–1) of the non-ASCII characters of ``text`` that are common characters of ``codec``'s standard.

    ``codec`` is "gb18030" (common = GB 2312 punctuation and level-1 hanzi) or
    "big5" (Big5 punctuation and 常用字). Genuine Chinese text scores near 1 in
    its own codec; the same bytes read in the other codec score far lower.
    Text without non-ASCII characters scores 0.
    """
    standard, ranges = _COMMON[codec]
    wide = _wide(text)

    def common(char: str) -> bool:
        try:
            code = int.from_bytes(char.encode(standard), "big")
        except UnicodeEncodeError:
            return False
        return any(low <= code <= high for low, high in ranges)

    return sum(map(common, wide)) / len(wide) if wide else 0.0


def _implausible_utf8(text: str) -> bool:
    """True when a strict UTF-8 reading looks like other bytes by chance: many combining marks with no
    letter to combine with, C1 controls, private-use or unassigned code points."""
    sample = text[: _SCORED_CHARS * 4]
    wide = len(sample) - len(sample.encode("ascii", "ignore"))
    if not wide or not _UNORDINARY.search(sample):
        return False
    suspicious = 0
    for char in set(sample):  # each distinct character once, not each occurrence
        if char <= "\x7f":
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Co", "Cn", "Cs"):
            suspicious += sample.count(char)
        elif category == "Mn":  # a combining mark counts where no letter (or the text's start) precedes it
            suspicious += sum(1 for m in re.finditer(re.escape(char), sample)
                              if not (sample[m.start() - 1] if m.start() else " ").isalpha())
    return suspicious / wide > _SUSPICIOUS_UTF8_SHARE


def _looks_utf16(data: bytes) -> bool:
    """NUL bytes mostly at one parity (ASCII or CJK text in UTF-16 without a BOM), not scattered NULs."""
    nuls = data.count(0)
    if not nuls or nuls < len(data) / 5:
        return False
    even = data[::2].count(0)
    return max(even, nuls - even) >= 0.9 * nuls


def _chinese_reading(data: bytes) -> tuple[str, str, float] | None:
    """The better of the GB18030 and Big5 readings as (text, codec, score), None when neither decodes."""
    readings = []
    for codec in _COMMON:
        text = _strict(data, codec)
        if text is not None:
            readings.append((text, codec, chinese_score(text, codec)))
    return max(readings, key=lambda reading: reading[2], default=None)  # a tie keeps GB18030


def _in_own_script(text: str, codec: str) -> bool:
    """False for a Korean or Japanese codec whose reading is not written in Hangul / kana."""
    script = next((s for prefix, s in _OWN_SCRIPT.items() if codec.replace("-", "_").startswith(prefix)), None)
    if script is None:
        return True
    wide = _wide(text)
    own = sum(1 for c in wide if unicodedata.name(c, "").split(" ")[0] in script.split())
    return bool(wide) and own / len(wide) >= _OWN_SCRIPT_MIN_SHARE


def _damaged_utf8(data: bytes) -> str | None:
    """The reading of a UTF-8 file with a few damaged bytes (a download cut inside its last character, a stray byte):
    U+FFFD for each damaged unit when there are at most one per :data:`_DAMAGE_PER` characters, as a file with a BOM
    may have; None when ``data`` is not mostly UTF-8 (fewer than :data:`_UTF8_VALID_PER` multi-byte characters read
    per damaged unit, or an implausible reading: :func:`_implausible_utf8`) or not damaged at all. Raises ReadError
    "undecodable" for a UTF-8 file damaged in more places: no other codec is guessed for it (charset-normalizer's
    cp1251 read "关于加强" with a stray byte as Cyrillic mojibake)."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - data.count("\ufffd".encode())
    read = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if not damaged or read < _UTF8_VALID_PER * damaged or _implausible_utf8(text):
        return None
    if damaged <= max(1, len(text) // _DAMAGE_PER):
        return text
    raise ReadError(f"文件是 utf-8 编码，但有 {damaged} 处字节已损坏（如下载不完整），请另存为 UTF-8 后重试",
                    code="undecodable")


_CODEC_NAMES = {"utf-8": "UTF-8", "gb18030": "GBK", "big5": "Big5"}


def _utf8_chinese(line: bytes) -> bool:
    """Whether one line of a file (bytes, without its line end) is Chinese in UTF-8: its strict UTF-8 reading is
    plausible and its common characters (:func:`chinese_score`) reach :data:`_CHINESE_MIN_SCORE`, its GB18030
    reading's not (a GBK line valid as UTF-8 by chance). Fast for a line that is not UTF-8."""
    text = None if line.isascii() else _strict(line, "utf-8")
    return (text is not None and not _implausible_utf8(text) and chinese_score(text, "gb18030") >= _CHINESE_MIN_SCORE
            and chinese_score(_strict(line, "gb18030") or "", "gb18030") < _CHINESE_MIN_SCORE)


def _line_reading(line: bytes) -> str | None:
    """The encoding in which one line of a file reads as Chinese: "utf-8" (:func:`_utf8_chinese`), else "gb18030" or
    "big5" as :func:`_chinese_reading` scores it, reaching :data:`_CHINESE_MIN_SCORE`; None for a line of ASCII or
    one that reads as Chinese in none of them."""
    if line.isascii():
        return None
    if _utf8_chinese(line):
        return "utf-8"
    reading = _chinese_reading(line)
    return reading[1] if reading and reading[2] >= _CHINESE_MIN_SCORE else None


def _mixed_encodings(data: bytes, reading: str | None = None) -> ReadError | None:
    """The error (code "undecodable") of a file that mixes encodings — lines that read as Chinese in UTF-8 beside
    lines that read as Chinese in GBK or Big5 (:func:`_line_reading`; a GBK file with a UTF-8 line appended) —
    naming the encoding of most such lines and the first line (numbered from 1) in another; None for a file that
    does not. ``reading``: the encoding ("gb18030", "big5") the whole file reads in as Chinese, when known: then
    only lines in UTF-8 are looked for (:func:`_utf8_chinese`), not each line scored. Linear in ``data``."""
    lines = enumerate(data.split(b"\n"), 1)
    if reading is None:
        readings = [(number, codec) for number, line in lines if (codec := _line_reading(line)) is not None]
        counts = Counter(codec for _, codec in readings)
        most = max(counts, key=counts.__getitem__) if len(counts) > 1 else None   # a tie: the first line's
    else:
        readings = [(number, "utf-8") for number, line in lines if _utf8_chinese(line)]
        most = reading if readings else None
    if most is None:
        return None
    number, other = next((number, codec) for number, codec in readings if codec != most)
    return ReadError(f"文件混用了两种编码：大部分行是 {_CODEC_NAMES[most]}，第 {number} 行却是 {_CODEC_NAMES[other]}，"
                     "请统一另存为 UTF-8 后重试", code="undecodable")


def _chinese_utf16(data: bytes) -> tuple[str, str] | None:
    """Chinese alone in UTF-16 without a BOM — no NUL byte, the sign :func:`_looks_utf16` looks for —: ``(text,
    codec)`` of the little- or big-endian reading whose common characters (:func:`chinese_score`, GB 2312's) reach
    :data:`_CHINESE_MIN_SCORE`, a few damaged units allowed as with a BOM (a file cut inside its last unit); None
    otherwise. charset-normalizer refused the one and read the other as Korean (cp949: Hangul mojibake)."""
    for codec in ("utf-16-le", "utf-16-be"):
        text = _slightly_damaged(data, codec)
        if text is not None and chinese_score(text, "gb18030") >= _CHINESE_MIN_SCORE:
            return text, codec
    return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to (text, encoding name); ``text`` may still have a BOM, CR line ends and NULs.

    ``declared`` is an encoding the container names (an html ``<meta charset>``);
    it is tried after a BOM and a plausible strict UTF-8 reading (valid UTF-8
    beats a stale label). Raises ReadError code "undecodable" (the message names
    what was tried) when no encoding reads the bytes cleanly and plausibly.
    """
    bom = _bom_codec(data)
    if bom:
        codec, name = bom
        text = _strict(data, codec) or _slightly_damaged(data, codec)
        if text is None:
            raise ReadError(
                f"文件开头有 {name} 字节顺序标记（BOM），但内容不是有效的 {name}，请另存为 UTF-8 后重试",
                code="undecodable",
            )
        return text, name
    utf16 = _looks_utf16(data)
    tried = ["utf-8"]
    text = _strict(data, "utf-8")
    if text is not None and not utf16 and not _implausible_utf8(text):
        return text, "utf-8"
    label = canonical_encoding(declared) if declared else None
    if label and label != "utf-8":
        tried.append(label)
        text = _strict(data, label)
        if text is not None and not utf16:
            return text, label
    chinese = None if utf16 else _chinese_reading(data)
    if chinese and chinese[2] >= _CHINESE_MIN_SCORE:
        if (mixed := _mixed_encodings(data, chinese[1])) is not None:
            raise mixed
        return chinese[0], chinese[1]
    tried += list(_COMMON)
    if not utf16 and (mixed := _mixed_encodings(data)) is not None:
        raise mixed
    damaged = None if utf16 else _damaged_utf8(data)
    if damaged is not None:
        return damaged, "utf-8"
    chinese16 = None if utf16 else _chinese_utf16(data)
    if chinese16 is not None:
        return chinese16
    for match in from_bytes(data):
        codec = canonical_encoding(match.encoding) or match.encoding
        if codec in _COMMON:
            continue  # judged above
        tried.append(codec)
        text = _strict(data, codec)
        wide = codec.startswith(("utf-16", "utf-32"))
        if text is not None and wide == utf16 and "\ufffd" not in text and _in_own_script(text, codec):
            return text, codec
    raise ReadError(
        "无法识别文本编码（已尝试 " + "、".join(dict.fromkeys(tried)) + "，读出的都不像正常文字），请另存为 UTF-8 后重试",
        code="undecodable",
    )


def read_text(data: bytes, fmt: str = "txt") -> RawDocument:
    """Read a .txt or .md file's bytes. ``fmt`` is "txt" or "md" (markdown marks are kept as written); a .txt whose
    first line that is not blank is a markdown heading (「# 标题」, CommonMark §4.2 — a scraper's markdown saved as
    .txt) is read as "md", so its marks are markup, not text of its title.

    Raises ReadError "undecodable" (see ``decode``) or "empty".
    """
    text, encoding = decode(data)
    return finish(text, "md" if fmt == "txt" and _MD_FIRST_HEADING.match(text) else fmt, encoding)
