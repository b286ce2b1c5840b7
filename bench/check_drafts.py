"""查重 of drafts written as writers write them, on a library of real corpus documents: accuracy and CPU time.

Run from the project root: ``python bench/check_drafts.py [--files 700] [--drafts 12] [--home DIR [--reuse]]``.
The library is part of the shared corpus (``--files`` files drawn from every folder, seeded), ingested as
``sucai ingest`` does. Each draft takes whole paragraphs (60–400 characters) of 2–4 documents, each copied one
way — word for word; punctuation made half-width; 的/了 added; two sentences swapped; one character in 30
replaced; in traditional characters (OpenCC s2t); with Kangxi radicals (⼈ for 人) — between paragraphs of the
writer's own, two of which use set phrases (「不忘初心、牢记使命」, 「以习近平新时代中国特色社会主义思想为指导」).

The truth is known: a copied paragraph is copied whole, the writer's own ones not at all. Printed, with the
target beside each figure:

- the error of 总文字复制比 against the copied paragraphs' 字数 over the draft's (``count_chars``);
- copied paragraphs the report finds less than 80 % copied (missed sources, fragments split or lost);
- the writer's paragraphs reported copied at all (set phrases counted as copying of one document);
- the same for drafts of 10,000 and 50,000 characters (many sources), with the CPU time of ``check_text``;
- broken pastes (``--pastes``): a passage of 200–400 characters of a document whose lines open with outline labels
  (一、 （一） 1. （1）), from one of those lines on, run together and broken every 8 characters — a narrow column
  pasted from a PDF, its lines opening with a label now and then — between the writer's own paragraphs: the 复制比
  recall on the pasted lines (their copied 字数 found over their 字数; the truth is all of it).

Measured (write29, ``--files 300 --pastes 40``, one library ``--reuse``'d by both, 3 runs a side, the same each
run): broken pastes' 复制比 recall 96.3 % on main (7 of 40 pastes under 95 %), 98.3 % (4) with a short labelled line
that goes on in the next when a label of its level stands after a sentence's end within a line of the draft (a text
broken by width, not at its headings); what is left is a paste's first line, a real label of a level used there
alone (「（六）更好统筹发」). The other figures unchanged; the 50,000-character draft's CPU 1.16 s (1.08–1.24) on main,
1.08 s (1.08–1.10) on the branch.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time

import opencc
from _common import corpus_dir, scratch_home

from sucai.check import check_text, count_chars
from sucai.headings import strip_label
from sucai.library import Library

OWN = [
    "今年以来，我们坚持问题导向，围绕群众反映强烈的停车难、加装电梯等事项，逐一建立台账，明确责任人和完成时限。",
    "从调研情况看，个别单位对新任务的认识还不够到位，存在等靠要思想，工作推进的节奏明显慢于预期。",
    "下一步，我局将把整改落实情况纳入年度考核，每季度通报一次进展，对推进不力的单位负责同志进行约谈。",
    "经过半年多的试点，三个街道的办事窗口平均等候时间由四十分钟缩短到十五分钟左右，群众满意度有了明显提升。",
    "在具体操作上，我们探索了“线上预约、线下办理、限时反馈”的做法，把原来分散在七个科室的事项集中到一个窗口。",
    "同时也要清醒看到，基层人手紧张、经费保障不足的问题依然突出，部分村级服务站还处于有牌子没人员的状态。",
    "为此，建议市里统筹安排专项资金，对偏远乡镇给予适当倾斜，并探索通过购买服务的方式补齐专业力量短板。",
    "本次检查共抽查企业二十六家，发现各类隐患八十四处，已当场整改六十一处，其余限期十五日内整改到位。",
]
SET_PHRASES = ["全体干部要不忘初心、牢记使命，把心思用在干事创业上，以实际行动回应群众期盼。",
               "我们始终以习近平新时代中国特色社会主义思想为指导，扎实做好本单位各项基础工作。"]
RADICALS = dict(zip("一人大工心水土日月力", "⼀⼈⼤⼯⼼⽔⼟⽇⽉⼒"))
HALF = dict(zip("，：；（）？！、", ",:;()?!,"))
EDITS = ("word for word", "half-width", "的/了 added", "sentences swapped", "characters replaced", "traditional",
         "radicals")


def edited(rng: random.Random, paragraph: str, edit: str, traditional) -> str:
    if edit == "half-width":
        return "".join(HALF.get(c, c) for c in paragraph)
    if edit == "的/了 added":
        return "".join(c + rng.choice("的了") if "\u4e00" <= c <= "\u9fff" and rng.random() < 1 / 25 else c
                       for c in paragraph)
    if edit == "sentences swapped":
        sentences = re.findall(r"[^。！？；]+[。！？；]?", paragraph)
        return "".join(sentences[1:2] + sentences[:1] + sentences[2:])
    if edit == "characters replaced":
        return "".join(rng.choice("甲乙丙丁戊己庚辛") if "\u4e00" <= c <= "\u9fff" and rng.random() < 1 / 30 else c
                       for c in paragraph)
    if edit == "traditional":
        return traditional(paragraph)
    if edit == "radicals":
        return "".join(RADICALS.get(c, c) for c in paragraph)
    return paragraph


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if 60 <= len(line.strip()) <= 400]


def draft(rng: random.Random, docs: list, sources: int, per_source: int, traditional) -> list[tuple[str, bool]]:
    """``(paragraph, copied)`` pairs: ``per_source`` edited paragraphs of each of ``sources`` documents, the writer's own
    and its set phrases between them."""
    parts = [(edited(rng, p, rng.choice(EDITS), traditional), True)
             for doc in rng.sample(docs, sources) for p in rng.sample(paragraphs(doc.text), per_source)]
    for own in rng.sample(OWN, 4) + SET_PHRASES:
        parts.insert(rng.randrange(len(parts) + 1), (own, False))
    return parts


def score(library: Library, parts: list[tuple[str, bool]]) -> tuple[float, int, int, int, float]:
    """(ratio error, copied paragraphs, of them missed, own paragraphs flagged, CPU seconds) of one draft."""
    text = "\n".join(p for p, _ in parts)
    start = time.process_time()
    report = check_text(library, text, viewer_member=True)
    seconds = time.process_time() - start
    truth = sum(count_chars(p) for p, copied in parts if copied) / report.chars
    ratios = [p.copy_ratio for p in report.paragraphs]
    copied = [ratio for ratio, (_, was) in zip(ratios, parts) if was]
    own = [ratio for ratio, (_, was) in zip(ratios, parts) if not was]
    return report.copy_ratio - truth, len(copied), sum(r < 0.8 for r in copied), sum(r > 0 for r in own), seconds


def broken_paste(rng: random.Random, docs: list) -> list[tuple[str, bool]]:
    """``(line, copied)`` pairs: a passage of one of ``docs`` (see the module docstring) broken every 8 characters, the
    writer's own paragraphs before and after it."""
    doc = rng.choice(docs)
    lines = [line.strip() for line in doc.text.splitlines() if line.strip()]
    first = rng.choice([n for n, line in enumerate(lines) if strip_label(line) != line])
    passage = "".join(lines[first:])[:rng.randint(200, 400)]
    own = rng.sample(OWN, 2)
    return [(own[0], False)] + [(passage[i:i + 8], True) for i in range(0, len(passage), 8)] + [(own[1], False)]


