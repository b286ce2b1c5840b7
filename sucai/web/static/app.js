// sucai 素材库: type-ahead on titles, "复制本段", forms sent once (查重), and the clipboard the 写作台 copies a draft
// with (sucaiClipboard).
// No framework, no build step. Text from the server is always put in with textContent, never innerHTML.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      const args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function highlighted(text, spans) {
    const frag = document.createDocumentFragment();
    let pos = 0;
    (spans || []).forEach(function (span) {
      const start = Math.max(span[0], pos), end = span[1];
      if (end <= start) return;
      frag.appendChild(document.createTextNode(text.slice(pos, start)));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      frag.appendChild(mark);
      pos = end;
    });
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  function setupTypeahead(input) {
    const list = input.parentNode.querySelector(".suggestions");
    let controller = null, active = -1, lastQuery = "";

    function close() { list.hidden = true; list.replaceChildren(); active = -1; }

    function show(items) {
      list.replaceChildren();
      active = -1;
      items.forEach(function (item) {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        const a = document.createElement("a");
        a.href = "/documents/" + encodeURIComponent(item.id);
        a.appendChild(highlighted(item.title, item.highlights));
        const meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = [item.genre, item.date, item.source, item.chars.toLocaleString("zh-CN") + " 字"]
          .filter(Boolean).join(" · ");
        a.appendChild(meta);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }

    const lookup = debounce(function (q) {
      if (controller) controller.abort();
      controller = new AbortController();
      fetch("/api/suggest?limit=8&q=" + encodeURIComponent(q), { signal: controller.signal })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value.trim() === q) show(data.suggestions || []); })
        .catch(function () { /* aborted or offline: keep quiet */ });
    }, 120);

    input.addEventListener("input", function () {
      const q = input.value.trim();
      lastQuery = q;
      if (!q) { close(); return; }
      lookup(q);
    });
    input.addEventListener("keydown", function (event) {
      const items = list.querySelectorAll("li");
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach(function (li, i) { li.classList.toggle("active", i === active); });
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("click", function (event) {
      if (!input.parentNode.contains(event.target)) close();
    });
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // Blocks — {text, heading: 1–6 (a heading of that rank) or 0 (paragraphs)} — as the HTML a word processor pastes:
  // a heading as <hN>, each line of a paragraph as a <p> indented two characters, as a 公文's paragraphs are
  // (GB/T 9704-2012 §7.3.3: 每个自然段左空二字; mso-char-indent-count is Word's own name for it).
  function blocksHtml(blocks) {
    return blocks.map(function (block) {
      if (block.heading) {
        const tag = "h" + Math.min(block.heading, 6);
        return "<" + tag + ">" + escapeHtml(block.text) + "</" + tag + ">";
      }
      return block.text.split("\n").filter(function (line) { return line.trim(); }).map(function (line) {
        return '<p style="text-indent:2em;mso-char-indent-count:2">' + escapeHtml(line.trim()) + "</p>";
      }).join("");
    }).join("");
  }

  // The text on the clipboard as text/plain and, given ``html``, as text/html too, both set in the copy event
  // execCommand("copy") fires: pasted into Word, paragraphs, their indent and headings stay what they are. Not the
  // Clipboard API's ClipboardItem: Chromium parses its text/html in the page, whose Content-Security-Policy
  // (style-src 'self') refuses every paragraph's style attribute, an error in the console at each copy. Where no
  // copy event is fired (the command refused), text/plain alone by navigator.clipboard in a secure context.
  function copyText(text, html) {
    let copied = false;
    function fill(event) {
      event.clipboardData.setData("text/plain", text);
      if (html) event.clipboardData.setData("text/html", html);
      event.preventDefault();
      copied = true;
    }
    document.addEventListener("copy", fill);
    try { document.execCommand("copy"); } finally { document.removeEventListener("copy", fill); }
    if (copied) return Promise.resolve();
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return Promise.reject(new Error("copy failed"));
  }

  function setupCopy(button) {
    button.addEventListener("click", function () {
      const para = button.closest(".para");
      const source = para.querySelector(".ptext").cloneNode(true);
      source.querySelectorAll(".member-boundary").forEach(function (m) { m.remove(); });  // a mark, not text
      const text = source.textContent.trim();
      const heading = /^H([1-6])$/.exec(source.tagName);   // a heading stays one (its rank as on the page)
      copyText(text, blocksHtml([{ text: text, heading: heading ? Number(heading[1]) : 0 }])).then(function () {
        button.textContent = "已复制";
        button.classList.add("done");
        button.dataset.copied = text;
        setTimeout(function () { button.textContent = "复制本段"; button.classList.remove("done"); }, 1500);
      }, function () { button.textContent = "复制失败"; });
    });
  }

  // On a touch screen a paragraph's 复制本段 shows when the paragraph is tapped (one at a time).
  function setupTapToCopy(body) {
    body.addEventListener("click", function (event) {
      const para = event.target.closest(".para");
      if (!para || event.target.closest("button, a")) return;
      body.querySelectorAll(".para.active").forEach(function (p) { if (p !== para) p.classList.remove("active"); });
      para.classList.toggle("active");
    });
  }

  // A section link (#o<offset>) whose offset is inside a paragraph lands on that paragraph.
  function landOnSection() {
    const m = /^#o(\d+)$/.exec(window.location.hash);
    if (!m || document.getElementById(window.location.hash.slice(1))) return;
    const wanted = Number(m[1]);
    let best = null;
    document.querySelectorAll(".para[id^='o']").forEach(function (p) {
      if (Number(p.id.slice(1)) <= wanted) best = p;
    });
    if (best) best.scrollIntoView();
  }

  // A form marked data-send-once is sent once (查重: each sending spends one of the day's or the hour's 查重): a second
  // click or Enter while the first is on its way sends nothing, its submit buttons disabled and saying what is being
  // done (data-sending, "正在查重…"). Back on the page from the browser's history it is new: a page is no-store, never
  // kept in the browser's page cache as it was left.
  function setupSendOnce(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.textContent = button.dataset.sending || button.textContent;
        button.disabled = true;
      });
    });
  }

  window.sucaiClipboard = { copy: copyText, html: blocksHtml };   // for the 写作台 (drafting.js)

  document.addEventListener("DOMContentLoaded", function () {
    landOnSection();
    document.querySelectorAll("input[data-suggest]").forEach(setupTypeahead);
    document.querySelectorAll("form[data-send-once]").forEach(setupSendOnce);
    document.querySelectorAll(".para .copy").forEach(setupCopy);
    document.querySelectorAll("#body").forEach(setupTapToCopy);
    // On a phone the outline is folded away until asked for.
    if (window.matchMedia("(max-width: 53.74em)").matches) {
      document.querySelectorAll(".outline details, .facets details").forEach(function (d) { d.open = false; });
    }
  });
})();
