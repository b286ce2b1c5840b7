"""Facts of a paragraph: unit names, years and dates, people, titles, numbers.

Our own rules (no gazetteer, no tagger), used by the 写作台 — to turn the
facts of *another* unit in a picked paragraph into 【待补】 placeholders
(:mod:`sucai.drafting.placeholders`), and to refuse a 润笔 rewrite that adds or changes one
(:mod:`sucai.drafting.rewrite`) — and by :func:`sucai.headings.heading_key` (headings without another
unit's facts, for the 写作台 and section search). :func:`find_facts` is the entry point.

Kinds (:data:`KINDS`):

- ``unit`` 单位: a run of jieba words that are place or organisation words —
  ending in a place suffix (省 市 县 区 旗 盟 镇 乡 村 街道 社区…) or an
  organisation suffix (局 厅 委 办 党支部 党组 人民政府 中学 医院 公司…), an
  ordinal (第三), a level word (市直, 区直) or a department word (住房, 城乡…),
  joined by 和/与 — that names a *particular* unit: it holds a place name
  (海拉尔区, 信阳市, 某市; a village's or town's name the segmenter cuts from a bare 村, 镇, 乡 or 街道, read by the
  suffix and what stands before it, 马鬃山 | 村, 某县 青石 | 镇, 推进 奋斗 | 镇, 青石镇、奋斗 | 镇 — a county's from 县,
  a proper name only, 宁蒗 | 县 —: :func:`_place_name`), a named office
  (财政局, 住建局, 高级中学) or a numbered branch (第三党支部). Bodies named by their level alone (市委, 县政府, 区委组织部,
  局党组, 我局) and national bodies (国务院, 党中央, 国家…, 中央…, 全国…) are not
  facts of a unit: every unit writes them alike.
- ``year`` 年份: 2024年, 2024年度, 二〇二四年, 2021—2025年.
- ``date`` 日期: a day (2024年3月5日, 3月5日, 二〇二四年三月五日), a month of a year (2024年3月) or one in Arabic digits
  (3月), with the end of a range (2026年3月—5月, 3月5日至4月10日), or a range of months in Arabic digits (1—10月).
- ``person`` 人名: a name before 同志 (张三同志, 张三、李四同志), after a 职务 (区长
  杨国宏, 副校长郭慧茹), or a surname before a 职务 (王局长); then every other
  occurrence of a name found so; and one who introduces themself at the start
  of a clause (我叫张三, 本人张三，现任…). Family names from a list of common
  ones; the national leadership and the models every unit studies (习近平,
  焦裕禄…) are kept (:data:`KEPT_PEOPLE`). :func:`line_name`: the person a 署名 or
  题注 line names alone (张三, 述职人：张三, 某镇党委副书记　张三).
- ``title`` 题名与职务: a quoted title 《…》 and a 职务 word (局长, 党组书记…).
- ``session`` 全会: a plenary session of a 中央委员会 named by its ordinal, with its 届 when written (二十届四中全会,
  十九届六中全会, 三中全会), or in full (第二十届中央委员会第三次全体会议, as a 公报's title names it) — the occasion
  a 心得体会 or a speech of its time studies; value in Arabic digits, the short name's (20届4中全会).
- ``theme`` 主题: the words of a meeting's or a campaign's theme, quoted and named so (围绕“学思想、强党性、重实践、
  建新功”这一主题, 以“…”为主题, 主题是“…”: the words inside the quotes) — a 生活会's theme is its year's.
- ``number`` 数字: Arabic numbers with their %, 万, 亿 (5.2%, 126万亿, 47), and
  Chinese numerals before a measure word (三个, 十二项, 百分之五) or a unit of measure (八公里, 三万五千亩:
  :data:`MEASURE_UNITS`); a lone 一 (一个, 一批, 一公里) is an article, not a fact.

Offsets are characters of the text, half-open; facts never overlap (a date
holds its year; a person found in a unit run is a person). Linear in the text
(jieba segmentation, a few regular expressions, one pass over the words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from . import analysis

KINDS = ("unit", "year", "date", "person", "title", "session", "theme", "number")
KIND_NAMES = {"unit": "单位", "year": "年份", "date": "日期", "person": "人名", "title": "职务或题名",
              "session": "全会", "theme": "主题", "number": "数字"}

_HAN = "\u4e00-\u9fff"
_CN_DIGIT = "〇○零一二三四五六七八九"
_CN_NUMERAL = _CN_DIGIT + "十百千万亿两"
_DIGIT = "0-9０-９"

PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道", "社区", "嘎查", "苏木",
                  "省", "市", "县", "区", "旗", "盟", "州", "镇", "乡", "村")
# Offices named by what they do (财政局, 第三中学): a particular unit when their stem is not a level word.
NAMED_SUFFIXES = ("办公室", "联合会", "合作社", "中心", "公司", "集团", "银行", "学校", "中学", "小学", "大学",
                  "学院", "医院", "协会", "学会", "局", "厅", "署", "院")
# Place suffixes whose names are learnt from a document and looked for bare (信阳 of 信阳市): 区, 镇, 村… take
# too many common nouns (功能区, 保护区) to learn from.
ADMIN_SUFFIXES = ("自治区", "自治州", "自治县", "自治旗", "省", "市", "县", "州", "盟", "旗")
# Party and government bodies (市委, 区政府, 局党组, 组织部): particular only with a place or an ordinal.
BODY_SUFFIXES = ("党支部", "党总支", "党小组", "党工委", "委员会", "常委会", "管委会", "人民政府", "检察院", "法院", "党委", "党组",
                 "支部", "工委", "纪委", "监委", "政府", "人大", "政协", "委", "办", "部")
# Stems that make a place or office word generic: 全市, 本局, 城区, 各县, 分局.
GENERIC_STEMS = frozenset("全 本 我 该 各 此 其 城 社 地 辖 园 景 山 牧 矿 片 小 老 新 旧 市 县 区 省 州 镇 乡 村 分 总 "
                          "两 上级 下级 同级 基层 机关 城市 农村 人民 直属 派出 自治 开发 试验 示范 行政 党 支 司 处 "
                          "出 研究 宗教 社会 事务 住 住所 场 派出所 单 服务 工作 便民 党群 活动 学习 培训 指挥 调度 "
                          "管理 办事 综合 专门 有关 相关 职能 业务 主管 内设 下属 贫困 先进 公立 有限 行业 卫生 敬老 护理 "
                          "养老 福利 疾控 数据 维修 急救 金融 甲等 直辖 地级 县级 省级 百强 强 大 示范 中小 大中小 人民法 人民检察".split())
# Common words that end like a unit but are none (干部, 格局, 举办, 网站).
NOT_UNITS = frozenset(
    "干部 全部 内部 外部 局部 总部 俱乐部 举办 承办 主办 督办 创办 开办 兴办 查办 包办 代办 照办 交办 部署 格局 大局 全局 "
    "布局 结局 开局 当局 骗局 变局 客厅 议事厅 发布厅 大厅 餐厅 展厅 门厅 院所 红旗 国旗 彩旗 党旗 团旗 会旗 "
    "城市 超市 都市 股市 楼市 上市 门市 地区 城区 市区 郊区 山区 牧区 林区 灾区 疫区 片区 街区 小区 园区 营区 厂区 校区 "
    "矿区 库区 垦区 湾区 景区 辖区 新区 老区 苏区 边区 特区 保护区 开发区 示范区 试验区 先行区 功能区 保税区 自贸区 "
    "棚户区 居民区 住宅区 居住区 生活区 核心区 起步区 产区 防御区 危险区 发射区 警务区 欧元区 经开区 高新区 产业区 "
    "集聚区 工业区 商业区 风景区 度假区 旅游区 蓄滞洪区 行政区 经济区 建成区 项目区 乡村 农村 城乡 家乡 故乡 下乡 "
    "返乡 城镇 乡镇 集镇 村镇 小镇 自然村 行政村 中心村 城中村 政治局 新局 宴会厅 音乐厅 责任区 禁燃区 综保区 协作区 "
    "产销区 水乡 单列市 开好局 谋好局 布好局".split())
NATIONAL_PREFIXES = ("国家", "中央", "全国", "中共中央", "国务院", "党中央", "中华人民共和国", "最高人民", "中国", "国际",
                     "联合国")
NATIONAL_SUFFIXES = ("总局", "总署")
LEVEL_WORDS = frozenset("市直 区直 县直 省直 旗直 市属 区属 县属 省属 局属 驻村 党员 人民 机关 直属 住房 城乡 建设 "
                        "发展 改革 财政 农业 农村 教育 卫生 健康 文化 旅游 体育 交通 运输 水利 自然资源 生态 环境 "
                        "人力资源 社会保障 市场 监督 管理 应急 退役军人 事务 统计 审计 商务 科技 工业 信息化 公安 "
                        "民政 司法 税务 林业 草原 国土 规划 城管 执法 纪检 监察 组织 宣传 统战 政法 编办 信访 "
                        "妇联 团委 工会 残联 科协 某".split())
CONNECTORS = frozenset("和 与 及".split())

TITLES = ("党组书记", "党委书记", "支部书记", "第一书记", "总书记", "副书记", "书记", "村支书", "副局长", "局长", "副厅长",
          "厅长", "副主任", "主任科员", "主任", "副处长", "处长", "副科长", "科长", "副区长", "区长", "副县长", "县长",
          "副市长", "市长", "副省长", "省长", "副镇长", "镇长", "副乡长", "乡长", "村长", "副校长", "校长", "副院长",
          "院长", "副主席", "主席", "副部长", "部长", "常委", "委员", "副组长", "组长", "队长", "所长", "站长",
          "总经理", "副经理", "经理", "董事长", "秘书长", "调研员", "馆长", "社长", "行长", "会长", "理事长",
          "检察长", "庭长", "旗长", "盟长", "主委", "干事", "辅导员")
# Common family names (single and compound); rare ones that are also common words (全 党 年 上 相 支 班) are left out.
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
               "任姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
               "孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅"
               "童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车"
               "项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛"
               "仲虞敖巩明佘池查麻苑迟邝") - set("全党和明时文成车华石安常项单向")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "宇文", "长孙",
                     "夏侯", "端木", "独孤", "南宫", "西门", "司徒", "万俟", "呼延")
# Names every unit may write: the national leadership and the models held up to all (学习焦裕禄同志).
KEPT_PEOPLE = frozenset("习近平 毛泽东 邓小平 江泽民 胡锦涛 周恩来 刘少奇 朱德 陈云 任弼时 李大钊 陈独秀 瞿秋白 方志敏 "
                        "李强 赵乐际 王沪宁 蔡奇 丁薛祥 李希 焦裕禄 雷锋 孔繁森 杨善洲 谷文昌 张桂梅 黄文秀 廖俊波 "
                        "王进喜 钱学森 邓稼先 黄大年 南仁东 张富清 王继才 申纪兰 杨靖宇 黄继光 邱少云 董存瑞 刘胡兰 "
                        "孙中山 鲁迅 马克思 恩格斯 列宁 毛主席".split())
# Words before 同志 that are not names (全体同志, 广大同志, 许多同志).
NOT_NAMES = frozenset("全体 各位 有关 广大 许多 党员 领导 青年 年轻 基层 个别 部分 这些 那些 其他 上述 相关 参会 与会 "
                      "机关 支部 班子 主要 分管 同级 各级 老 新 男 女 一些 不少 多数 少数 多名 全部 所有 身边 周围 "
                      "先进 优秀 模范 离退休 退休 老干部 干部 党外 民主 女性 男性 来信 来访 这位 那位 这个 工作 简历 应到 实到".split())

_YEAR = rf"(?:(?<![{_DIGIT}.．])[12１２][{_DIGIT}]{{3}}|[{_CN_DIGIT}]{{4}})"
_YEARS = re.compile(rf"{_YEAR}(?:\s*[—–\-－~～至到]\s*{_YEAR})?\s*年(?:度)?")
_MONTH = r"(?:1[0-2]|0?[1-9]|１[０-２]|０?[１-９]|十[一二]?|[一二三四五六七八九])\s*月"
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9]|[１２][０-９]|３[０１]|０?[１-９]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号]"
_TO = r"\s*[—–\-－~～至到]\s*"
_DAY_OR_MONTH = rf"(?:(?:{_YEAR}\s*年\s*)?{_MONTH}(?:\s*{_DAY})?)"
_ARABIC_MONTH = r"(?:1[0-2]|0?[1-9]|１[０-２]|０?[１-９])"
# a day, a month of a year or a month in Arabic digits (3月: no number before 月), each with the range's end when
# written (2026年3月—5月, 2024年3月5日至4月10日, 3月—5月), or a range of months in Arabic digits (1—10月, 1至4月份,
# a statistics period): one date, not a date and a number
_DATES = re.compile(rf"(?:(?:{_YEAR}\s*年\s*)?{_MONTH}\s*{_DAY}|{_YEAR}\s*年\s*{_MONTH}"
                    rf"|(?<![{_DIGIT}.．])(?:{_ARABIC_MONTH}{_TO})?{_ARABIC_MONTH}\s*月份?)(?:{_TO}{_DAY_OR_MONTH})?")
# a 全会 by its short name (二十届三中全会) or in full, as its 公报's and 决定's titles name it (《中国共产党第二十届中央委员会
# 第三次全体会议公报》)
_SESSIONS = re.compile(rf"(?:[{_CN_NUMERAL}]+届(?:中央)?)?[一二三四五六七八九十]+中全会"
                       rf"|(?:中国共产党|中共)?第?[{_CN_NUMERAL}]+届中央委员会第[一二三四五六七八九十]+次全体会议")
_FULL_SESSION = re.compile(r"(\d+)届中央委员会第(\d+)次全体会议")
_BOOK = re.compile(r"《[^《》\n]{1,60}》")
# a quoted theme: 主题 (是, 为, a colon) before the quote, or after it (这一, 这个, 的, 为: 以“…”为主题)
_THEMES = re.compile(r"(?<=主题)(?:是|为|[：:])?“([^“”\n]+)”|“([^“”\n]+)”(?=(?:这一|这个|的|为)?主题)")
_ARABIC = re.compile(rf"[{_DIGIT}]+(?:[.．][{_DIGIT}]+)?(?:\s*[%％‰])?(?:[万亿]+)?")
_PERCENT_CN = re.compile(rf"百分之[{_CN_NUMERAL}点]+")
_MEASURE = "个项次名人位条家所件场天批处篇户元倍台套座支轮届期款章节类种方面"
# the units of measure a number counts in — a length, an area, a volume, a weight (八公里, 三万五千亩, 二十万吨)
MEASURE_UNITS = re.compile("公里|千米|平方(?:公里|米)|立方米|公顷|亩|吨|千克|公斤|米|斤")
# a Chinese numeral before a measure word (余 or 多 and a 万 or 亿 between them too: 一百二十余人次, 两千余万元), or
# before a unit of measure when it starts with a digit (a round 千, 万 or 百 names: 千斤顶, 万米深井, 千亿斤粮食, 万亩良田)
# and is no part of a number said before it (9300多万亩, 几十公里, 数十万吨)
_CN_QUANTITY = re.compile(rf"[{_CN_NUMERAL}]+(?=[余多]?[万亿]?[{_MEASURE}])|(?<![{_CN_NUMERAL}{_DIGIT}多余几数])"
                          rf"[{_CN_DIGIT}十两][{_CN_NUMERAL}]*(?={MEASURE_UNITS.pattern})")
_TITLE_WORDS = re.compile("|".join(sorted(TITLES, key=len, reverse=True)))
_NAME_BOUNDARY = re.compile(rf"(?:[^{_HAN}]|同志|$)")
# a writer or speaker who introduces themself at the start of a clause: the name after 我叫 up to a stop, 现任 or
# 同志 (我叫张三，…); after 本人 or 我是, only before what says who they are (本人张三，现任…, 我是张三同志) — 「本人申请，
# 经批准」 and 「经本人申请」 name nobody
_INTRODUCED = re.compile(rf"(?:^|(?<=[\s。！？；：:，,、“‘（(]))(?:(?:我叫|我名叫|我的名字叫)[ \u3000]*([{_HAN}]{{2,4}}?)"
                         rf"(?=[，,。、；;（(\s]|现任|现为|同志|$)|(?:本人|我是)[ \u3000]*([{_HAN}]{{2,4}}?)"
                         rf"(?=[，,]?(?:现任|现为|现系|系|同志)))", re.MULTILINE)
# a 署名 or 题注 line naming a person alone: the name, after a word naming the writer (述职人：) or after a 职务 or unit
# and a space (某镇党委副书记　张三)
_SIGNATURE = re.compile(rf"(?:(?:述职人|报告人|发言人|汇报人|姓名)[ \t\u3000]*[：:]|\S{{2,30}}[ \t\u3000]+)?[ \t\u3000]*"
                        rf"([{_HAN}]{{2,4}})")


@dataclass(frozen=True)
class Fact:
    """One fact of a text: ``kind`` (one of :data:`KINDS`), ``text`` as written (``== text[start:end]``),
    ``start``/``end`` (characters, half-open) and ``value``, the form compared between two texts
    (numbers and years as Arabic digits, everything else without spaces)."""

    kind: str
    text: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Known:
    """Names learnt from a whole document (:func:`learn`): ``people`` (郭慧茹), place names without
    their suffix (信阳, 固始 of 河南省信阳市固始县), and ``towns``: the names read by their suffix, with it (奋斗镇 of
    「推进奋斗镇创建」, :func:`_cut_name`), each looked for wherever it occurs in a paragraph of it (a town's name
    at a clause's start, 「奋斗镇新镇区」, or after 了 is read by nothing else)."""

    people: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    towns: frozenset[str] = frozenset()


def learn(text: str) -> Known:
    """The people and places of ``text`` found by the rules, for :func:`find_facts` on its paragraphs."""
    return _learn(text, analysis.word_spans(text), bodies=True)


def _learn(text: str, words: list[tuple[int, int]], bodies: bool) -> Known:
    """People, and the names of places with an administrative suffix (and, with ``bodies``, of a 区 that
    heads a body: 海拉尔 of 海拉尔区人民政府, and the towns read by their suffix)."""
    people = frozenset(f.value for f in _people(text, words))
    places = set()
    for start, end in words:
        word = text[start:end]
        suffix = ending(word, ADMIN_SUFFIXES)
        if suffix and _unit_word(word) == "place" and _specific(word, "place", ""):
            stem = word[: -len(suffix)]
            if len(stem) >= 2 and not stem.startswith("某"):
                places.add(stem)
    towns: set[str] = set()
    for fact in _units(text, words, frozenset(), towns) if bodies else ():
        head = analysis.word_spans(fact.text)[0]
        first = fact.text[head[0]:head[1]]
        suffix = ending(first, PLACE_SUFFIXES)
        if suffix and len(fact.text) > len(first) and len(first) - len(suffix) >= 2 and _specific(first, "place", ""):
            places.add(first[: -len(suffix)])
    return Known(people, frozenset(places), frozenset(towns))


def find_facts(text: str, known: Known = Known(), kinds: Iterable[str] = KINDS) -> list[Fact]:
    """The facts of ``text`` of the given ``kinds``, in text order, none overlapping.

    ``known``: people and places learnt from the whole source document
    (:func:`learn`), marked wherever they occur in ``text``. Never raises.
    """
    wanted = set(kinds)
    found: list[Fact] = []
    taken = bytearray(len(text))

    def add(facts: Iterable[Fact]) -> None:
        for fact in facts:
            if not any(taken[fact.start:fact.end]):
                found.append(fact)
                taken[fact.start:fact.end] = b"\x01" * (fact.end - fact.start)

    words = analysis.word_spans(text)
    own = _learn(text, words, bodies=False)
    known = Known(known.people | own.people, known.places | own.places, known.towns)
    if "theme" in wanted:   # the theme's words whole, before any fact within them
        add(Fact("theme", m.group(g), m.start(g), m.end(g), m.group(g)) for m in _THEMES.finditer(text)
            for g in (1, 2) if m.group(g))
    if "date" in wanted:
        add(_matches(text, _DATES, "date"))
    if "year" in wanted:
        add(_matches(text, _YEARS, "year"))
    if "person" in wanted:
        add(_people(text, words))
        add(_occurrences(text, known.people))
    if "unit" in wanted:
        towns = set(known.towns)
        add(_units(text, words, known.places, towns))
        add(_mentions(text, words, towns))
    if "title" in wanted:
        add(_matches(text, _BOOK, "title"))
        add(_matches(text, _TITLE_WORDS, "title"))
    if "session" in wanted:
        add(_matches(text, _SESSIONS, "session"))
    if "number" in wanted:
        add(_matches(text, _PERCENT_CN, "number"))
        add(_matches(text, _ARABIC, "number"))
        add(f for f in _matches(text, _CN_QUANTITY, "number") if f.value != "1")
    return sorted(found, key=lambda f: f.start)


# -- numbers -----------------------------------------------------------------------------------

_CN_VALUES = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９．％", "0123456789.%")


def cn_number(numeral: str) -> int:
    """Value of a Chinese numeral: 十二 → 12, 一百零三 → 103, 两 → 2, 二〇二四 (digit by digit) → 2024."""
    if all(c in _CN_VALUES for c in numeral):
        return int("".join(str(_CN_VALUES[c]) for c in numeral))
    total = section = digit = 0
    for char in numeral:
        if char in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[char]
            digit = 0
        elif char in "万亿":
            total = (total + section + digit) * (10_000 if char == "万" else 100_000_000)
            section = digit = 0
        else:
            digit = _CN_VALUES.get(char, 0)
    return total + section + digit


def _value(kind: str, written: str) -> str:
    """The compared form of a fact: digits for numbers and years, no spaces."""
    plain = re.sub(r"\s+", "", written).translate(_WIDE_DIGITS)
    if plain.startswith("百分之"):
        return f"{cn_number(plain[3:].split('点')[0])}%"
    if kind == "year":
        return "-".join(str(cn_number(n)) if not n.isdigit() else str(int(n))
                        for n in re.findall(rf"[0-9]+|[{_CN_DIGIT}]+", plain))
    if kind in ("number", "date", "session"):
        plain = re.sub(rf"[{_CN_NUMERAL}]+", lambda m: _cn_digits(m.group(), plain), plain)
        plain = re.sub(r"(?<![0-9.])0+(?=[0-9])", "", plain.replace("号", "日"))
    full = _FULL_SESSION.search(plain) if kind == "session" else None
    return f"{full[1]}届{full[2]}中全会" if full else plain   # a 全会 in full as by its short name


def _cn_digits(numeral: str, context: str) -> str:
    """A Chinese numeral as digits; 万 and 亿 after Arabic digits (126万亿) stay as written."""
    if all(c in "万亿" for c in numeral) and context[:1].isdigit():
        return numeral
    return str(cn_number(numeral))


def _matches(text: str, pattern: re.Pattern, kind: str) -> list[Fact]:
    return [Fact(kind, m.group(), m.start(), m.end(), _value(kind, m.group())) for m in pattern.finditer(text)
            if m.group().strip()]


# -- people ------------------------------------------------------------------------------------


def _is_name(word: str) -> bool:
    if not 2 <= len(word) <= 4 or word in NOT_NAMES or word in KEPT_PEOPLE or not re.fullmatch(f"[{_HAN}]+", word):
        return False
    if word[:2] in COMPOUND_SURNAMES:
        return len(word) >= 3
    return word[0] in SURNAMES and len(word) <= 3 and not _TITLE_WORDS.search(word)


def line_name(line: str) -> str | None:
    """The person a 署名 or 题注 line names and nothing else — 「张三」, 「述职人：张三」, or a 职务 or unit, a space and
    the name, 「某镇党委副书记　张三」 —; None for any other line, and for a name every unit may write
    (:data:`KEPT_PEOPLE`: 「国务院总理　李强」). Linear in the line."""
    found = _SIGNATURE.fullmatch(line.strip())
    return found.group(1) if found and _is_name(found.group(1)) else None


def _people(text: str, words: list[tuple[int, int]]) -> list[Fact]:
    """Names before 同志 (and the names listed with 、 before them), after a 职务, surnames before a 职务, and the name
    of one who introduces themself (:data:`_INTRODUCED`)."""
    out = [_person(text, *m.span(m.lastindex)) for m in _INTRODUCED.finditer(text) if _is_name(m.group(m.lastindex))]
    pieces = [text[s:e] for s, e in words]
    ends = {e: s for s, e in words}
    for match in re.finditer("同志", text):
        at = match.start()
        while (name := _name_before(text, at, ends)) is not None:
            out.append(_person(text, *name))
            if name[0] == 0 or text[name[0] - 1] != "、":
                break
            at = name[0] - 1
    for i, (start, end) in enumerate(words):
        piece = pieces[i]
        if piece in TITLES and piece != "总书记":
            j = i + 1
            while j < len(pieces) and pieces[j].isspace():
                j += 1
            if j < len(pieces) and _is_name(pieces[j]) and _NAME_BOUNDARY.match(text, words[j][1]):
                out.append(_person(text, *words[j]))
            if i >= 1 and len(pieces[i - 1]) == 1 and pieces[i - 1] in SURNAMES:
                out.append(Fact("person", text[words[i - 1][0]:end], words[i - 1][0], end, text[words[i - 1][0]:end]))
        elif len(piece) in (3, 4) and piece[0] in SURNAMES and piece[1:] in TITLES:   # 王局长 as one word
            out.append(Fact("person", piece, start, end, piece))
    return out


def _name_before(text: str, at: int, word_ends: dict[int, int]) -> tuple[int, int] | None:
    """The name just before offset ``at`` (before 同志 or 、): the segmenter's word if it is a name, else
    three characters after a non-Han one, else two (the segmenter cuts 5日张三 as 日张 | 三)."""
    start = word_ends.get(at)
    if start is not None and _is_name(text[start:at]):
        return start, at
    if at >= 3 and _is_name(text[at - 3:at]) and (at == 3 or not re.match(f"[{_HAN}]", text[at - 4])):
        return at - 3, at
    if at >= 2 and _is_name(text[at - 2:at]):
        return at - 2, at
    return None


def _person(text: str, start: int, end: int) -> Fact:
    return Fact("person", text[start:end], start, end, text[start:end])


def _occurrences(text: str, names: set[str]) -> list[Fact]:
    if not names:
        return []
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return [Fact("person", m.group(), m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


# -- units -------------------------------------------------------------------------------------


def ending(word: str, suffixes: tuple[str, ...]) -> str | None:
    """The first of ``suffixes`` that ``word`` ends with (so the longer of two that end alike comes first: 党支部
    before 支部); None when it ends with none."""
    return next((s for s in suffixes if word.endswith(s)), None)


@lru_cache(maxsize=100_000)
def _unit_word(word: str) -> str | None:
    """``"place"``, ``"named"``, ``"body"``, ``"part"`` (ordinal, level or department word), or None."""
    if word.endswith(tuple(NOT_UNITS)) or not re.fullmatch(f"[{_HAN}]+", word):
        return None
    if re.fullmatch(f"第[{_CN_NUMERAL}]+", word) or word in LEVEL_WORDS:
        return "part"
    for kind, suffixes in (("body", BODY_SUFFIXES), ("named", NAMED_SUFFIXES), ("place", PLACE_SUFFIXES)):
        suffix = ending(word, suffixes)
        if suffix is not None and (kind != "place" or len(word) - len(suffix) != 1 or word[0] in "某全本我各该"):
            return kind   # a place word needs a name (家乡, 城乡 are none); 某市, 全市 are kept
    if len(word) <= 3 and word[0] in "市县区省旗" and word not in ("市场", "区域", "县域", "省份"):
        return "part"   # 市住 (of 市住建局, cut by the segmenter)
    return None


def _specific(word: str, kind: str, previous: str) -> bool:
    """Whether a word of a unit run names a particular unit (海拉尔区, 财政局, 第三党支部)."""
    if kind in ("part", "known"):
        return kind == "known" or word == "某"
    suffixes = {"place": PLACE_SUFFIXES, "named": NAMED_SUFFIXES, "body": BODY_SUFFIXES}[kind]
    stem = word[: len(word) - len(ending(word, suffixes))]
    if kind == "body":   # 第三党支部, 海拉尔区委; not 市委, 组织部, 局党组
        place = ending(stem, PLACE_SUFFIXES)
        return bool(re.fullmatch(f"第[{_CN_NUMERAL}]+", previous)) or bool(place) and _specific_stem(
            stem[: -len(place)], "place")
    return _specific_stem(stem, kind)


def _specific_run(words: list[str]) -> bool:
    """A run cut apart by the segmenter (市住 | 建局) names a particular office when its last two words,
    read as one, do."""
    if len(words) < 2 or not (len(words[-2]) <= 3 and words[-2][0] in "市县区省旗"):
        return False
    joined = words[-2] + words[-1]
    suffix = ending(joined, NAMED_SUFFIXES)
    return suffix is not None and _specific_stem(joined[1: -len(suffix)], "named")


def _specific_stem(stem: str, kind: str) -> bool:
    """Whether the stem of a place or office word is a name: 海拉尔 of 海拉尔区, 财政 of 财政局, 某 of 某市."""
    if stem.startswith("某"):
        return True
    if len(stem) < 2 or stem in GENERIC_STEMS or all(c in GENERIC_STEMS for c in stem):
        return False
    place = ending(stem, PLACE_SUFFIXES)   # 信阳市 of 信阳市委: the place inside names it
    if place and kind != "place":
        return _specific_stem(stem[: -len(place)], "place")
    return kind != "place" or stem not in LEVEL_WORDS


_CUT_SUFFIXES = ("镇", "乡", "村", "街道", "县")   # suffixes the segmenter cuts from a village's, a town's, a county's name
_NAME_TAGS = ("ns", "nr", "nrt", "nz")   # jieba's place, person (双河, 王家庄 are tagged so) and other proper names
_VERB_TAGS = ("v", "vn")
_CONTENT_TAGS = ("n", "v", "vn", "a", "an")   # a noun, a verb or an adjective may be a town's name (青石, 奋斗, 平安)
# landforms and remoteness the segmenter tags as proper names (ns: 平原, 高山; nr: 丘陵, 边远), and the kinds and
# shares of towns it tags as nouns (专业镇, 亮点街道, 部分街道, 属地街道), and the titles a place earns (全国文明县, 美丽村,
# 园林镇: 文明 nr, 美丽 ns): a kind of place, not its name
_KINDS_OF_PLACE = frozenset(("平原", "高原", "丘陵", "高山", "平坝", "海岛", "边远", "山村", "专业", "亮点", "重点", "特色",
                             "部分", "属地", "文明", "美丽", "园林", "卫生", "生态", "和谐"))
# verbs the segmenter tags as nouns, whose object a town's body is (指导 镇党委, 督导 乡政府): no town's name
_VERBS_TAGGED_NOUNS = frozenset(("指导", "领导", "督导", "指派", "委托", "责令", "会同", "协同", "动员", "通报", "函告",
                                 "联系", "部署", "报告"))


def _cut_suffix(word: str) -> bool:
    """Whether ``word`` is a suffix the segmenter cut from a place's name (:data:`_CUT_SUFFIXES`: 宁蒗 | 县), or a
    town's or a county's with its body (镇党委, 乡政府, 县委: 青石 | 镇党委, 宁蒗 | 县委)."""
    return word in _CUT_SUFFIXES or word[:1] in "镇乡县" and word[1:] in BODY_SUFFIXES


@lru_cache(maxsize=10_000)
def _place_name(word: str, suffix: str, after: str) -> bool:
    """Whether ``word``, before a bare 镇, 乡, 村 or 街道 (``suffix``, :func:`_cut_suffix`), is the name of the place:
    two to four Han characters the segmenter tags as a proper name (马鬃山, 黄土岭, 双河), or — before a town's suffix
    (镇, 乡, 街道: a town's name is seldom a word of its own) — a word of two characters naming no level or kind
    (:func:`_specific_stem`; not 以城带 乡) that the segmenter tags as a noun (青石 镇, 窦店 镇, 培石 乡政府), or as a
    verb or an adjective — a department's word too (建设 街道) — read as a name by what stands before it (``after``:
    ``"place"`` for a place, else the tag of the word before): a place (某县 奋斗 乡政府, 淮安市 漕运 镇), or a verb
    before 镇 or 街道 (推进 奋斗 镇, 服务 建设 街道: no verb takes another verb's town as its object, where 下沉 街道,
    服务 街道 are a verb and its object; a law's 符合 乡（镇） is any 乡) — not 完成, 薄弱, 重点 (村), nor a kind of place
    it tags so: an area ending in 区 (山区, 湖区, 垦区, 苏区 村), a landform or a kind of town (:data:`_KINDS_OF_PLACE`:
    平原, 丘陵, 边远 村, 专业 镇), nor a verb it tags as a noun (:data:`_VERBS_TAGGED_NOUNS`: 指导 镇党委) — a village
    named 高山村 stays unmarked, as a generic word would. Before a county's suffix (县, 县委: 宁蒗 | 县), only a proper
    name."""
    if word.endswith("区") or word in _KINDS_OF_PLACE or word in _VERBS_TAGGED_NOUNS:
        return False
    tags = analysis.word_tags(word) if re.fullmatch(f"[{_HAN}]{{2,4}}", word) else []
    if len(tags) != 1 or tags[0][1] in _NAME_TAGS:
        return len(tags) == 1
    if len(word) != 2 or suffix.startswith(("村", "县")):
        return False
    if tags[0][1] == "n":
        return _specific_stem(word, "place")
    read = after == "place" or after in _VERB_TAGS and not suffix.startswith("乡")
    return tags[0][1] in _CONTENT_TAGS and read and _specific_stem(word, "named")


def _cut_name(text: str, words: list[tuple[int, int]], i: int, placed: bool) -> bool:
    """Whether the word ``i`` of ``words`` is a place's name the segmenter cut from its suffix, the next word
    (:func:`_cut_suffix`, :func:`_place_name`: 马鬃山 | 村, 青石 | 镇党委), read after a place (``placed``: 某县 青石 | 镇,
    or a town's name before a 、 or 和 joining it: 青石镇、奋斗 | 镇和建设 | 街道, :func:`_listed`) or after the word right
    before it (推进 奋斗 | 镇)."""
    start, end = words[i]
    if i + 1 == len(words) or words[i + 1][0] != end or not _cut_suffix(text[end:words[i + 1][1]]):
        return False
    before = text[words[i - 1][0]:start] if i and words[i - 1][1] == start else ""
    tags = analysis.word_tags(before) if before and not placed else []
    after = "place" if placed else tags[0][1] if len(tags) == 1 else ""
    return _place_name(text[start:end], text[end:words[i + 1][1]], after)


def _placed(text: str, run: list[tuple[int, int, str]], start: int) -> bool:
    """Whether the unit ``run`` ends at ``start`` with a particular place (某县, 华坪县, a name cut from its suffix:
    宁蒗 | 县; not a bare 县), which a town's or a village's name after it belongs to: one unit (某县青石镇, 宁蒗县红桥镇)."""
    if not run or run[-1][1] != start or run[-1][2] not in ("place", "known"):
        return False
    cut = len(run) > 1 and run[-2][2] == "known" and run[-2][1] == run[-1][0]   # 宁蒗 | 县
    return cut or _specific(text[run[-1][0]:start], run[-1][2], "")


def _listed(text: str, words: list[tuple[int, int]], i: int, town: int) -> bool:
    """Whether the word ``i`` of ``words`` is the next in a list of places, right after a 、 or a 和 (及, 与) that
    follows a name read by its suffix ending at ``town`` (青石镇、奋斗 | 镇和建设 | 街道: every name of a list is a place's,
    as the first is)."""
    joint = words[i - 1] if i else (-1, -1)
    return joint[0] == town and joint[1] == words[i][0] and text[joint[0]:joint[1]] in ("、", *CONNECTORS)


def _units(text: str, words: list[tuple[int, int]], places: frozenset[str], towns: set[str]) -> list[Fact]:
    """Runs of unit words that name a particular unit (see the module docstring); a word that starts
    with one of the ``places`` learnt from the document is a particular place. Each name read by its suffix is
    added to ``towns`` with its place's suffix (奋斗镇 of 奋斗 | 镇党委)."""
    out: list[Fact] = []
    run: list[tuple[int, int, str]] = []

    def close() -> None:
        while run and run[-1][2] in ("part", "connector"):
            run.pop()
        while run and run[0][2] == "connector":
            run.pop(0)
        if run:
            start, end = run[0][0], run[-1][1]
            written = text[start:end]
            kinds = [(text[s:e], k, text[run[i - 1][0]:run[i - 1][1]] if i else "") for i, (s, e, k) in enumerate(run)]
            national = written.startswith(NATIONAL_PREFIXES) or written.endswith(NATIONAL_SUFFIXES)
            if not national and (any(_specific(w, k, p) for w, k, p in kinds if k != "connector")
                                 or _specific_run([w for w, _, _ in kinds])):
                out.append(Fact("unit", written, start, end, written))
        run.clear()

    town = -1   # where the last name read by its suffix ends (青石 | 镇: after 镇)
    for i, (start, end) in enumerate(words):
        word = text[start:end]
        if word.startswith(tuple(places)) and places:
            kind = "known"
        else:
            kind = "connector" if word in CONNECTORS and run else _unit_word(word)
        placed = _placed(text, run, start)
        if kind in (None, "part") and _cut_name(text, words, i, placed or _listed(text, words, i, town)):
            if not placed:
                close()   # 我县 | 青石 | 镇, 青石镇 和 | 建设 | 街道: the town alone
            # 马鬃山 | 村, 王家庄 | 村, 某县 青石 | 镇党委: a place's name cut from its suffix
            kind, town = "known", words[i + 1][1]
            suffix = text[end:town]
            towns.add(word + (suffix if suffix in _CUT_SUFFIXES else suffix[0]))
        if kind is None:
            close()
            continue
        if kind in ("place", "known") and len(run) >= 2 and run[-1][2] == "connector" and run[-2][2] != "part":
            run.pop()   # the 和 of 政府和湖北省地震局: two units, not one
            close()
        run.append((start, end, kind))
    close()
    return out


def _mentions(text: str, words: list[tuple[int, int]], towns: set[str]) -> list[Fact]:
    """The ``towns`` read by their suffix elsewhere (:func:`_units`), wherever a word of ``text`` opens one: 奋斗镇 at
    a clause's start, after 了, before 镇区 (奋斗 | 镇新 | 镇区) — not in 艰苦奋斗 | 镇守. Linear in the text."""
    if not towns:
        return []
    starts = {start for start, _ in words}
    pattern = re.compile("|".join(re.escape(t) for t in sorted(towns, key=len, reverse=True)))
    return [Fact("unit", m.group(), m.start(), m.end(), m.group()) for m in pattern.finditer(text) if m.start() in starts]
