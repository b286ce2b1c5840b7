"""相似素材 (:mod:`sucai.similar`): the same 文种 first, on the same topic, for the same viewer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sucai.library import Library
from sucai.search import SearchRequest
from sucai.similar import similar, similar_query
from sucai.web import create_app

CHECK = """某局机关党支部2023年度专题组织生活会对照检查材料
一、存在的问题
（一）理论学习方面。学习不够系统，学用结合不紧。
（二）政治素质方面。政治敏锐性不强。
（三）担当作为方面。攻坚克难的劲头不足。
二、问题根源
理想信念有所松懈。
"""
OTHER_CHECK = """县税务局党支部书记民主生活会个人对照检查材料
一、查摆的问题
（一）思想认识方面。对党的创新理论学习不深。
（二）工作作风方面。调查研究不够。
二、整改措施
加强理论武装。
"""
NEWS = """新闻联播：各地机关党支部召开2023年度专题组织生活会（{n}）
【新闻联播】各地党支部开展专题组织生活会，聚焦理论学习、政治素质、担当作为，对照检查、深入学习，组织生活会质量不断提高。
记者了解到，第{n}批2023年度专题组织生活会在各地机关党支部陆续召开，党员对照检查材料，理论学习方面、政治素质方面、担当作为方面的问题得到查摆。
{local}
"""
# what each report adds of its own: six reports of one template would be near-duplicates, one result
LOCAL = ("在山东，税务系统党员围绕优化营商环境逐条制定整改清单，限时销号。纳税人反映的办税排队、资料重复报送等七类堵点，已有五类完成整改，其余两类列入明年一季度计划。",
         "在四川，农业农村部门把会议开到田间地头，听取种粮大户的意见建议。针对高标准农田后期管护不到位、农机补贴兑付偏慢，当场明确了责任科室和办结时限。",
         "在广东，科技园区党员就研发投入不足、成果转化偏慢等短板开展深入剖析。园区提出设立概念验证中心，并与三所高校签订了联合实验室共建协议。",
         "在甘肃，乡村教师党员结合控辍保学工作讲述一年来的得失与困惑。大家建议完善寄宿制学校生活老师配备，把留守儿童心理辅导纳入日常教学安排。",
         "在黑龙江，林区党员聚焦森林防火和生态修复任务，把问题摆上桌面。护林员队伍老龄化、瞭望塔监控盲区等问题被逐一记录，形成了专项整改台账。",
         "在浙江，社区党员针对老旧小区加装电梯推进缓慢的问题相互提醒、当面指出。街道引入第三方评估，对低楼层住户补偿方案进行了三轮公开听证。")


@pytest.fixture
def library(tmp_path, home) -> Library:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "check.txt").write_text(CHECK, encoding="utf-8")
    (folder / "other_check.txt").write_text(OTHER_CHECK, encoding="utf-8")
    for n in range(6):
        (folder / f"news{n}.txt").write_text(NEWS.format(n=n, local=LOCAL[n]), encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([folder], workers=1).counts["ingested"] == 8
    yield library
    library.close()


def by_title(library: Library, start: str):
    return next(d for d in library.catalogue.documents() if d.title.startswith(start))


def test_same_genre_comes_first(library):
    check, other = by_title(library, "某局机关"), by_title(library, "县税务局")
    assert check.genre == other.genre == "对照检查材料"
    news_genre = by_title(library, "新闻联播：").genre
    assert news_genre != check.genre
    # without a preference the news transcripts, which share more words, would come first
    plain = library.search(SearchRequest(q=similar_query(check), limit=8), member=True).hits
    ranked = [h.id for h in plain if h.id != check.id]
    assert ranked.index(other.id) > 0
    shown = similar(library, check, member=True, limit=5)
    assert [h.id for h in shown][0] == other.id
    assert [h.genre for h in shown] == [check.genre] + [news_genre] * 4
    assert check.id not in [h.id for h in shown]


def test_unknown_genre_has_no_preference(library):
    news = by_title(library, "新闻联播：")
    shown = similar(library, news, member=True, limit=3)
    plain = library.search(SearchRequest(q=similar_query(news), limit=4), member=True).hits
    assert [h.id for h in shown] == [h.id for h in plain if h.id != news.id][:3]


def test_one_document_per_cluster_and_none_of_its_own(library, tmp_path):
    """Attack find 4 of stop 25: a version of the 文种 of ``doc`` whose representative has another 文种 is found by
    the search of that 文种 (its representative filtered out) and the representative by the other search: both were
    listed; a document's own versions were listed as like it. At most one document per cluster of near-duplicates
    (from the catalogue's clusters) and none of the document's own, through the library, the API and the page."""
    other = by_title(library, "县税务局")
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "other_check_copy.txt").write_text(OTHER_CHECK + "三、努力方向\n坚持问题导向，加强党性修养。\n", encoding="utf-8")
    assert library.ingest([folder], workers=1).counts["ingested"] == 1
    rows = library.catalogue.cluster_rows()
    assert len(rows) == 2 and other.id in {row.doc_id for row in rows}
    representative = next(row.doc_id for row in rows if row.representative)
    library.update(representative, genre="发言提纲")   # the version keeps the 文种 of 对照检查材料
    assert {library.get(row.doc_id).genre for row in rows} == {"发言提纲", "对照检查材料"}
    cluster = {row.doc_id: row.cluster_id for row in library.catalogue.cluster_rows()}

    def group(doc_id: int):
        return ("cluster", cluster[doc_id]) if doc_id in cluster else ("document", doc_id)

    def assert_apart(doc_id: int, ids: list[int], limit: int) -> None:
        """``ids`` are of documents of ``limit`` clusters (or none) but the one of ``doc_id`` (each group of them
        matches the words of the 党支部 reports: as many as there are)."""
        groups = [group(i) for i in ids]
        others = {group(d.id) for d in library.catalogue.documents()} - {group(doc_id)}
        assert len(set(groups)) == len(ids) == min(limit, len(others)) and set(groups) <= others, (doc_id, ids)

    client = TestClient(create_app(library.settings.home))
    for doc in library.catalogue.documents():
        for member in (True, False):
            assert_apart(doc.id, [h.id for h in similar(library, doc, member=member, limit=8)], 8)
        api = client.get(f"/api/documents/{doc.id}/similar", params={"limit": 8}).json()["hits"]
        assert_apart(doc.id, [h["id"] for h in api], 8)
        page = client.get(f"/documents/{doc.id}").text
        start = page.index("<h2>相似素材</h2>")
        assert_apart(doc.id, [int(i) for i in re.findall(r'href="/documents/(\d+)"', page[start:page.index("</aside>", start)])], 6)
