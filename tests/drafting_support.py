"""What the 写作台 tests share: small 对照检查材料 written for them (our own writing) and a local
OpenAI-compatible model server.

Four units word the same outline differently, so that what the outline suggestion must find is
known by hand; a fifth has a members part whose words (:data:`MEMBERS_WORDS`) must never reach a
non-member.

Hand-checked expectations (see tests/test_drafting.py):

- top level, in this order: the problems (all four documents: "存在的主要问题", "存在的问题",
  "存在问题", "存在的主要问题"), their roots (three: "问题产生的根源" ×2, "产生问题的根源"; the
  fourth says "原因分析", which reads otherwise), the measures (all four: "整改措施" ×2,
  "下一步整改措施", "整改措施");
- under the problems: 理论学习 (four), 担当作为 (four), 作风建设 (three: C has none), in that order;
- D ends with its 落款 (署名 and 成文日期), which is no part of its last measure.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sucai.library import Library

GENRE = "对照检查材料"

DOCS = {
    "a_财政局.txt": """某县财政局第一党支部2023年度组织生活会对照检查材料
根据县直机关工委通知要求，第一党支部认真开展对照检查，现将有关情况报告如下。
一、存在的主要问题
（一）理论学习方面。学习的系统性不够，满足于读文件、传精神，专题研讨次数偏少，学用结合还不够紧密，用理论指导预算管理的办法不多。
（二）担当作为方面。面对预算执行中的难题，有时存在等靠思想，主动研究破题不够，服务基层还不够及时，办理时限偏长。
（三）作风建设方面。调查研究不够深入，下基层多集中在年底检查考核，平时随机走访较少，文风会风改进不够到位。
二、问题产生的根源
（一）理想信念有所松懈。对理论武装的重要性认识不足，没有把学习作为政治责任，学习的自觉性不强。
（二）宗旨意识有所淡化。服务群众的意识不强，对基层反映的问题回应不够快，换位思考不够。
三、整改措施
（一）加强理论武装。坚持把“第一议题”制度落到实处，每月至少开展一次专题研讨，2024年起由张三同志牵头建立学习台账。
（二）强化担当作为。聚焦预算绩效管理，主动研究解决实际问题，对基层反映的事项实行限时办结。
""",
    "b_住建局.txt": """某市住建局机关党支部2023年度专题组织生活会对照检查材料
按照市直机关工委的统一部署，机关党支部深入查摆问题，剖析根源，提出整改措施。
一、存在的问题
（一）在理论学习方面。学习抓得不够紧，有时以干代学，对新理论新要求的学习停留在表面，运用理论推动城市更新工作的本领不强。
（二）在担当作为方面。面对老旧小区改造中的矛盾问题，有的同志习惯按老办法办事，攻坚克难的劲头不足，主动担当意识有待加强。
（三）在作风建设方面。深入项目一线调研不够，对群众关心的物业管理问题了解不全面，工作中存在重部署轻落实的现象。
二、产生问题的根源
（一）理论学习不够深入。没有真正把学习作为提升能力的根本途径，学习的深度和广度不够。
（二）党性修养有所放松。对自身要求有所降低，自我革命精神不够强。
三、下一步整改措施
（一）持续深化理论学习。制定年度学习计划，坚持集中学习与个人自学相结合，推动学习成果转化。
（二）切实加强作风建设。建立领导干部联系项目制度，每季度至少深入一线调研一次。
""",
    "c_教育局.txt": """某区教育局党支部2023年度民主生活会对照检查材料
