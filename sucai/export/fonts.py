"""The fonts of a 公文 and what stands in for them where they are not installed.

GB/T 9704-2012 names 方正小标宋 (title), 仿宋 (body), 黑体 and 楷体 (headings)
and 宋体 (page numbers); Chinese offices write them as 方正小标宋简体, 仿宋_GB2312,
黑体 and 楷体_GB2312. :data:`FALLBACKS` lists, for each, the fonts people use
in their place, best first: the Windows names (仿宋 = FangSong, 楷体 = KaiTi,
宋体 = SimSun, 黑体 = SimHei), the macOS ones (华文仿宋 = STFangsong…), then
open fonts that Linux machines have (Fandol from TeX Live, AR PL UMing / UKai
from fonts-arphic-*, Noto Serif / Sans CJK SC from fonts-noto-cjk).

Two readers use the table:

- the .docx font table (``word/fontTable.xml``, ECMA-376 §17.8.3.1): each font
  of the document is declared with its first fallback as ``w:altName``, the
  GB2312 character set (``w:charset 86``) and its family (roman for the
  Song/FangSong/Kai faces, swiss for 黑体), which is what Word and WPS use to
  substitute a missing font;
- fontconfig, which LibreOffice on Linux asks for every font (LibreOffice does
  not read ``w:altName``): :func:`fontconfig_aliases` is a fontconfig file
  that maps each name to its fallbacks, in order (``fc-match 仿宋_GB2312``
  then answers with the first one installed).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

FALLBACKS: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("华文中宋", "STZhongsong", "宋体", "SimSun", "Noto Serif CJK SC"),
    "仿宋_GB2312": ("仿宋", "FangSong", "STFangsong", "华文仿宋", "FandolFang", "AR PL UMing CN"),
    "仿宋": ("FangSong", "STFangsong", "华文仿宋", "FandolFang", "AR PL UMing CN"),
    "楷体_GB2312": ("楷体", "KaiTi", "STKaiti", "华文楷体", "FandolKai", "AR PL UKai CN"),
    "楷体": ("KaiTi", "STKaiti", "华文楷体", "FandolKai", "AR PL UKai CN"),
    "黑体": ("SimHei", "STHeiti", "华文黑体", "FandolHei", "Noto Sans CJK SC"),
    "宋体": ("SimSun", "STSong", "华文宋体", "FandolSong", "Noto Serif CJK SC"),
}
_SANS = ("黑体", "Hei", "Sans")


def family(name: str) -> str:
    """The font table's ``w:family`` of ``name``: ``swiss`` for a 黑体 (sans serif), else ``roman``."""
    return "swiss" if any(mark in name for mark in _SANS) else "roman"


def fontconfig_aliases(names: list[str] | None = None) -> str:
    """A fontconfig configuration (``fonts.conf`` syntax) that makes each of ``names`` (default: every
    font of :data:`FALLBACKS`) resolve to its fallbacks in order, for LibreOffice and other fontconfig
    users. Put it in ``~/.config/fontconfig/conf.d/`` (or ``/etc/fonts/conf.d/``)."""
    aliases = []
    for name in names or FALLBACKS:
        prefer = "".join(f"<family>{escape(f)}</family>" for f in FALLBACKS.get(name, ()))
        aliases.append(f'  <alias binding="same"><family>{escape(name)}</family><prefer>{prefer}</prefer></alias>')
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            + "\n".join(aliases) + "\n</fontconfig>\n")
