"""Cleaning rules: each advert kind removed, each legitimate sentence kept, offsets right."""

from __future__ import annotations

import pytest

from sucai.clean import RULES, _Anchors, _apply, _Edits, _State, clean, info_line, members_tagged
from sucai.ingest import parse_file

BODY = "一、总体要求\n坚持问题导向，形成求真务实的工作作风。"


@pytest.mark.parametrize(
    "ad",
    [
        "查看更多墨林君资料请加【公众号：墨！林-小编】BBB：yy",
        "关注公众号笔杆子获取更多范文",
        "微信号：abc123",
        "QQ群：123456789",
        "扫码加入会员群，每日更新",
        "本文来源于网络，如有侵权请联系删除",
        "【笔墨素材库】——每天更新材料1000多篇，有意加入请联系：138",
        "欢迎加入“某某素材库svip会员”，9000万字材料！添加客服：mlx",
        "各类代笔（润笔），持续接单中，需要的小伙伴请联系客服：mlx",
        "更多范文请搜索公众号：文稿助手",
        "请认准本平台，谨防假冒！",
        "转载请注明出处",
        "网盘链接见评论区，提取码：8k2d",
        "【范文网 www.fanwen123.com 免费下载】",
        "【公文之家 https://gw.example.cn】",
        "本文档由 公文文库 用户上传，仅供参考学习",
        "本资料仅供学习交流使用",
    ],
)
def test_advert_lines_are_removed(ad):
    result = clean(f"{BODY}\n{ad}\n二、主要任务")
    assert result.text == f"{BODY}\n二、主要任务"
    assert [r.rule for r in result.removed] == ["ads"]
    assert result.removed[0].text.rstrip("\n") == ad


@pytest.mark.parametrize(
    "sentence",
    [
        "充分发挥党员先锋模范作用，增强会员意识。",
        "加强政务新媒体公众号管理，规范信息发布。",
        "请加强组织领导，确保各项任务落到实处。",
        "增加群众收入，改善群众生活。",
        "召开工会会员代表大会，选举产生新一届委员会。",
        "杜绝照搬照抄、请人代写等问题。",
        "严厉打击制售假冒伪劣商品行为，提醒群众谨防假冒伪劣商品。",
        "有意加入中国共产党的青年要端正入党动机。",
        "联系人：张三，电话：010-12345678。",
        "推行扫码支付，方便群众办事。",
        "通过微信公众号等渠道及时发布政务信息。",
        "认准方向，真抓实干。",
        "市场监管总局将3万余项国家标准全文公开，并且可以免费下载。",
        "（二）登录国家安全机关互联网举报受理平台网站www.12339.gov.cn；",
        "网络服务提供者应当对用户上传的信息进行审核。",
        "以上意见仅供参考。",
        "【政策解读】",
    ],
)
def test_legitimate_sentences_are_kept(sentence):
    result = clean(f"{BODY}\n{sentence}")
    assert result.text == f"{BODY}\n{sentence}"
    assert result.removed == []


@pytest.mark.parametrize("ad, title", [
    ("【范文网 www.fanwen123.com 免费下载】", "市教育局机关第二党支部2025年度组织生活会对照检查材料"),
    ("本文档由 公文文库 用户上传，仅供参考学习", "2025年度个人述职述廉报告"),
])
def test_an_advert_line_above_the_title_goes(ad, title):
    """New-user try 16: the site's line above a scraped 范文's title stayed, and the title joined it."""
    result = clean(f"{ad}\n{title}\n\n{BODY}")
    assert result.text == f"{title}\n\n{BODY}"
    assert [(r.rule, r.text) for r in result.removed] == [("ads", f"{ad}\n")]