根据区委统一安排，教育局党支部围绕主题认真查摆问题，现报告如下。
一、存在问题
（一）理论学习方面。对党的创新理论学习不够系统，结合教育工作实际思考不深，指导学校发展的能力有待提升。
（二）担当作为方面。面对教育资源配置不均衡的问题，研究解决办法不多，推动改革的魄力不够。
二、问题产生的根源
（一）理论武装不够扎实。满足于完成规定学习任务，学思用贯通不够。
（二）责任意识不够强。对分管工作抓得不够细，有时存在被动应付的情况。
三、整改措施
（一）加强理论学习。每月开展一次集中学习研讨，推动理论学习与教育实践深度融合。
（二）推动改革落地。围绕资源配置问题制定工作方案，明确责任人和时间表。
""",
    "d_统计局.txt": """某县统计局党支部2023年度组织生活会对照检查材料
现将统计局党支部对照检查情况报告如下。
一、存在的主要问题
（一）理论学习方面。学习形式较为单一，以读原文为主，交流研讨不多，统计业务与理论学习结合不紧。
（二）担当作为方面。对统计数据质量问题有时存在畏难情绪，主动协调相关部门不够。
（三）作风建设方面。深入基层调查核实数据不够，对基层统计人员的指导不够经常。
二、原因分析
（一）学习的主动性不强。把学习当作软任务，缺少持之以恒的韧劲。
三、整改措施
（一）丰富学习形式。开展专题研讨和案例教学，每季度组织一次交流。
（二）提高数据质量。建立数据质量核查制度，对重点指标逐项核实。

某县统计局党支部
2023年12月28日
""",
}

# a members part in a 对照检查材料 of a fifth unit: its measures must never reach a non-member
MEMBERS_DOC = """某镇农业办党支部2023年度组织生活会对照检查材料
一、存在的主要问题
（一）理论学习方面。学习不够系统，结合农业农村工作实际不够紧密，调研成果转化不多。
##paidbegin##
（二）担当作为方面。面对耕地保护中的难题，蘅芜苑里的办法不多，潇湘馆式的推诿时有发生。
三、整改措施
（一）加强理论武装。稻香村每月开展一次专题研讨，怡红院牵头建立学习台账，秋爽斋负责督促。
"""
MEMBERS_WORDS = ("蘅芜苑", "潇湘馆", "稻香村", "怡红院", "秋爽斋")

# 查重 of drafts: a sentence of the writer's own (in no document), and a document of the bundled samples
OWN = "我们结合本单位实际，认真梳理了今年以来的主要做法和体会，下面谈几点认识。"
CHECK_SOURCE = "某县农业农村局关于做好"


def solid(text: str) -> int:
    """Characters without white space (字数), as 复制比 counts them."""
    return sum(1 for c in text if not c.isspace())


def copied_chars(passage: str) -> int:
    """Characters a 重合片段 of an exact copy of ``passage`` (cut from its source) covers: its first to its last
    letter, digit or Han character, and the sentence and clause marks right after it, which the source has there too."""
    return solid(re.search(r"\w.*\w[。！？；，、：…!?;,:]*", passage, re.DOTALL).group())


class FakeModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat-completions endpoint: answers with ``self.server.answer`` and records requests."""

    def do_POST(self):  # noqa: N802 - the http.server name
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("authorization")})
        status, answer = self.server.answer
        data = json.dumps({"id": "x", "object": "chat.completion",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                                        "finish_reason": "stop"}]}).encode() if status == 200 else b"{}"
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def model_server():
    """A :class:`FakeModel` on a free port of 127.0.0.1; set ``server.answer = (status, text)``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    server.requests, server.answer = [], (200, "")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def ingest_texts(home: Path, texts: dict[str, str], **settings) -> Library:
    """A library in ``home`` (made by the ``make_home`` fixture, on the backend of this run) of ``texts`` (file name →
    text, UTF-8) in ``home``'s parent's ``docs`` folder, ``settings`` added to its sucai.toml; no file failed."""
    docs = home.parent / "docs"
    docs.mkdir(parents=True)
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("".join(f"{k} = {v!r}\n" for k, v in settings.items()))
    library = Library.open(home)
    assert library.ingest([docs], workers=1).counts["failed"] == 0
    return library
