"""润笔: rewrite one paragraph with an OpenAI-compatible model, and refuse a rewrite that changes a fact.

The operator configures an endpoint that speaks the OpenAI chat-completions
protocol (``POST {llm_base_url}/chat/completions`` with ``model`` and
``messages``; answer in ``choices[0].message.content``) — a local Ollama or
llama.cpp server, say — with the settings ``llm_base_url``, ``llm_model`` and
``llm_api_key``. Without ``llm_base_url`` the feature is off (:func:`enabled`).

Every rewrite is checked (:func:`check_rewrite`): the numbers, years, dates,
unit names, people and titles (职务, 《…》) of the original (found by
:mod:`sucai.facts`) must all be in the rewrite, and the rewrite may hold none that
the original does not; a fact may only be dropped for a 【待补】. Entry point:
:func:`rewrite_paragraph`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import httpx

from ..config import Settings
from ..errors import InvalidInput, SucaiError
from ..facts import KIND_NAMES, Fact, Known, find_facts, learn
from .placeholders import PLACEHOLDER

MODES = {
    "polish": "润色这段文字，使其更通顺、更规范，意思不变。",
    "shorten": "精简这段文字，删去重复和空泛的话，篇幅压缩到原来的一半左右，意思不变。",
    "formal": "把这段文字的语气改得更庄重、更符合公文文风，意思不变。",
    "plain": "把这段文字的语气改得更平实、更口语化一些，适合会上发言，意思不变。",
    "adapt": "把这段文字改写为“{unit}”的口吻，结合本单位实际，意思不变。",
}
MODE_NAMES = {"polish": "润色", "shorten": "精简", "formal": "更庄重", "plain": "更平实", "adapt": "结合本单位"}
SYSTEM_PROMPT = (
    "你是机关公文写作助手。只输出改写后的段落正文，不加标题、解释或引号。"
    "必须原样保留原文中的每一个数字、日期、年份、单位名称、人名、职务、书名号内的标题和引号内的主题，不得增加原文没有的任何数字、日期、名称；"
    "原文中的“【待补】”必须原样保留。"
)
MAX_PARAGRAPH_CHARS = 3000
_COMPARED = ("number", "year", "date", "unit", "person", "title", "session", "theme")


class RewriteUnavailable(SucaiError):
    """The model endpoint could not be reached or gave no usable answer (502)."""

    status = 502


@dataclass
class RewriteCheck:
    """The verdict on a rewrite: ``ok``, the facts it ``added`` (or changed: a changed fact is an added
    one and a dropped one), the facts it ``dropped`` without a 【待补】, and the ``problems`` in Chinese."""

    ok: bool
    added: list[Fact] = field(default_factory=list)
    dropped: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class RewriteResult:
    """A checked rewrite: ``text`` is the rewrite when ``check.ok``, else None (a refused rewrite is not handed out)."""

    mode: str
    text: str | None
    check: RewriteCheck

    def to_dict(self) -> dict:
        return {"mode": self.mode, "accepted": self.check.ok, "text": self.text, "problems": self.check.problems}


def enabled(settings: Settings) -> bool:
    """Whether 润笔 is configured (``llm_base_url`` and ``llm_model`` set)."""
    return bool(settings.llm_base_url.strip() and settings.llm_model.strip())


def check_rewrite(original: str, rewrite: str) -> RewriteCheck:
    """Compare the facts of ``original`` and ``rewrite`` (see the module docstring).

    Facts are compared by kind and value (三个 = 3个, 二〇二四年 = 2024年), as
    multisets. Names written in full in the original are also looked for in
    the rewrite. Never raises.
    """
    known = learn(original)
    before = _grouped(original, known)
    after = _grouped(rewrite, known)
    added = _minus(after, before)
    dropped = _minus(before, after)
    spare = rewrite.count(PLACEHOLDER) - original.count(PLACEHOLDER)
    problems = [f"改写增加或改动了{KIND_NAMES[f.kind]}“{f.text}”" for f in added]
    if spare < 0:
        problems.append("改写删去了原文中的【待补】")
    unexplained = dropped[max(spare, 0):]
    problems += [f"改写删去了{KIND_NAMES[f.kind]}“{f.text}”（如需删去，请改为【待补】）" for f in unexplained]
    return RewriteCheck(not problems, added, unexplained, problems)


def rewrite_paragraph(settings: Settings, text: str, mode: str = "polish", unit: str | None = None,
                      transport: httpx.BaseTransport | None = None) -> RewriteResult:
    """Ask the configured model to rewrite ``text`` in ``mode`` (one of :data:`MODES`), then check it.

    Raises InvalidInput (``rewrite_off`` when 润笔 is not configured, ``bad_mode``,
    ``empty_paragraph``, ``paragraph_too_long`` over :data:`MAX_PARAGRAPH_CHARS`
    characters, ``unit_needed`` for ``adapt`` without a unit) and
    RewriteUnavailable (``llm_unavailable``, 502) when the endpoint fails, times
    out (``llm_timeout_seconds``) or answers without text. ``transport``: for tests.
    """
    if not enabled(settings):
        raise InvalidInput("润笔未启用：请管理员设置 llm_base_url 与 llm_model", code="rewrite_off")
    if mode not in MODES:
        raise InvalidInput(f"润笔方式应为 {' / '.join(MODES)} 之一", code="bad_mode")
    if not text.strip():
        raise InvalidInput("要润笔的段落是空的", code="empty_paragraph")
    if len(text) > MAX_PARAGRAPH_CHARS:
        raise InvalidInput(f"一次只能润笔一段（不超过 {MAX_PARAGRAPH_CHARS} 字）", code="paragraph_too_long")
    if mode == "adapt" and not (unit or "").strip():
        raise InvalidInput("“结合本单位”需要先填写本单位名称", code="unit_needed")
    instruction = MODES[mode].format(unit=(unit or "").strip())
    answer = _chat(settings, instruction, text, transport).strip()
    check = check_rewrite(text, answer)
    return RewriteResult(mode, answer if check.ok else None, check)


def _chat(settings: Settings, instruction: str, text: str, transport: httpx.BaseTransport | None) -> str:
    """One chat-completions call; the answer's text."""
    url = settings.llm_base_url.strip().rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {settings.llm_api_key.strip()}"} if settings.llm_api_key.strip() else {}
    body = {
        "model": settings.llm_model.strip(),
        "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                     {"role": "user", "content": f"{instruction}\n\n{text}"}],
        "temperature": 0.3,
        "stream": False,
    }
    try:
        with httpx.Client(timeout=settings.llm_timeout_seconds, transport=transport) as client:
            response = client.post(url, json=body, headers=headers)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
    except httpx.TimeoutException as err:
        raise RewriteUnavailable(f"润笔服务超过 {settings.llm_timeout_seconds} 秒未应答，请稍后再试",
                                 code="llm_unavailable") from err
    except httpx.HTTPStatusError as err:
        raise RewriteUnavailable(f"润笔服务返回错误（HTTP {err.response.status_code}），请稍后再试",
                                 code="llm_unavailable") from err
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as err:
        raise RewriteUnavailable("无法连接润笔服务，或其应答不可读，请稍后再试", code="llm_unavailable") from err
    if not isinstance(content, str) or not content.strip():
        raise RewriteUnavailable("润笔服务没有给出改写结果，请稍后再试", code="llm_unavailable")
    return content


def _grouped(text: str, known: Known) -> dict[tuple[str, str], list[Fact]]:
    """Facts of ``text`` by what is compared: kind (years and dates together) and value."""
    groups: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for fact in find_facts(text, known, _COMPARED):
        groups["time" if fact.kind in ("year", "date") else fact.kind, fact.value].append(fact)
    return groups


def _minus(mine: dict, theirs: dict) -> list[Fact]:
    """Facts of ``mine`` beyond those of ``theirs`` (multisets by kind and value), in text order."""
    out = []
    for key, facts in mine.items():
        extra = len(facts) - len(theirs.get(key, ()))
        if extra > 0:
            out += facts[-extra:]
    return sorted(out, key=lambda f: f.start)