@pytest.mark.parametrize("line, source, published", [
    ("发布时间：2025-11-05 来源：某区财政局 作者：张三", "某区财政局", "2025-11-05"),
    ("发布日期：2025年11月5日　来源：某区财政局　浏览次数：120", "某区财政局", "2025年11月5日"),
    ("来源：某区财政局 作者：张三", "某区财政局", None),
    # 来源 first, half-width colons, U+3000 spacing, a time, page buttons
    ("来源：某区财政局 发布时间：2025-11-05", "某区财政局", "2025-11-05"),
    ("来源:某区财政局　　发布日期:2025-11-05 10:30　点击数：", "某区财政局", "2025-11-05 10:30"),
    ("　发布时间：2025/11/05 | 来源：某区财政局 | 【打印】【关闭】 字号：大 中 小", "某区财政局", "2025/11/05"),
    ("发布时间：2023-06-01 09:00", None, "2023-06-01 09:00"),
    # verify32: 【字体：大 中 小】 and a bare 阅读/浏览/点击 count are page fields too (the line stayed, 来源 unread)
    ("发布日期：2024年5月6日　　信息来源：某县人民政府办公室　　【字体：大 中 小】", "某县人民政府办公室", "2024年5月6日"),
    ("发布时间：2024-05-06 10:20:00 文章来源：某县农业农村局 阅读：56", "某县农业农村局", "2024-05-06 10:20:00"),
    ("来源：某县融媒体中心 浏览：1203次 点击：7", "某县融媒体中心", None),
])
def test_a_pages_info_line_goes_whole_its_source_and_date_kept(line, source, published):
    """New-user try 16/17: of "发布时间：… 来源：… 作者：…" the 发布时间 stayed in the text, and "来源：… 发布时间：…" (来源
    first) was not read at all. A line of nothing but page fields goes whole, in either order; its 来源 is a
    source line's and its date is kept for metadata, both where the line was."""
    result = clean(f"关于做好预算编制工作的通知\n{line}\n{BODY}")
    assert result.text == f"关于做好预算编制工作的通知\n{BODY}"
    at = len("关于做好预算编制工作的通知\n")
    assert (result.source, result.sources) == (source, [(source, at)] if source else [])
    assert result.published == ([(published, at)] if published else [])
    assert [(r.rule, r.text) for r in result.removed] == [("source_line", f"{line}\n")]
    # the one reading of an info line, that of a web page's element too (htmlmeta)
    assert info_line(line) == {key: value for key, value in (("source", source), ("date", published)) if value}


@pytest.mark.parametrize("line", [
    "时间：2024年3月1日",                     # a meeting's time: no 来源 beside it, no 发布
    "时间：2024年3月1日 地点：县委会议室",
    "会议时间：2024年3月1日上午9时",
    "发布时间：2025-11-05 区财政局召开会议",    # a sentence after the date
    "来源：某区财政局的统计数据显示，收入增长。",
    "作者：张三",                             # a byline alone is kept as before
])
def test_lines_that_are_not_info_lines_stay(line):
    result = clean(f"关于做好预算编制工作的通知\n{line}\n{BODY}")
    assert result.text == f"关于做好预算编制工作的通知\n{line}\n{BODY}"
    assert (result.sources, result.published) == ([], [])
    assert info_line(line) == {}


@pytest.mark.parametrize("free_end", ["（三）", "（三）\n", "\u3000\u3000（三）\n\n", "三、\n（一）\n", "3.\n", "第三章 \n"])
def test_the_free_part_never_ends_on_a_lone_heading_label(free_end):
    """New-user try 17: the free preview ended with 「（三）」, then 会员可见全文: a heading label with no text of its
    own in the free part goes to the members part with its heading."""
    result = clean(f"标题\n\n免费部分。\n{free_end}##paidbegin##担当作为方面。会员内容。")
    assert result.text[: result.paid_from] == "标题\n\n免费部分。\n" + free_end[: len(free_end) - len(free_end.lstrip())]
    assert result.text[result.paid_from :].replace("\n", "") == free_end.strip().replace("\n", "") + "担当作为方面。会员内容。"


@pytest.mark.parametrize("free_end", ["（三）担当作为方面\n", "我们完成了以下三项：\n", "2024.\n", "免费部分（三）"])
def test_a_free_part_ending_in_text_keeps_its_end(free_end):
    """Not a lone label: a heading with its text, a sentence, a year, a label after text on its line."""
    result = clean(f"标题\n\n免费部分。\n{free_end}##paidbegin##会员内容。")
    assert result.text[result.paid_from :] == "会员内容。"


