// The reviewer page: ask, open sources, audit answers. Plain DOM, no framework, no build step.
// Every piece of text from the API goes in through textContent, never innerHTML.
"use strict";

const $ = (id) => document.getElementById(id);
let lastPassages = [];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data.error ? data.error.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return data;
}

function showMessage(id, text, isError = false) {
  const box = $(id);
  box.hidden = !text;
  box.textContent = text || "";
  box.classList.toggle("error", isError);
}

// -- highlighting ---------------------------------------------------------------------------------------
// Render text[offset..] with ranges {start, end, cls, title} given in SOURCE coordinates; overlapping
// ranges share one <mark> per segment, classes and titles combined.
function highlighted(text, offset, ranges) {
  const end = offset + text.length;
  const inside = ranges.filter((r) => r.end > offset && r.start < end);
  const cuts = new Set([offset, end]);
  for (const r of inside) { cuts.add(Math.max(offset, r.start)); cuts.add(Math.min(end, r.end)); }
  const points = [...cuts].sort((a, b) => a - b);
  const frag = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = text.slice(a - offset, b - offset);
    const active = inside.filter((r) => r.start <= a && r.end >= b);
    if (!active.length) { frag.append(piece); continue; }
    const titles = [...new Set(active.map((r) => r.title).filter(Boolean))];
    frag.append(el("mark", {class: active.map((r) => r.cls).join(" "), title: titles.join("\n") || null}, piece));
  }
  return frag;
}

function flagTitle(flag) {
  const cues = flag.cues && flag.cues.length ? ` — cues: ${flag.cues.join(", ")}` : "";
  const confidence = typeof flag.confidence === "number" ? ` (confidence ${flag.confidence.toFixed(2)})` : "";
  return `${flag.kind}: ${flag.reason}${cues}${confidence}${flag.override ? " [curator override]" : ""}`;
}

// Flag evidence as highlight ranges; a flag without evidence marks the whole passage span.
function flagRanges(flags, start, end) {
  const ranges = [];
  for (const flag of flags || []) {
    const spans = flag.evidence && flag.evidence.length ? flag.evidence : [{start, end}];
    for (const span of spans) {
      ranges.push({start: span.start, end: span.end, cls: `flag flag-${flag.kind}`, title: flagTitle(flag)});
    }
  }
  return ranges;
}

function flagBadges(flags) {
  const kinds = new Map();
  for (const flag of flags || []) {
    kinds.set(flag.kind, [...(kinds.get(flag.kind) || []), flagTitle(flag)]);
  }
  return [...kinds].map(([kind, titles]) => el("span", {class: `badge flag-${kind}`, title: titles.join("\n")}, kind));
}

function sourceBadges(source) {
  if (!source) return [];
  const badges = [el("span", {class: "badge", title: source.publisher || "publisher unknown"}, source.publisher_type)];
  const profile = source.profile;
  if (profile && profile.grade) {
    const reasons = (profile.reasons || []).join("\n");
    badges.push(el("span", {class: "badge grade", title: reasons || null}, `credibility ${profile.grade}`));
  }
  return badges;
}

// -- ask ------------------------------------------------------------------------------------------------
// The sentence of a hit closest in meaning to the question, as a highlight range (source coordinates).
function bestSentenceRanges(p) {
  const s = p.best_sentence;
  return s ? [{start: s.start, end: s.end, cls: "best-sentence",
               title: `Best sentence for the question (similarity ${s.score.toFixed(2)})`}] : [];
}

