"""The names of organs (机关): what a body's name ends with, and a 署名 line that is one.

Shared by the metadata (:mod:`sucai.metadata.issuers`: the 来源 a title, a 落款 or a folder names) and the 公文
elements (:mod:`sucai.elements`: a 发文机关署名 with no 成文日期 under it), so that a line is a body's name for both by
one rule. Offsets are characters of the string given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"

# What an organisation's name ends with.
_ORG_END = (
    r"(?:人民政府|政府|办公厅|办公室|人民代表大会常务委员会|人民代表大会|常务委员会|委员会|人民法院|人民检察院"
    r"|中央|军委|党委|党组|纪委|监委|总局|管理局|局|部|委|厅|署|院|办|总会|联合会|协会|集团|公司|中心|社|台|网|报)"
)
ORG = re.compile(rf"[{_HAN}（）()]{{1,30}}?{_ORG_END}")
ORGS = rf"[{_HAN}（）()]{{2,30}}?{_ORG_END}(?:[、，,\s]+[{_HAN}（）()]{{2,30}}?{_ORG_END}){{0,3}}"
_SIGNATURE = re.compile(rf"^(?P<org>{ORGS})$")
_SPEAKER = re.compile(
    rf"^(?P<org>[{_HAN}]{{2,20}}(?:人民政府|政府|委员会))\s*(?:代理|代)?(?:省长|市长|区长|县长|州长|旗长|盟长|主席|主任)\s*[{_HAN}·]{{2,5}}$")
# A unit and the person who signs for it, apart (a 述职报告's or a 总结's 落款: 「市行政审批服务局审批科　李某某」,
# 「县财政局办公室　张某某」): the unit — an organ, or one of its 科室 (科, 股, 处, 室…) — is the 来源, the person (two or three
# characters: four are a news headline's words more often than a name, 「我国文旅产业一季度高位开局 持续火热」) no part of it.
_SIGNED_BY = re.compile(
    rf"^(?P<org>[{_HAN}（）()]{{1,30}}?{_ORG_END}(?:[{_HAN}]{{1,8}}?[科股处室所站队组])?)[ \t\u3000]+[{_HAN}]{{2,3}}$")
# A speaker's byline by post, under a speech's title: the place, then a Party committee's 书记 or a government's head,
# and the name apart (「某市委书记　张三」 → 某市委, 「某县县长　李四」 → 某县人民政府); a post with no place named (「县长　李四」)
# names no organ.
_BYLINE = re.compile(
    rf"^(?P<area>[{_HAN}]{{1,12}}?[省市县区州旗盟乡镇])(?:(?P<committee>委)(?:常委)?副?书记"
    rf"|(?:人民政府|政府)?(?:代理|代|副)?[省市县区州旗盟乡镇]长)[ \t\u3000]+[{_HAN}·]{{2,4}}$")
_NOT_ORG = re.compile(r"^(?:我|本|该|各|有关|相关|上级|全体|区|市|县|省|乡|镇|区政府|市政府|县政府|省政府)$")


@dataclass(frozen=True)
class Named:
    """An organisation ``name`` found at ``[start, end)`` of the string searched."""

    name: str
    start: int
    end: int


def signature(line: str) -> Named | None:
    """The 发文机关署名 of a 落款 line ("国务院", "国务院办公厅 中央军委办公厅"), the unit of one that a person signs
    ("县财政局办公室　张某某" → 县财政局办公室), or a speaker's office under a report's title ("海拉尔区人民政府区长　杜联合"
    → 海拉尔区人民政府), or the organ of a speaker's post with its place ("某市委书记　张三" → 某市委, "某县县长　李四" →
    某县人民政府)."""
    if len(line) > 40:
        return None
    for pattern in (_SIGNATURE, _SPEAKER, _SIGNED_BY):
        m = pattern.match(line)
        if m and plausible(m.group("org")):
            return Named(joined(m.group("org")), m.start("org"), m.end("org"))
    return _byline(line)


def _byline(line: str) -> Named | None:
    """The organ of a speaker's post with its place (:data:`_BYLINE`): the place's 委 for its 书记, its 人民政府 for its
    head; the span is the place and post as written."""
    m = _BYLINE.match(line)
    if not m or not plausible(m.group("area")):
        return None
    organ = m.group("area") + ("委" if m.group("committee") else "人民政府")
    return Named(organ, m.start("area"), m.end("committee") if m.group("committee") else m.end("area"))


def plausible(org: str) -> bool:
    """Whether ``org``, read where a body's name stands, can be one: not a pronoun or a whole area (我局's 我, 本, 市…)."""
    return not _NOT_ORG.match(org) and len(org) >= 2


def joined(orgs: str) -> str:
    """Several issuers as written with spaces or commas between them, joined with "、"."""
    return re.sub(r"[，,\s]+", "、", orgs.strip())