def test_watermark_glued_to_a_paragraph_goes_and_the_paragraph_stays():
    text = "形成求真务实的工作作风。查看更多墨林君资料请加【公众号：墨！林-小编】BBB：yy\n下一段。"
    result = clean(text)
    assert result.text == "形成求真务实的工作作风。\n下一段。"
    assert result.removed[0].text == "查看更多墨林君资料请加【公众号：墨！林-小编】BBB：yy"


@pytest.mark.parametrize("begin, end", [("##paidbegin##", "##paidend##"), ("$$paidbegin$$", "$$paidend$$")])
def test_paid_tags_become_paid_from(begin, end):
    text = f"标题\n\n免费部分。\n（四）{begin}担当作为方面。会员内容。\n\n{end}\n关注公众号某某获取更多资料"
    result = clean(text)
    assert result.text == "标题\n\n免费部分。\n（四）担当作为方面。会员内容。"
    assert result.text[result.paid_from :] == "（四）担当作为方面。会员内容。"   # the label goes with its heading
    assert result.paid_until is None
    assert [r.rule for r in result.removed] == ["paid_tags", "paid_tags", "ads"]


def test_paid_from_survives_removals_before_it_and_skips_blank_lines():
    text = "\u200b标题\n<p>前言</p>\n微信：abc\n##paidbegin##\n\n\n会员内容##paidend##\n后记。"
    result = clean(text)
    assert result.text == "标题\n前言\n\n会员内容\n后记。"
    assert result.text[result.paid_from :].startswith("会员内容")
    assert result.text[result.paid_until :] == "后记。"


@pytest.mark.parametrize("members, free, markdown", [
    ("**会员秘密文字", "免费文字**", True),       # markdown emphasis run across the end tag
    ("机 密 数 据 ", "免 费", False),            # a spaced title line closed up across it
    ("会员内容&am", "p;免费", False),            # an HTML entity split by it
])
def test_a_rewrite_across_the_end_tag_leaves_no_members_character_free(members, free, markdown):
    """A rule whose match ran across ``##paidend##`` moved the end of the members part to the start of its
    replacement: the members characters of the run were stored as free text, and every visitor read them
    (attack 13). Whatever a rewrite does there, no character of the members part (but markup and spaces)
    reaches the free text."""
    text = f"关于甲项工作的通知\n免费正文。\n##paidbegin##\n会员正文。\n{members}##paidend##{free}\n以上。\n"
    result = clean(text, markdown=markdown)
    assert result.paid_from is not None and result.paid_until is not None
    free_text = result.text[:result.paid_from] + result.text[result.paid_until:]
    secret = set("会员正文。" + members) - set(f"关于甲项工作的通知\n免费正文。{free}以上。* ")
    assert secret and not secret & set(free_text), free_text
    assert "以上。" in result.text[result.paid_until:]


@pytest.mark.parametrize("free, closing, plain, markdown", [
    ("免费正文<!-- 注释开始\n", "会员正文 -->结束", "会员正文文文文文结束", False),      # an HTML comment closed in the members part
    ("免费正文。\n\n**免费加粗文字\n", "会员文字**结束", "会员文字文文结束", True),    # emphasis closed there
    ("免费正文。\n\n[免费链接文字\n", "会员](http://a.b/c)", "会员文文文文文文文文文文文文文", True),  # a link
    ("免费正文&am\n", "p;会员", "文文会员", False),                                    # an entity split by the tag
])
def test_a_rewrite_across_the_begin_tag_leaves_the_free_text_as_the_free_text_gives_it(free, closing, plain, markdown):
    """A rule whose match opened in the free text and closed in the members part (after ``##paidbegin##``)
    removed free text only when the members part held the closer: what a visitor read of the free text told
    whether the members text held ``-->`` (attack 14). Each rule now runs on each side of a tag on its own."""
    def free_text(members: str) -> str:
        result = clean(f"关于甲项工作的通知\n{free}##paidbegin##\n{members}\n##paidend##\n以上事项，请遵照执行。\n",
                       markdown=markdown)
        return result.text[:result.paid_from] + "|" + result.text[result.paid_until:]

    assert free_text(closing) == free_text(plain)
    assert free_text(closing).endswith("|以上事项，请遵照执行。")