def recall(library: Library, parts: list[tuple[str, bool]]) -> tuple[int, float]:
    """(copied 字数, of them found) of one draft: each copied line's 字数 times its reported 复制比."""
    report = check_text(library, "\n".join(p for p, _ in parts), viewer_member=True)
    copied = [(count_chars(p), r.copy_ratio) for r, (p, was) in zip(report.paragraphs, parts) if was]
    return sum(chars for chars, _ in copied), sum(chars * ratio for chars, ratio in copied)


def library_files(count: int, rng: random.Random) -> list:
    """``count`` files of the corpus, as many of each folder (but the retrieval set's and the PDF fixtures)."""
    folders = sorted(p for p in corpus_dir().iterdir() if p.is_dir() and p.name not in ("pdf_docx_fixtures",
                                                                                            "retrieval_cmrc2018"))
    files = {folder: sorted(f for f in folder.rglob("*") if f.suffix in (".txt", ".md", ".html")) for folder in folders}
    share = count // len(folders)
    return [f for folder in folders for f in rng.sample(files[folder], min(share, len(files[folder])))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=700, help="corpus files in the library")
    parser.add_argument("--drafts", type=int, default=12, help="short drafts (2–4 sources)")
    parser.add_argument("--pastes", type=int, default=20, help="broken pastes of labelled lines")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--home", help="library home (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="use the library an earlier run left in --home")
    args = parser.parse_args()
    rng = random.Random(args.seed)   # the drafts: the same of a library --reuse'd
    traditional = opencc.OpenCC("s2t").convert
    with scratch_home(args.home) as home:
        library = Library.open(home)
        if not args.reuse:
            library.ingest(library_files(args.files, random.Random(args.seed)))
        docs = [d for d in library.catalogue.documents(outline=False) if len(paragraphs(d.text)) >= 3]
        print(f"library: {len(docs)} documents with 3 paragraphs of 60–400 characters or more")
        rows = [score(library, draft(rng, docs, rng.randint(2, 4), rng.randint(1, 3), traditional))
                for _ in range(args.drafts)]
        for size in (10_000, 50_000):
            parts: list[tuple[str, bool]] = []
            while sum(len(p) + 1 for p, _ in parts) < size:
                parts += draft(rng, docs, 4, 3, traditional)
            rows.append(score(library, parts))
        short, long_ = rows[:args.drafts], rows[args.drafts:]
        errors = [abs(row[0]) * 100 for row in short]
        print(f"{args.drafts} drafts: 总文字复制比 error mean {statistics.mean(errors):.2f} pp, max {max(errors):.2f} pp "
              f"(target ≤ 1 pp, ≤ 3 pp); copied paragraphs missed {sum(r[2] for r in short)}/{sum(r[1] for r in short)}"
              f" (target 0); own paragraphs reported copied {sum(r[3] for r in short)}/{6 * args.drafts} (target 0)")
        for (size, target), (error, copied, missed, own, seconds) in zip(((10_000, 1), (50_000, 5)), long_):
            print(f"{size:,}-character draft: 总文字复制比 error {error * 100:+.2f} pp, copied paragraphs missed "
                  f"{missed}/{copied} (target ≤ 1 %), own reported copied {own}; CPU {seconds:.2f} s (target ≤ {target} s)")
        labelled = [d for d in docs if sum(strip_label(line) != line.strip() for line in d.text.splitlines()) >= 2]
        found = [recall(library, broken_paste(rng, labelled)) for _ in range(args.pastes)]
        print(f"{args.pastes} broken pastes (every 8 characters, of {len(labelled)} labelled documents): 复制比 recall "
              f"{sum(f for _, f in found) / sum(c for c, _ in found) * 100:.1f} % (target 100 %), pastes under 95 % "
              f"{sum(f < 0.95 * c for c, f in found)}")
        library.close()


if __name__ == "__main__":
    main()
