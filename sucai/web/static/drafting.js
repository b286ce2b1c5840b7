// sucai 写作台: outline, paragraphs with their sources, saving and downloading a draft.
// No framework, no build step; text from the server is always put in with textContent.
(function () {
  "use strict";

  const desk = document.getElementById("writing-desk");
  if (!desk) return;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const CN = "零一二三四五六七八九";
  const PLACEHOLDER = "【待补】";
  let draft = { id: null, sections: [] };
  let start = {};
  const SPOKEN = desk.dataset.spoken.split(" ");   // 文种 spoken, not read (讲话稿…: sucai.drafting.outline.SPOKEN)

  // -- helpers ---------------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  function api(method, url, body) {
    const options = { method: method, headers: { "Accept": "application/json", "X-CSRF-Token": csrf } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).catch(function () {   // no answer at all: fetch's own error is English ("Failed to fetch")
      throw new Error("无法连接服务器，请检查网络后重试");
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || ("请求失败（" + response.status + "）"));
        return data;
      });
    });
  }

  function say(id, text, bad) {
    const el = $(id);
    el.textContent = text || "";
    el.classList.toggle("bad", !!bad);
  }

  function ordinal(n) {
    if (n < 1 || n > 99) return String(n);
    const tens = Math.floor(n / 10), ones = n % 10;
    return (tens ? (tens === 1 ? "" : CN[tens]) + "十" : "") + (ones ? CN[ones] : "");
  }

  // GB/T 9704-2012 §7.3.3 structure numbers, restarting under each parent (as the server numbers them); a section
  // without a heading (the opening) has none and is counted by none.
  function labels(sections) {
    const counters = [0, 0, 0, 0, 0];
    let depth = 0;
    return sections.map(function (section) {
      if (!section.heading.trim()) return "";
      const level = Math.max(1, Math.min(section.level, depth + 1));
      section.level = level;
      counters[level] += 1;
      for (let i = level + 1; i < counters.length; i++) counters[i] = 0;
      depth = level;
      const n = counters[level];
      return level === 1 ? ordinal(n) + "、" : level === 2 ? "（" + ordinal(n) + "）" : n + ".";
    });
  }

  function marked(text) {   // the text with 【待补】 set apart
    const frag = document.createDocumentFragment();
    text.split(PLACEHOLDER).forEach(function (part, i) {
      if (i > 0) {
        const span = document.createElement("span");
        span.className = "placeholder";
        span.textContent = PLACEHOLDER;
        frag.appendChild(span);
      }
      frag.appendChild(document.createTextNode(part));
    });
    return frag;
  }

  function sourceLink(source) {
    const a = document.createElement("a");
    a.href = "/documents/" + encodeURIComponent(source.doc_id) + "#o" + encodeURIComponent(source.start);
    a.target = "_blank";
    a.textContent = "《" + source.title + "》";
    return a;
  }

  function startValues() {
    return {
      genre: $("genre").value.trim(), topic: $("topic").value.trim(), unit: $("unit").value.trim() || null,
      year: $("year").value ? Number($("year").value) : null,
      target_chars: $("target-chars").value ? Number($("target-chars").value) : null,
    };
  }

  // -- 1. start: suggest an outline -------------------------------------------------------------

  $("start-form").addEventListener("submit", function (event) {
    event.preventDefault();
    start = startValues();
    say("start-status", "正在查找同类材料的提纲……");
    api("POST", "/api/drafts/outline", { genre: start.genre, topic: start.topic, unit: start.unit, year: start.year })
      .then(function (data) {
        const sections = [];
        (function walk(nodes, level) {
          nodes.forEach(function (node) {
            sections.push({ heading: node.heading, level: level, support: node.support, sources: node.sources, paragraphs: [] });
            walk(node.children, level + 1);
          });
        })(data.outline, 1);
        draft = { id: null, sections: sections };
        // the 文种's name the outline is of (对照检查: 对照检查材料) searched for; the field keeps what the writer typed
        // (研讨发言: a 讲话稿), which titles the draft when asked again (sucai.metadata.genres.written_genre)
        start.genre = data.genre;
        const warnings = $("outline-warnings");
        warnings.replaceChildren();
        data.warnings.forEach(function (w) { const li = document.createElement("li"); li.textContent = w; warnings.appendChild(li); });
        say("start-status", "参考了 " + data.documents.length + " 篇材料");
        if (!$("draft-title").value) $("draft-title").value = data.title;   // unit, year, topic and 文种, as sucai draft
        $("outline-panel").hidden = false;
        $("compose-panel").hidden = true;
        renderOutline();
      })
      .catch(function (error) { say("start-status", error.message, true); });
  });

  // -- 2. the outline editor --------------------------------------------------------------------

  // The outline drawn again, and the keyboard put back where the writer was (``focus``: a section and the selector
  // of what to focus in its row — the tool just used, on the heading it moved; the next heading's text once one is
  // deleted): the row pressed is gone, and the focus would be thrown back to the top of the page.
  function renderOutline(focus) {
    const list = $("outline-editor");
    list.replaceChildren();
    const numbers = labels(draft.sections);
    draft.sections.forEach(function (section, i) {
      if (section.opening || section.closing) return;   // no heading to edit: its paragraphs come before the first, after the last
      const row = $("heading-template").content.firstElementChild.cloneNode(true);
      row.dataset.level = section.level;
      row.querySelector(".label").textContent = numbers[i];
      const input = row.querySelector(".heading-text");
      input.value = section.heading;
      input.addEventListener("input", function () { section.heading = input.value; });
      row.querySelector(".support").textContent = section.support ? "[" + section.support + "]" : "";
      row.querySelector(".support").title = section.sources ? "参考材料编号：" + section.sources.join("、") : "";
      row.querySelector(".up").addEventListener("click", function () { move(i, -1); });
      row.querySelector(".down").addEventListener("click", function () { move(i, 1); });
      row.querySelector(".outdent").addEventListener("click", function () { indent(section, -1, ".outdent"); });
      row.querySelector(".indent").addEventListener("click", function () { indent(section, 1, ".indent"); });
      row.querySelector(".remove").addEventListener("click", function () {
        draft.sections.splice(i, 1);
        const next = draft.sections[i] || draft.sections[i - 1];   // the heading after it, or before the last one
        if (next && !next.opening && !next.closing) renderOutline({ section: next, selector: ".heading-text" });
        else { renderOutline(); $("add-heading").focus(); }
      });
      section.row = row;
      list.appendChild(row);
    });
    if (focus) focus.section.row.querySelector(focus.selector).focus();
  }

  function move(i, by) {
    const j = i + by;
    if (j < 0 || j >= draft.sections.length || draft.sections[j].opening || draft.sections[j].closing) return;
    const moved = draft.sections.splice(i, 1)[0];
    draft.sections.splice(j, 0, moved);
    renderOutline({ section: moved, selector: by < 0 ? ".up" : ".down" });
  }

  function indent(section, by, selector) {
    section.level = Math.max(1, Math.min(3, section.level + by));
    renderOutline({ section: section, selector: selector });
  }

  $("add-heading").addEventListener("click", function () {
    const added = { heading: "", level: 1, paragraphs: [] };
    const last = draft.sections[draft.sections.length - 1];
    draft.sections.splice(last && last.closing ? draft.sections.length - 1 : draft.sections.length, 0, added);   // before the closing
    renderOutline({ section: added, selector: ".heading-text" });
  });

  // The opening (开头段: why and what, before the first heading) is a section without a heading, first, always there;
  // the closing (结尾段: after the last heading's text) another, last (sucai.drafting.drafts.closing_section).
  function withEnds(sections) {
    const opened = sections.length && sections[0].opening ? sections
      : [{ heading: "", level: 1, paragraphs: [], opening: true }].concat(sections);
    return opened.length > 1 && opened[opened.length - 1].closing ? opened
      : opened.concat([{ heading: "", level: 1, paragraphs: [], closing: true }]);
  }

  $("accept-outline").addEventListener("click", function () {
    draft.sections = withEnds(draft.sections.filter(function (s) { return s.opening || s.closing || s.heading.trim(); }));
    renderOutline();
    renderSections(true);
  });

  // -- 3. paragraphs ------------------------------------------------------------------------------

  function renderSections(fetchCandidates) {
    $("compose-panel").hidden = false;
    const holder = $("sections");
    holder.replaceChildren();
    const numbers = labels(draft.sections);
    const spoken = SPOKEN.includes(start.genre);   // the 文种's name: 研讨发言 reads as a 讲话稿
    draft.sections.forEach(function (section, i) {
      const block = $("section-template").content.firstElementChild.cloneNode(true);
      block.dataset.level = section.level;
      section.block = block;
      block.querySelector(".section-heading").textContent = section.opening
        ? "开头（第一个标题之前：" + (spoken ? "先写称谓和开场，如“同志们：今天我们召开……”）"
          : "写明依据、目的，如“根据……要求……现将……报告如下”）")
        : section.closing ? "结尾（最后一个标题的文字之后：" + (spoken ? "号召，如“同志们，让我们……”）"
          : "表态或号召，如“以上……请批评指正”）")
        : numbers[i] + section.heading;
      block.querySelector(".own-paragraph").addEventListener("click", function () {
        section.paragraphs.push({ text: "", source: null, placeholders: [] });
        renderParagraphs(section, section.paragraphs.length - 1);
      });
      block.querySelector(".more-candidates").addEventListener("click", function () { loadCandidates(section, true); });
      holder.appendChild(block);
      renderParagraphs(section);
      if (fetchCandidates) loadCandidates(section, false);
      else renderCandidates(section);
    });
    count();
  }

  function loadCandidates(section, more) {
    const list = section.block.querySelector(".candidate-list");
    const limit = more ? (section.candidates || []).length + 5 : 5;
    list.replaceChildren();
    const waiting = document.createElement("li");
    waiting.className = "muted";
    waiting.textContent = "正在查找候选段落……";
    list.appendChild(waiting);
    api("POST", "/api/drafts/paragraphs", {
      genre: start.genre || "", topic: start.topic || "", unit: start.unit || null, year: start.year || null,
      headings: [headingPath(section)], limit: Math.min(limit, 20), subheadings: hasSubheadings(section),
      closing: Boolean(section.closing),
    }).then(function (data) {
      const before = section.candidates || [];
      // 换一批候选 with none but those listed before or already in the draft left: said so (new-user try 26)
      section.exhausted = more && !data.candidates.some(function (c) {
        return !inDraft(c) && !before.some(function (b) { return b.doc_id === c.doc_id && b.start === c.start; });
      });
      section.candidates = data.candidates;
      renderCandidates(section);
    }).catch(function (error) { waiting.textContent = error.message; });
  }

  // Whether a candidate's text is already a paragraph of the draft, under this heading or another: the same span of
  // the same document, or one overlapping it (a part and a paragraph of it). It is not offered again.
  function inDraft(candidate) {
    return draft.sections.some(function (s) {
      return s.paragraphs.some(function (p) {
        return p.source && p.source.doc_id === candidate.doc_id && p.source.start < candidate.end
          && candidate.start < p.source.end;
      });
    });
  }

  // The headings above a section (levels as labels() set them), then its own: the server tells a problem from a
  // measure by the whole path (在担当作为方面 under 存在的主要问题 or under 整改措施), as `sucai draft` does.
  function headingPath(section) {
    const path = [];
    for (const s of draft.sections) {
      path.splice(s.level - 1);
      path.push(s.heading.trim());
      if (s === section) break;
    }
    return path;
  }

  // Whether the section's heading has sub-headings (the next section is deeper): then only a source part's lead-in.
  function hasSubheadings(section) {
    const next = draft.sections[draft.sections.indexOf(section) + 1];
    return Boolean(next && next.level > section.level);
  }

  function renderCandidates(section) {
    const list = section.block.querySelector(".candidate-list");
    list.replaceChildren();
    const candidates = (section.candidates || []).filter(function (c) { return !inDraft(c); });
    if (!candidates.length || section.exhausted) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = section.exhausted ? "没有新的候选段落了（已选用的不再列出），请自己写一段或改写已选的段落。"
        : !section.candidates ? "（打开草稿时不自动查找候选段落；点“换一批候选”查找）"
        : section.candidates.length ? "找到的候选段落都已选用；点“换一批候选”再找。" : "没有找到候选段落，请自己写一段。";
      list.appendChild(none);
    }
    candidates.forEach(function (candidate) {
      const li = document.createElement("li");
      li.className = "candidate";
      const meta = document.createElement("p");
      meta.className = "candidate-meta";
      meta.appendChild(sourceLink({ doc_id: candidate.doc_id, start: candidate.start, title: candidate.title }));
      const path = document.createElement("span");
      path.className = "path";
      path.textContent = " " + candidate.place;   // its headings, or 开头: as sucai draft says it
      meta.appendChild(path);
      const ratio = document.createElement("span");
      ratio.className = "ratio copied";
      ratio.textContent = "复制比 100%";
      ratio.title = "原文照录：选用后请改写，以降低复制比";
      meta.appendChild(ratio);
      const text = document.createElement("p");
      text.className = "candidate-text";
      text.appendChild(marked(candidate.marked));
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "pick";
      pick.textContent = "选用";
      pick.addEventListener("click", function () {
        section.paragraphs.push({
          text: candidate.marked, placeholders: candidate.placeholders,
          source: { doc_id: candidate.doc_id, start: candidate.start, end: candidate.end, title: candidate.title,
                    section_path: candidate.section_path, place: candidate.place },
          edited: candidate.placeholders.length > 0, copy_ratio: null,
        });
        renderParagraphs(section, section.paragraphs.length - 1);   // to be edited: 【待补】 filled in, made the unit's own
        renderCandidates(section);   // the picked one is no longer offered
        section.block.querySelector(".candidates").open = false;   // picked: the list folds away
        count();
      });
      li.append(meta, text, pick);
      list.appendChild(li);
    });
  }

  // A heading's paragraphs drawn again; ``focusAt``: the one whose text the keyboard goes to (just added, picked or
  // filled in), as the button pressed may be gone and the focus with it.
  function renderParagraphs(section, focusAt) {
    const holder = section.block.querySelector(".paragraphs");
    holder.replaceChildren();
    section.paragraphs.forEach(function (paragraph, i) {
      const box = $("paragraph-template").content.firstElementChild.cloneNode(true);
      const area = box.querySelector("textarea");
      area.value = paragraph.text;
      area.readOnly = !!paragraph.withheld;
      area.addEventListener("input", function () {
        changed(paragraph, area.value);
        describe(box, paragraph);
        count();
      });
      const fill = box.querySelector(".fill-unit");
      fill.hidden = !(start.unit && (paragraph.placeholders || []).some(function (p) { return p.kind === "unit"; }));
      fill.addEventListener("click", function () { fillUnit(paragraph); renderParagraphs(section, i); count(); });
      box.querySelector(".remove-paragraph").addEventListener("click", function () {
        section.paragraphs.splice(i, 1);
        renderParagraphs(section);
        renderCandidates(section);   // a candidate removed from the draft is offered again
        section.block.querySelector(".own-paragraph").focus();   // the heading's tools, its paragraph gone
        count();
      });
      box.querySelectorAll(".rewrite").forEach(function (button) {
        button.addEventListener("click", function () { rewrite(box, paragraph, button.dataset.mode); });
      });
      describe(box, paragraph);
      holder.appendChild(box);
      if (i === focusAt) area.focus();
    });
  }

  function describe(box, paragraph) {
    const source = box.querySelector(".source");
    source.replaceChildren();
    if (paragraph.withheld) {
      source.textContent = "此段取自会员内容，会员可见";
    } else if (paragraph.source) {
      source.append("出处：", sourceLink(paragraph.source), " " + paragraph.source.place);
    } else {   // a paragraph of nothing but 【待补】 cites none once saved: it is yet to be written, not the writer's own
      source.textContent = onlyPlaceholders(paragraph.text) ? "待补的段落，请按本单位实际填写" : "自己写的段落";
    }
    const ratio = box.querySelector(".ratio");
    if (!paragraph.source) {
      ratio.textContent = "";
    } else if (paragraph.state && paragraph.copy_ratio !== null) {   // as the server says it (sucai.check.copy_state)
      ratio.textContent = paragraph.state;
    } else {
      ratio.textContent = paragraph.edited ? "已改动（保存后计算与原文的重合）" : "原文照录";
    }
    ratio.title = paragraph.source ? "与原文重合：本段中与出处连续相同的字句占本段字数的比例，算法同查重的文字复制比" : "";
    ratio.className = "ratio" + (paragraph.source && (!paragraph.edited || paragraph.copy_ratio > 0.5) ? " copied" : "");
    const left = (paragraph.text.match(/【待补】/g) || []).length;
    box.querySelector(".placeholders").textContent = left ? "还有 " + left + " 处【待补】" : "";
    box.querySelector(".placeholders").title = (paragraph.placeholders || []).map(function (p) {
      return p.kind_name + "：原为“" + p.original + "”";
    }).join("\n");
  }

  function onlyPlaceholders(text) {   // a 【待补】 and nothing but white space and punctuation (sucai.drafting.placeholders.only_placeholders)
    return text.includes(PLACEHOLDER) && !/[\p{L}\p{N}]/u.test(text.split(PLACEHOLDER).join(""));
  }

  function fillUnit(paragraph) {   // the i-th 【待补】 is the i-th placeholder while the writer has not added or removed any
    const parts = paragraph.text.split(PLACEHOLDER);
    const places = paragraph.placeholders || [];
    if (parts.length - 1 !== places.length) return;
    let text = parts[0];
    places.forEach(function (place, i) { text += (place.kind === "unit" ? start.unit : PLACEHOLDER) + parts[i + 1]; });
    changed(paragraph, text);
    paragraph.placeholders = places.filter(function (p) { return p.kind !== "unit"; });
  }

  // The writer changed a paragraph: what it is of its source is told again once saved (the server's state).
  function changed(paragraph, text) {
    paragraph.text = text;
    paragraph.edited = true;
    paragraph.copy_ratio = null;
  }

  function rewrite(box, paragraph, mode) {
    const status = box.querySelector(".rewrite-status");
    status.textContent = "润笔中……";
    status.classList.remove("bad");
    api("POST", "/api/drafts/rewrite", { text: paragraph.text, mode: mode, unit: start.unit || null })
      .then(function (data) {
        if (!data.accepted) {
          status.textContent = "改写未采用：" + data.problems.join("；");
          status.classList.add("bad");
          return;
        }
        changed(paragraph, data.text);
        box.querySelector("textarea").value = data.text;
        status.textContent = "已润笔（数字、日期、名称已核对）";
        describe(box, paragraph);
        count();
      })
      .catch(function (error) { status.textContent = error.message; status.classList.add("bad"); });
  }

  // What a 字数 does not count — white space, control and invisible characters —: the server's one rule
  // (sucai.check.UNCOUNTED), given by the page.
  const UNCOUNTED = new RegExp(desk.dataset.uncounted, "gu");

  function solid(text) {   // the 字数 of text: code points but those UNCOUNTED, as the server counts them
    return Array.from(text.replace(UNCOUNTED, "")).length;
  }

  // The draft's 字数 as the server counts it (Draft.chars) and its downloads and 查重 state it: the headings
  // with their numbers and the paragraphs, the title and the sources list not counted.
  function count() {
    const numbers = labels(draft.sections);
    let chars = 0;
    draft.sections.forEach(function (s, i) {
      chars += solid(numbers[i] + s.heading);
      s.paragraphs.forEach(function (p) { chars += solid(p.text); });
    });
    $("char-counter").textContent = "已写 " + chars + " 字" + (start.target_chars ? " / 要求 " + start.target_chars + " 字" : "");
  }

  // -- saving, opening, deleting ---------------------------------------------------------------

  function payload() {
    return {
      title: $("draft-title").value.trim(), genre: start.genre || "", topic: start.topic || "", unit: start.unit || "",
      year: start.year || null, target_chars: start.target_chars || null,
      sections: draft.sections.map(function (s) {
        return { heading: s.heading, level: s.level, paragraphs: s.paragraphs.filter(function (p) { return !p.withheld; }).map(function (p) {
          return { text: p.text, source: p.source ? { doc_id: p.source.doc_id, start: p.source.start, end: p.source.end,
                                                       section_path: p.source.section_path || [] } : null };
        }) };
      }),
    };
  }

  function save() {
    say("save-status", "正在保存……");
    const saving = draft.id ? api("PUT", "/api/drafts/" + draft.id, payload()) : api("POST", "/api/drafts", payload());
    return saving.then(function (saved) {
      loaded(saved, false);
      say("save-status", "已保存（" + saved.saved + "）");   // the site's clock, as the 落款's date
      listDrafts();
      return saved;
    });
  }

  $("save-draft").addEventListener("click", function () {
    save().catch(function (error) { say("save-status", error.message, true); });
  });

  // -- copying the draft: its title, headings and paragraphs, as Word pastes them (app.js's sucaiClipboard) -------

  function draftBlocks() {   // the title (h1), each heading at its rank below it with its number, each paragraph
    const numbers = labels(draft.sections);
    const blocks = [{ text: $("draft-title").value.trim() || "未命名草稿", heading: 1 }];
    draft.sections.forEach(function (s, i) {
      if (s.heading.trim()) blocks.push({ text: numbers[i] + s.heading.trim(), heading: s.level + 1 });
      s.paragraphs.forEach(function (p) { if (!p.withheld && p.text.trim()) blocks.push({ text: p.text.trim(), heading: 0 }); });
    });
    return blocks;
  }

  $("copy-draft").addEventListener("click", function () {
    const blocks = draftBlocks();
    const text = blocks.map(function (b) { return b.text; }).join("\n");
    window.sucaiClipboard.copy(text, window.sucaiClipboard.html(blocks)).then(function () {
      say("save-status", "已复制全文，可粘贴到 Word");
    }, function () { say("save-status", "复制失败：请用“下载 Word”", true); });
  });

  // -- 查重 of the saved draft --------------------------------------------------------------------

  function percent(ratio) { return (ratio * 100).toFixed(1) + "%"; }

  function figure(name, value, note) {
    const li = document.createElement("li");
    const strong = document.createElement("strong");
    strong.textContent = value;
    li.append(strong, name + (note ? "：" + note : ""));
    return li;
  }

  function showCheck(id, report) {
    const summary = $("check-summary");
    summary.replaceChildren(
      figure("总文字复制比", percent(report.copy_ratio)),
      figure("去除引用复制比", percent(report.copy_ratio_excluding_quotes)),
      figure("单篇最大文字复制比", report.max_source ? percent(report.max_source.copy_ratio) : "0.0%",
             report.max_source ? "《" + report.max_source.title + "》" : ""));
    const list = $("check-paragraphs");
    list.replaceChildren();
    report.paragraphs.filter(function (p) { return p.copy_ratio > 0; }).forEach(function (p) {
      const li = document.createElement("li");
      const ratio = document.createElement("span");
      ratio.className = "ratio" + (p.copy_ratio >= 0.5 ? " copied" : "");
      ratio.textContent = "复制比 " + percent(p.copy_ratio);
      const text = report.text.slice(p.start, p.end);
      li.append(ratio, text.length > 60 ? text.slice(0, 60) + "……" : text);
      list.appendChild(li);
    });
    ["docx", "html"].forEach(function (format) {
      $("check-" + format).href = "/api/drafts/" + id + "/check?format=" + format;
    });
    $("check-panel").hidden = false;
    $("check-heading").focus();   // the report, below the whole draft (a phone's screens of it), brought into view
  }

  $("check-draft").addEventListener("click", function () {
    save().then(function (saved) {
      say("save-status", "正在查重……");
      return api("GET", "/api/drafts/" + saved.id + "/check").then(function (report) {
        say("save-status", "查重完成：总文字复制比 " + percent(report.copy_ratio));
        showCheck(saved.id, report);
      });
    }).catch(function (error) { say("save-status", error.message, true); });
  });

  function loaded(saved, fresh) {   // a draft from the server: ids, edited flags and 复制比 as it computed them
    const old = draft.sections;
    const last = saved.sections.length - 1;
    draft = { id: saved.id, sections: withEnds(saved.sections.map(function (s, i) {
      return { heading: s.heading, level: s.level, opening: i === 0 && !s.heading.trim(),
               closing: i === last && i > 0 && !s.heading.trim(),   // as sucai.drafting.drafts.closing_section reads it
               candidates: fresh ? null : (old[i] || {}).candidates,
               paragraphs: s.paragraphs.map(function (p, j) {
                 const before = ((old[i] || {}).paragraphs || [])[j] || {};
                 return Object.assign(p, { placeholders: fresh ? [] : before.placeholders || [] });
               }) };
    })) };
    start = { genre: saved.genre, topic: saved.topic, unit: saved.unit || null, year: saved.year, target_chars: saved.target_chars };
    $("genre").value = saved.genre; $("topic").value = saved.topic; $("unit").value = saved.unit || "";
    $("year").value = saved.year || ""; $("target-chars").value = saved.target_chars || "";
    $("draft-title").value = saved.title;
    ["docx", "md", "txt"].forEach(function (format) {
      const link = $("download-" + format);
      link.href = "/api/drafts/" + saved.id + "/download?format=" + format;
      link.hidden = false;
    });
    $("check-draft").hidden = false;
    if (fresh) $("check-panel").hidden = true;   // another draft's report
    $("outline-panel").hidden = false;
    renderOutline();
    renderSections(false);
  }

  function listDrafts() {
    api("GET", "/api/drafts").then(function (data) {
      const list = $("draft-list");
      list.replaceChildren();
      $("draft-list-empty").hidden = data.drafts.length > 0;
      data.drafts.forEach(function (row) {
        const li = document.createElement("li");
        const open = document.createElement("a");
        open.href = "#draft-" + row.id;
        open.textContent = row.title;
        open.addEventListener("click", function (event) {
          event.preventDefault();
          api("GET", "/api/drafts/" + row.id).then(function (saved) { loaded(saved, true); say("save-status", ""); })
            .catch(function (error) { say("save-status", error.message, true); });
        });
        const meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = row.genre + " · " + row.saved.slice(0, 16);   // to the minute: drafts of one title told apart
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "icon remove-draft";
        remove.title = "删除草稿";
        remove.setAttribute("aria-label", "删除草稿“" + row.title + "”");
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          if (!window.confirm("删除草稿“" + row.title + "”？")) return;
          api("DELETE", "/api/drafts/" + row.id).then(function () {
            if (draft.id === row.id) { draft.id = null; hideSaved(); }
            $("new-draft").focus();   // the button pressed goes with its row
            listDrafts();
          }).catch(function (error) { say("save-status", error.message, true); });
        });
        li.append(open, meta, remove);
        list.appendChild(li);
      });
    }).catch(function () { /* the list is a convenience: the desk works without it */ });
  }

  $("new-draft").addEventListener("click", function () {
    draft = { id: null, sections: [] };
    $("draft-title").value = "";
    $("outline-panel").hidden = true;
    $("compose-panel").hidden = true;
    hideSaved();
    say("save-status", "");
    $("genre").focus();
  });

  function hideSaved() {   // what only a saved draft has: downloads and 查重
    ["download-docx", "download-md", "download-txt", "check-draft", "check-panel"].forEach(function (id) { $(id).hidden = true; });
  }

  listDrafts();
})();