@pytest.mark.parametrize("text, cleaned, paid_from, paid_until, rules", [
    ("会议强调（来源：新华社）##paidbegin##会员正文。\n", "会议强调会员正文。", 4, None, ["source_line"]),
    ("请看##paidbegin##字号：大\n会员正文。", "请看\n会员正文。", 3, None, ["crawl_stamps"]),
    ("免费正文。\n##paidbegin##\n会员正文##paidend##来源：新华社\n尾段。\n", "免费正文。\n\n会员正文尾段。", 7, 11,
     ["source_line"]),
    ("免费正文。\n##paidbegin##\n扫码关注本公众号\n会员正文。", "免费正文。\n\n会员正文。", 7, None, ["ads"]),
])
def test_a_paid_tag_ends_a_line_for_the_rules_on_either_side(text, cleaned, paid_from, paid_until, rules):
    """Rules run on each side of a tag on its own, and a tag ends a line for them wherever it stands (as the
    CMS's editor writes tags, on lines of their own): the same line rules fire whatever the other side holds —
    a 来源 or crawl stamp next to a tag is found, an advert line at the start of the members part removed
    (review 14; its first fix, a non-text character for the other side, left that advert in)."""
    result = clean(text)
    assert (result.text, result.paid_from, result.paid_until) == (cleaned, paid_from, paid_until)
    assert [r.rule for r in result.removed if r.rule != "paid_tags"] == rules


def test_paid_tag_inside_a_removed_advert_line_points_at_the_next_line():
    result = clean("正文。\n谨防假冒！##paidbegin##\n会员正文。")
    assert result.text == "正文。\n会员正文。"
    assert result.text[result.paid_from :] == "会员正文。"


def test_no_paid_tags_means_no_paid_from():
    assert clean("正文。").paid_from is None


def test_invisible_and_control_characters_are_removed():
    result = clean("\ufeff关于\u200b做好\u200c年度\u200d考核\u2060工作\x07的通知\r\n正文\x00。")
    assert result.text == "关于做好年度考核工作的通知\n正文。"
    assert {r.rule for r in result.removed} == {"invisible_chars"}


@pytest.mark.parametrize(
    "line, expected",
    [
        ("政 府 工 作 报 告", "政府工作报告"),
        ("  政　府　工　作　报　告  ", "政府工作报告"),
        ("张 三 同志在会上发言", "张 三 同志在会上发言"),  # not a spaced title: multi-character words
        ("附 件", "附 件"),  # two characters are too few to tell
        # a label, a narrower gap, a heading spread to a width: kept as written (毛选 「## 二　富　　农」)
        ("二　富　　农", "二　富　　农"),
        ("二 富　农", "二 富　农"),
        ("政　府 工 作", "政府工作"),   # a first gap wider than the others: one spaced title all the same
        ("政 府 工　作", "政府工作"),
    ],
)
def test_spaced_titles_are_closed_up(line, expected):
    assert clean(line + "\n正文。").text.split("\n")[0] == expected


@pytest.mark.parametrize(
    "line, source",
    [("（来源：新华网）", "新华网"), ("(来源: 人民日报)", "人民日报"), ("来源：求是网", "求是网")],
)
def test_source_line_moves_into_source(line, source):
    result = clean(f"正文最后一句。\n{line}\n")
    assert result.source == source
    assert result.text == "正文最后一句。"


def test_source_glued_to_the_last_paragraph():
    result = clean("为实现目标而奋斗！（来源：新华网）")
    assert (result.text, result.source) == ("为实现目标而奋斗！", "新华网")


def test_crawl_stamp_link_lines_and_html_are_markup():
    text = (
        "### 标题\n\n<p><strong>央视网消息</strong>（新闻联播）：第一段。</p><p>第二段。</p>\n\n"
        "[查看原文](https://tv.cctv.com/2023/03/05/x.shtml)\n\n---\n\n(更新时间戳: 1678020983265)\n"
    )
    result = clean(text, markdown=True)
    assert result.text == "标题\n\n央视网消息（新闻联播）：第一段。\n第二段。"
    assert result.headings == [(0, 3)]
    rules = {r.rule for r in result.removed}
    assert {"html_markup", "link_lines", "rule_lines", "crawl_stamps", "markdown_headings"} <= rules