function passageCard(p, rank) {
  const ranges = [...flagRanges(p.flags, p.start, p.end), ...bestSentenceRanges(p)];
  const text = el("div", {class: "passage-text"}, highlighted(p.text, p.start, ranges));
  return el("li", {class: "card passage", "data-passage-id": p.passage_id},
    el("div", {class: "card-head"},
      el("span", {class: "rank"}, `${rank}.`),
      el("span", {class: "title"}, p.title || p.source_id),
      ...sourceBadges(p.source), ...flagBadges(p.flags)),
    el("div", {class: "meta"}, `${p.source_id} [${p.start}–${p.end}]`, p.page ? ` · p. ${p.page}` : "",
       p.heading ? ` · ${p.heading}` : "", typeof p.score === "number" ? ` · score ${p.score.toFixed(4)}` : ""),
    text,
    el("div", {class: "card-actions"},
      el("button", {class: "link open-source", type: "button", onclick: () => openPassage(p.passage_id)},
         "Open in source"),
      el("button", {class: "link cite", type: "button", onclick: () => cite(p)}, "Cite in audit")));
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const button = $("ask");
  button.disabled = true;
  showMessage("ask-message", "");
  try {
    const body = {question, k: Number($("k").value), mode: $("mode").value};
    const result = await api("/v1/query", body);
    lastPassages = result.passages;
    $("results").replaceChildren(...result.passages.map((p, i) => passageCard(p, i + 1)));
    if (result.abstained) {
      showMessage("ask-message", "No passage is close enough to support an answer; the nearest ones are listed.");
    } else if (!result.passages.length) {
      showMessage("ask-message", "No passage found.");
    }
  } catch (error) {
    showMessage("ask-message", error.message, true);
  } finally {
    button.disabled = false;
  }
}

function firstSentence(text) {
  const match = text.replace(/\s+/g, " ").trim().match(/^.{20,}?[.!?](\s|$)/);
  return (match ? match[0] : text.slice(0, 160)).trim();
}

function cite(p) {
  const box = $("answer");
  const sentence = p.best_sentence ? p.best_sentence.text : firstSentence(p.text);
  const line = `${sentence.replace(/[.!?]$/, "")} [${p.passage_id}].`;
  box.value = box.value.trim() ? `${box.value.trim()}\n${line}` : line;
  selectTab("panel-audit");
}

// -- source viewer --------------------------------------------------------------------------------------
let viewing = null;

async function openPassage(passageId) {
  try {
    const p = await api(`/v1/passages/${encodeURIComponent(passageId)}?context=1200`);
    viewing = {sourceId: p.source_id, start: p.start, end: p.end, flags: p.flags};
    $("viewer-title").textContent = p.title || p.source_id;
    $("viewer-meta").replaceChildren(`${p.source_id} · passage [${p.start}–${p.end}] `, ...sourceBadges(p.source));
    const text = p.context_before + p.text + p.context_after;
    renderSource(text, p.context_start, p.context_start > 0, p.context_end < p.source.length);
  } catch (error) {
    alert(error.message);
  }
}

async function allPassages(sourceId) {
  // the list route is paged: follow next_offset to the end
  const out = [];
  for (let offset = 0; offset !== null && offset !== undefined;) {
    const page = await api(`/v1/sources/${encodeURIComponent(sourceId)}/passages?limit=1000&offset=${offset}`);
    out.push(...page.passages);
    offset = page.next_offset;
  }
  return out;
}

async function openSpan(sourceId, start, end, extra = []) {
  try {
    const s = await api(`/v1/sources/${encodeURIComponent(sourceId)}`);
    viewing = {sourceId, start, end, flags: [], extra, whole: true};
    $("viewer-title").textContent = s.title || s.source_id;
    $("viewer-meta").replaceChildren(`${s.source_id} · span [${start}–${end}] `, ...sourceBadges(s));
    const passages = await allPassages(sourceId);
    viewing.flags = passages.flatMap((p) => p.flags.filter((f) => f.evidence && f.evidence.length));
    renderSource(s.text, 0, false, false);
  } catch (error) {
    alert(error.message);
  }
}

function renderSource(text, offset, cutBefore, cutAfter) {
  const v = viewing;
  const ranges = [{start: v.start, end: v.end, cls: "cited", title: "the cited span"},
                  ...flagRanges(v.flags, v.start, v.end), ...(v.extra || [])];
  const body = $("viewer-text");
  body.replaceChildren(cutBefore ? el("span", {class: "ellipsis"}, "…") : "", highlighted(text, offset, ranges),
                       cutAfter ? el("span", {class: "ellipsis"}, "…") : "");
  $("viewer-whole").hidden = Boolean(v.whole);
  const dialog = $("viewer");
  if (!dialog.open) dialog.showModal();
  const target = body.querySelector("mark.cited");
  if (target) target.scrollIntoView({block: "center"});
}