def test_markdown_headings_keep_their_offsets_after_later_removals():
    text = "# 护士条例\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了**维护**权益。\n\n### 第一节 一般规定\n"
    result = clean(text, markdown=True)
    assert "#" not in result.text and "**" not in result.text
    lines = [(result.text[pos : result.text.find("\n", pos) if "\n" in result.text[pos:] else None], depth)
             for pos, depth in result.headings]
    assert lines == [("护士条例", 1), ("第一章 总则", 2), ("第一节 一般规定", 3)]


def test_plain_text_keeps_hash_marks():
    assert clean("# 不是标记\n正文。").text == "# 不是标记\n正文。"


def test_whitespace_tidied_but_wording_kept():
    text = "\n\n标题  \n\n\n\n　　第一段，全角１２３和ABC保持原样。\t\n\n\n"
    assert clean(text).text == "标题\n\n　　第一段，全角１２３和ABC保持原样。"


def test_rules_have_unique_names():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))


@pytest.mark.corpus
def test_sample_cleaning(sample_path):
    result = clean(sample_path.read_text(encoding="utf-8"))
    for trace in ("墨林", "公众号", "客服", "paidbegin", "paidend", "会员群", "代笔"):
        assert trace not in result.text
    i = result.text.index("形成求真务实的工作作风。") + len("形成求真务实的工作作风。")
    assert result.text[i] == "\n"
    assert result.text[result.paid_from :].startswith("（四）担当作为方面")   # the lone label goes with it
    assert {r.rule for r in result.removed} == {"paid_tags", "ads"}
    assert sum(r.rule == "ads" for r in result.removed) == 5


# -- linear time: adversarial inputs for every rule ---------------------------------------------------

# For each rule, the inputs that made a backtracking pattern scan to the end of the text (or of
# the line) from every opener: 1 MB of each must clean in well under the bound below. Every rule
# is listed, so a new rule must add its own worst case here.
ADVERSARIAL = {
    "paid_tags": ["##paid", "$$paidbegin#"],
    "invisible_chars": ["\u200b", "\x1b["],
    "html_markup": ["<!--", "<p ", "<hr ", "&#12", "</p "],
    "link_lines": ["http://a", "[a](b)[", "![a](", "[a]("],
    "markdown_images": ["![", "![a](", "![a]"],
    "markdown_links": ["[", "[a](", "[a](http://", "[a]"],
    "rule_lines": ["---", "- "],
    "crawl_stamps": ["（时间戳：", "(更新时间戳: 1", "浏览次数"],
    "source_line": ["（来源：", "( ", "来源：x ", "来源：x 发布时间：2025-11-05 作者：", "发布时间：2025-11-05 来源：x 【打印】字号：大中小 "],
    "ads": ["请加", "微信：", "【素材库"],
    "breadcrumbs": ["首页>", "首页 > 通知", "当前位置：", "位置：a/", "首页>" + "通" * 19],
    "markdown_headings": ["# ", "#"],
    "markdown_quotes": ["> ", ">"],
    "markdown_emphasis": ["**x ", "__x ", " **x", "**", "*"],
    "spaced_title": ["字 ", "字　"],
    "trailing_space": [" ", "\u3000 \t"],
    "blank_lines": ["\n", "\n\n x"],
}
MEGABYTE = 1 << 20
BOUND_SECONDS = 2.0   # the one timing bound of the suite: it guards complexity (quadratic ≈ 1,000 s here), not speed
# CPU seconds of the thread that cleans (time.thread_time), not wall time: on a loaded machine (CI, two cores shared)
# the 1 MB run could wait behind other processes longer than its eighth did, and pass the 24× bound while linear


def _rule_seconds(rule, text: str) -> float:
    """CPU seconds of one rule on ``text``: finding its edits and applying them (what :func:`clean` does per rule).

    The garbage collector is paused meanwhile: its passes over the many small edit objects of a
    dense input add time that grows with the heap, not with the rule's work.
    """
    import gc
    import time

    gc.collect()
    gc.disable()
    try:
        started = time.thread_time()
        _apply(text, _Edits.of(rule.find(text, _State())), _Anchors())
        return time.thread_time() - started
    finally:
        gc.enable()