async function wholeSource() {
  if (!viewing) return;
  const {sourceId, start, end} = viewing;
  await openSpan(sourceId, start, end);
}

// -- audit ----------------------------------------------------------------------------------------------
function auditRequest(raw) {
  const text = raw.trim();
  const suggest = $("suggest").checked;
  if (text.startsWith("[") || text.startsWith("{")) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`the JSON does not parse (${error.message}); fix it or paste plain text with markers`);
    }
    if (Array.isArray(parsed)) return {claims: parsed, suggest};
    return {suggest, ...parsed};
  }
  return {answer: raw, suggest};
}

const VERDICT_CLASS = (v) => `verdict v-${v.replace(/\s+/g, "-")}`;

function diffView(quote) {
  const parts = quote.diff.map((d) => el("span", {},
    d.quote ? el("del", {title: "the answer says"}, d.quote) : "", d.quote && d.source ? " " : "",
    d.source ? el("ins", {title: "the source says"}, d.source) : ""));
  return el("div", {class: "diff"}, "changes: ", ...parts.flatMap((p, i) => (i ? ["; ", p] : [p])));
}

function citationView(c) {
  const where = c.marker || c.passage_id || `${c.source_id}:${c.start}-${c.end}`;
  if (c.status !== "ok") {
    return el("div", {class: "citation missing"},
      el("span", {class: "marker"}, where), " ", el("span", {class: "status-bad"}, c.status.replace("_", " ")),
      el("div", {class: "meta"}, c.message || ""));
  }
  const ranges = flagRanges(c.flags, c.start, c.end);
  if (c.aligned) ranges.push({start: c.aligned.start, end: c.aligned.end, cls: "aligned",
                              title: "the sentence the claim rests on"});
  const quote = c.quote;
  if (quote && quote.start !== null && quote.in_span) {
    ranges.push({start: quote.start, end: quote.end, cls: "quote-span", title: `quote: ${quote.status}`});
  }
  const open = () => openSpan(c.source_id, c.start, c.end, quote && quote.start !== null ? [
    {start: quote.start, end: quote.end, cls: "quote-span", title: `closest span to the quote (${quote.status})`}] : []);
  return el("div", {class: "citation"},
    el("div", {class: "card-head"},
      el("span", {class: "marker"}, where),
      c.verdict ? el("span", {class: VERDICT_CLASS(c.verdict), title: `this citation alone: score ${c.score}`},
                     c.verdict) : "",
      el("span", {class: "title"}, c.title || c.source_id), ...sourceBadges(c.source), ...flagBadges(c.flags),
      el("button", {class: "link", type: "button", onclick: open}, "Open in source")),
    quote ? el("div", {class: "meta"}, `quote ${quote.status.replace("_", " ")} (${quote.similarity.toFixed(0)}% `
                                      + `similar${quote.in_span ? "" : ", outside the cited span"})`) : "",
    quote && quote.diff.length ? diffView(quote) : "",
    el("div", {class: "excerpt"}, highlighted(c.text || "", c.start, ranges)));
}

function claimCard(claim) {
  const best = claim.best_passage;
  return el("li", {class: "card claim", "data-verdict": claim.verdict},
    el("div", {class: "card-head"},
      el("span", {class: VERDICT_CLASS(claim.verdict)}, claim.verdict),
      el("span", {class: "score", title: `similarity ${claim.similarity}, word coverage ${claim.coverage}`},
         `score ${claim.score.toFixed(2)}`),
      ...flagBadges(claim.flags)),
    el("div", {class: "claim-text"}, claim.claim),
    el("ul", {class: "reasons"}, ...claim.reasons.map((r) => el("li", {}, r))),
    ...claim.citations.map(citationView),
    best ? el("div", {class: "suggestion"},
      el("strong", {}, "Better support in the corpus: "),
      el("span", {class: VERDICT_CLASS(best.verdict)}, best.verdict), " ",
      el("span", {class: "marker"}, best.passage.passage_id), " — ",
      best.aligned ? el("q", {}, best.aligned.text) : "", " ",
      el("button", {class: "link", type: "button", onclick: () => openPassage(best.passage.passage_id)}, "Open")) : "");
}