def test_every_rule_has_adversarial_inputs():
    assert set(ADVERSARIAL) == {rule.name for rule in RULES}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_every_rule_is_linear_on_adversarial_input(rule):
    """1 MB of each worst case, on one line and as lines, within 2 CPU seconds — or, on a loaded machine, within
    24× the time of an eighth of it (linear: 8×, quadratic: 64×; a scan to the end from every opener
    takes about 1,000 s on 1 MB)."""
    for unit in ADVERSARIAL[rule.name]:
        for body in (unit, unit + "\n"):
            text = (body * (MEGABYTE // len(body) + 1))[:MEGABYTE] + " !x"
            elapsed = _rule_seconds(rule, text)
            if elapsed >= BOUND_SECONDS:
                eighth = _rule_seconds(rule, text[: MEGABYTE // 8] + " !x")
                assert elapsed < 24 * eighth, f"{rule.name}: {elapsed:.1f} s for 1 MB of {body!r}, {eighth:.2f} s for 128 KB"


def test_cleaning_is_linear_in_the_number_of_paid_tags():
    """Every rule runs on each part between paid tags on its own: 1 MB of short parts (a tag every ~10
    characters, on one line and as lines) cleans within the bound or 24× an eighth of it (a rule that scanned
    the whole text per part: quadratic in the tags — the first version of _find_by_part)."""
    import time

    def seconds(text: str) -> float:
        started = time.thread_time()
        clean(text, markdown=True)
        return time.thread_time() - started

    for body in ("免费##paidbegin##会员##paidend##", "免费\n##paidbegin##\n会员\n##paidend##\n"):
        text = (body * (MEGABYTE // len(body) + 1))[:MEGABYTE]
        elapsed = seconds(text)
        if elapsed >= BOUND_SECONDS:
            eighth = seconds(text[: MEGABYTE // 8])
            assert elapsed < 24 * eighth, f"{elapsed:.1f} s for 1 MB of {body!r}, {eighth:.2f} s for 128 KB"


def test_emphasis_and_html_finders_match_their_reference_patterns():
    """The linear finders return exactly what the (quadratic) reference regular expressions matched."""
    import random
    import re

    from sucai import clean as module

    emphasis = re.compile(r"(\*\*|__)(?=\S)([^\n]+?)(?<=\S)\1")
    markup = re.compile(f"(?P<comment><!--.*?-->)|(?P<brk>{module._HTML_BREAK})|(?P<tag>{module._HTML_TAG})"
                        f"|(?P<ent>{module._HTML_ENTITY})", re.IGNORECASE | re.DOTALL)
    rnd = random.Random(11)
    for _ in range(5000):
        text = "".join(rnd.choice(["*", "_", "x", " ", "\n", "**", "__", "字"]) for _ in range(rnd.randint(0, 25)))
        expected = [(m.start(), m.end(), m.group(2)) for m in emphasis.finditer(text)]
        assert [edit[:3] for edit in module._find_md_emphasis(text, None)] == expected, text
        text = "".join(rnd.choice(["<!--", "-->", "<p>", "<br>", "x", "&amp;", "\n", "-", "<", ">"])
                       for _ in range(rnd.randint(0, 15)))
        expected = [(m.start(), m.end()) for m in markup.finditer(text)]
        assert [edit[:2] for edit in module._find_html(text, None)] == expected, text


def test_glued_urls_and_brackets_in_links():
    assert clean("[查看原文](https://a.cn/x)[图](http://b.cn/y)\n正文。", markdown=True).text == "正文。"
    assert clean("http://a.cnhttp://b.cn\n正文。").text == "正文。"
    assert clean("见[通知](https://a.cn/x_(1))。").text == "见通知)。"
    assert clean("[[x]]正文。").text == "[[x]]正文。"


# -- the driver gives what a plain one gives ----------------------------------------------------------

def _plain_clean(text: str, *, markdown: bool = False):
    """:func:`clean` written the plain way, as the reference: each rule's matches taken one by one
    (``finditer`` for the regular-expression rules), each part between paid tags cleaned on its own, every
    anchor moved by looking up the edit before it, a new :class:`Removal` per edit. Shares with the driver only
    the rules' own finders and the final reading of the paid span (:func:`_paid_bounds`)."""
    from sucai import clean as module
    from sucai.model import Removal

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    state, anchors, removed = _State(), [], []   # anchors: [pos, kind, depth]
    for rule in RULES:
        if rule.markdown_only and not markdown:
            continue
        edits = _plain_parts(rule, text, state, anchors) if rule.record else _plain_find(rule, text, state)
        applied, cursor = [], 0
        for edit in edits:
            if edit[0] >= cursor:
                applied.append(edit)
                cursor = edit[1]
        if rule.record:
            removed += [Removal(rule.name, text[start:end]) for start, end, _, _ in applied if end > start]
        new_starts, change = [], 0
        for start, end, repl, _ in applied:
            new_starts.append(start + change)
            change += len(repl) - (end - start)
        for anchor in anchors:
            before = [i for i, edit in enumerate(applied) if edit[0] <= anchor[0]]
            if before:
                i = before[-1]
                start, end, repl, _ = applied[i]
                if anchor[0] >= end:
                    anchor[0] = new_starts[i] + len(repl) + anchor[0] - end
                else:
                    anchor[0] = new_starts[i] + (len(repl) if anchor[1] == "paid_end" and anchor[0] > start else 0)
        anchors += [[new_starts[i], kind, depth] for i, edit in enumerate(applied) for kind, depth in edit[3]]
        anchors.sort(key=lambda anchor: anchor[0])
        for start, end, repl, _ in reversed(applied):
            text = text[:start] + repl + text[end:]
    paid_from, paid_until = module._paid_bounds(text, anchors)
    headings = [(pos, depth) for pos, kind, depth in anchors if kind == "heading" and module._line_has_text(text, pos)]
    sources = [(state.sources[i], pos) for pos, kind, i in anchors if kind == "source"]
    published = [(state.published[i], pos) for pos, kind, i in anchors if kind == "published"]
    return module.Cleaned(text, paid_from, removed, sources[0][0] if sources else None, paid_until, headings,
                          sources, published)


def _plain_find(rule, text: str, state) -> list:
    """A rule's edits; a regular-expression rule's from ``finditer``, one match at a time."""
    from sucai import clean as module

    patterns = {"invisible_chars": module._INVISIBLE, "markdown_images": module._MD_IMAGE,
                "crawl_stamps": module._CRAWL_STAMP, "markdown_quotes": module._MD_QUOTE,
                "trailing_space": module._TRAILING_SPACE, "blank_lines": module._BLANK_RUNS}
    if rule.name in patterns:
        return [(m.start(), m.end(), "", ()) for m in patterns[rule.name].finditer(text)]
    if rule.name == "markdown_headings":
        return [(m.start(), m.end(), "", (("heading", m.group().count("#")),)) for m in module._MD_HEADING.finditer(text)]
    return list(rule.find(text, state))


def _plain_parts(rule, text: str, state, anchors: list) -> list:
    """The edits of ``rule`` in each part between paid tags (a tag's line break after a begin tag ends the free
    part), each part seen between line breaks; deletions kept to their part, other edits outside it dropped."""
    cuts = {pos + (kind == "paid_begin" and text[pos : pos + 1] == "\n") for pos, kind, _ in anchors
            if kind in ("paid_begin", "paid_end")}
    bounds = [0, *sorted(cuts - {0, len(text)}), len(text)]
    if len(bounds) == 2:
        return _plain_find(rule, text, state)
    edits = []
    for start, end in zip(bounds, bounds[1:]):
        before = "\n" if start else ""
        for edit_start, edit_end, repl, marks in _plain_find(rule, before + text[start:end] + ("\n" if end < len(text) else ""), state):
            edit_start, edit_end = edit_start + start - len(before), edit_end + start - len(before)
            if not repl:
                edit_start, edit_end = max(edit_start, start), min(edit_end, end)
            if start <= edit_start <= edit_end <= end:
                edits.append((edit_start, edit_end, repl, marks))
    return edits


_DRIVER_PIECES = ["##paidbegin##", "##paidend##", "$$paidend$$", "\n", "\n\n", " ", "\u3000", "字", "政 府 工 作",
                  "# ", "## 标题", "> ", "**", "__", "x", "<!--", "-->", "<p>", "<br>", "&amp;", "&nbsp;", "\x1b[",
                  "\u200b", "（来源：新华网）", "来源：某区财政局 发布时间：2025-11-05", "微信：abc", "。",
                  "[a](http://b)", "![i](x)", "---", "（一）", "一、", "http://a.cn", "浏览次数：3", "\r\n", "\t"]


def test_cleaning_gives_what_the_plain_driver_gives_on_random_texts():
    import random

    rnd = random.Random(21)
    for i in range(1500):
        text = "".join(rnd.choice(_DRIVER_PIECES) for _ in range(rnd.randint(0, 40)))
        assert clean(text, markdown=bool(i % 2)) == _plain_clean(text, markdown=bool(i % 2)), text


@pytest.mark.parametrize("markdown", [False, True])
def test_cleaning_gives_what_the_plain_driver_gives_on_adversarial_input(markdown):
    """Every worst case of the rules (and of the benchmark), dense enough for thousands of edits, with and
    without paid tags and headings around it (anchors that every edit moves)."""
    units = {unit for units in ADVERSARIAL.values() for unit in units} | {"\x1b[", "# \n", "**x ", "[a](", "<!--"}
    for unit in sorted(units):
        for body in (unit, unit + "\n", "##paidbegin##" + unit * 3, "# 标题\n" + unit * 5 + "##paidend##\n"):
            text = (body * (3000 // len(body) + 1))[:3000] + " !x"
            assert clean(text, markdown=markdown) == _plain_clean(text, markdown=markdown), repr(body)


@pytest.mark.corpus
def test_cleaning_gives_what_the_plain_driver_gives_on_real_documents(sample_path, corpus_dir):
    """The sample and the corpus's text, markdown and HTML files (every fifth: the plain driver is slow)."""
    paths = [sample_path] + sorted(p for p in corpus_dir.rglob("*") if p.suffix in (".md", ".txt", ".html"))[::5]
    for path in paths:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        markdown = path.suffix == ".md"
        assert clean(text, markdown=markdown) == _plain_clean(text, markdown=markdown), path


@pytest.mark.parametrize("line", [
    "首页 > 通知公告 > 正文", "当前位置：首页 » 政务公开 » 通知", "您的位置：首页/新闻中心", "网站首页 › 要闻", "首页＞正文",
])
def test_a_breadcrumb_line_is_site_furniture(line):
    """read30: a scraped page's breadcrumb 「首页 > 通知公告 > 正文」 opening a .md file was its title. It goes as an
    advert does, recorded."""
    result = clean(f"{line}\n关于做好防汛工作的通知\n各单位：现将有关事项通知如下。\n")
    assert result.text == "关于做好防汛工作的通知\n各单位：现将有关事项通知如下。"
    assert [(r.rule, r.text.strip()) for r in result.removed] == [("breadcrumbs", line)]


@pytest.mark.parametrize("line", ["首页", "首页 新闻 通知", "首页>通知公告>关于做好防汛工作的通知。", "1/2/3", "主要任务：一是/二是"])
def test_a_line_that_is_no_breadcrumb_stays(line):
    text = f"{line}\n各单位：现将有关事项通知如下。"
    assert clean(text).text == text


def test_a_markdown_file_opening_with_a_breadcrumb_takes_the_title_under_it(tmp_path):
    """read30: the .md file's first line 「首页 > 通知公告 > 正文」 was its title."""
    path = tmp_path / "page.md"
    path.write_text("首页 > 通知公告 > 正文\n\n# 关于做好防汛工作的通知\n\n各乡镇人民政府：\n\n现将有关事项通知如下。\n", encoding="utf-8")
    assert parse_file(path).title == "关于做好防汛工作的通知"


@pytest.mark.parametrize("text, tagged", [("正文##paidbegin##会员", True), ("$$paidend$$", True), ("##paidbegin$$", False),
                                          ("正文", False)])
def test_members_tagged(text, tagged):
    assert members_tagged(text) is tagged