function summaryView(s) {
  const box = $("summary");
  box.className = `summary ${s.verdict}`;
  const counts = Object.entries(s.by_verdict).filter(([, n]) => n)
    .map(([v, n]) => el("span", {class: VERDICT_CLASS(v)}, `${n} ${v}`));
  box.replaceChildren(
    el("span", {class: "overall"}, s.verdict),
    el("span", {}, `${s.claims} claim(s), ${s.citations} citation(s), mean score ${s.mean_score.toFixed(2)}`),
    el("span", {class: "counts"}, ...counts),
    el("span", {class: "meta"}, `${Math.round(s.elapsed_ms)} ms`),
    s.notes.length ? el("ul", {}, ...s.notes.map((n) => el("li", {}, n))) : "");
  box.hidden = false;
}

async function runAudit() {
  const button = $("run-audit");
  showMessage("audit-message", "");
  let body;
  try {
    body = auditRequest($("answer").value);
  } catch (error) {
    showMessage("audit-message", error.message, true);
    return;
  }
  button.disabled = true;
  button.textContent = "Auditing…";
  try {
    const result = await api("/v1/audit", body);
    summaryView(result.summary);
    $("claims").replaceChildren(...result.claims.map(claimCard));
    const uncited = $("uncited");
    uncited.hidden = !result.uncited.length;
    uncited.replaceChildren(el("h3", {}, "Sentences that cite nothing"),
                            el("ul", {}, ...result.uncited.map((u) => el("li", {}, u.text))));
  } catch (error) {
    showMessage("audit-message", error.message, true);
  } finally {
    button.disabled = false;
    button.textContent = "Audit";
  }
}

// An example built from the live index: a faithful sentence, the same with a number or a negation changed,
// a fabricated passage id, and a sentence citing nothing.
function statements(text) {
  return text.replace(/\s+/g, " ").split(/(?<=[.!?])\s+/)
    .filter((s) => s.endsWith(".") && s.split(" ").length >= 8 && s.split(" ").length <= 40);
}

function alter(sentence) {
  if (/\d/.test(sentence)) return sentence.replace(/\d+/, (n) => String(Number(n) + 10));
  const negated = sentence.replace(/\b(is|are|can|may|will|does|do)\b/, "$1 not");
  return negated !== sentence ? negated : `It is not true that ${sentence[0].toLowerCase()}${sentence.slice(1)}`;
}

async function loadExample() {
  try {
    let passages = lastPassages;
    if (!passages.length) {
      passages = (await api("/v1/query", {question: "Which chemotherapy is used first for metastatic cervical cancer?",
                                           k: 5})).passages;
    }
    const ranked = [...passages].sort((a, b) => a.flags.length - b.flags.length);
    const p = ranked.find((x) => statements(x.text).length) || ranked[0];
    const sentence = (statements(p.text)[0] || firstSentence(p.text)).replace(/[.!?]$/, "");
    $("answer").value = [`${sentence} [${p.passage_id}].`, `${alter(sentence)} [${p.passage_id}].`,
      "Vitamin C megadoses cure metastatic cancer within weeks [p_0000000000000000].",
      "Every patient should ask for a second opinion."].join("\n");
  } catch (error) {
    showMessage("audit-message", error.message, true);
  }
}

// -- tabs and start-up ----------------------------------------------------------------------------------
function selectTab(panelId) {
  for (const tab of document.querySelectorAll(".tab")) {
    const active = tab.dataset.panel === panelId;
    tab.classList.toggle("active", active);
    tab.setAttribute("aria-selected", String(active));
    $(tab.dataset.panel).hidden = !active;
  }
}

async function status() {
  try {
    const h = await api("/healthz");
    $("status").textContent = `${h.sources} sources · ${h.passages} passages · ${h.model.split("/").pop()}`;
  } catch (error) {
    $("status").textContent = "index not ready";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => selectTab(tab.dataset.panel));
  $("ask-form").addEventListener("submit", ask);
  $("run-audit").addEventListener("click", runAudit);
  $("example").addEventListener("click", loadExample);
  $("viewer-close").addEventListener("click", () => $("viewer").close());
  $("viewer-whole").addEventListener("click", wholeSource);
  $("viewer").addEventListener("click", (e) => { if (e.target === $("viewer")) $("viewer").close(); });
  status();
});
