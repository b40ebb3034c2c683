// Ask: the question with its options and filters (all mirrored in the URL, so a search can be shared), the
// cited passages with their best sentence, flags, grade and relevance in words, and abstention shown as such.
import {marker} from "./cite.js";
import {$, allPages, api, copyText, download, el, fetchText, plural, showMessage} from "./dom.js";
import {flagNotes, flagRanges, flagBadges, gradeControl, publisherBadge, relevance} from "./credibility.js";
import {compare} from "./compare.js";
import {highlighted, isStatement, pickBestSentences, sentences} from "./text.js";
import {openPassage} from "./viewer.js";

let last = null; // {query, result, best}
let onCite = () => {};

// -- the form and the URL -------------------------------------------------------------------------------
const KINDS = ["commercial", "unverified"];

function readForm() {
  const checked = (name) => [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
  const filters = {};
  const exclude = checked("exclude");
  if (exclude.length) filters.exclude_flags = exclude;
  if (exclude.length && $("flagged-last").checked) filters.downrank_flagged = true;
  if ($("min-cred").value !== "") filters.min_source_credibility = Number($("min-cred").value);
  const sources = checked("source");
  if (sources.length) filters.source_ids = sources;
  const types = checked("ptype");
  if (types.length) filters.publisher_types = types;
  return {question: $("question").value.trim(), k: Number($("k").value), mode: $("mode").value, filters};
}

export function queryToParams(q) {
  const params = new URLSearchParams();
  params.set("q", q.question);
  params.set("k", String(q.k));
  params.set("mode", q.mode);
  const f = q.filters;
  if (f.exclude_flags) params.set("exclude", f.exclude_flags.join(","));
  if (f.downrank_flagged) params.set("flagged", "last");
  if (f.min_source_credibility !== undefined) params.set("min_credibility", String(f.min_source_credibility));
  for (const s of f.source_ids || []) params.append("source", s);
  for (const t of f.publisher_types || []) params.append("publisher_type", t);
  return params;
}

function applyParams(params) {
  $("question").value = params.get("q") || "";
  const k = Number(params.get("k"));
  $("k").value = Number.isInteger(k) && k >= 1 ? String(k) : "5";
  $("mode").value = ["hybrid", "bm25", "dense"].includes(params.get("mode")) ? params.get("mode") : "hybrid";
  const exclude = (params.get("exclude") || "").split(",");
  for (const kind of KINDS) $(`exclude-${kind}`).checked = exclude.includes(kind);
  $(params.get("flagged") === "last" ? "flagged-last" : "flagged-drop").checked = true;
  const min = params.get("min_credibility") || "";
  const select = $("min-cred");
  if (min && ![...select.options].some((o) => o.value === min)) {
    select.append(el("option", {value: min}, `score ≥ ${min}`));
  }
  select.value = min;
  const sources = params.getAll("source");
  for (const box of document.querySelectorAll('input[name="source"]')) box.checked = sources.includes(box.value);
  const types = params.getAll("publisher_type");
  for (const box of document.querySelectorAll('input[name="ptype"]')) box.checked = types.includes(box.value);
  pendingSources = sources;
  pendingTypes = types;
  syncFilterState();
}

let pendingSources = [];
let pendingTypes = [];

function syncFilterState() {
  const any = KINDS.some((kind) => $(`exclude-${kind}`).checked);
  for (const id of ["flagged-drop", "flagged-last"]) $(id).disabled = !any;
  const n = document.querySelectorAll('input[name="source"]:checked').length;
  const t = document.querySelectorAll('input[name="ptype"]:checked').length;
  const types = t ? `, ${plural(t, "publisher type")}` : "";
  $("sources-summary").textContent = `Sources: ${n ? `${n} chosen` : "all"}${types}`;
}

// The source and publisher-type choices, from the live index.
export async function loadSources() {
  try {
    const sources = await allPages("/v1/sources", "sources"); // the route is paged (100 a page by default)
    $("source-list").replaceChildren(...sources.map((s) => {
      const grade = s.profile && s.profile.grade ? s.profile.grade : "–";
      return el("li", {}, el("label", {},
        el("input", {type: "checkbox", name: "source", value: s.source_id,
                     checked: pendingSources.includes(s.source_id)}),
        ` ${s.title || s.source_id} `, el("span", {class: "meta"}, `(${s.publisher_type}, grade ${grade})`)));
    }));
    const types = [...new Set(sources.map((s) => s.publisher_type))].sort();
    $("ptype-list").replaceChildren(...types.map((t) => el("li", {}, el("label", {},
      el("input", {type: "checkbox", name: "ptype", value: t, checked: pendingTypes.includes(t)}), ` ${t}`))));
    syncFilterState();
  } catch (error) {
    $("source-list").replaceChildren(el("li", {}, `sources could not be listed: ${error.message}`));
  }
}

// -- results --------------------------------------------------------------------------------------------
function passageCard(p, rank, best, context) {
  const ranges = flagRanges(p.flags, p.start, p.end);
  if (best) {
    const why = best.by === "meaning" ? "closest in meaning to the question" : "sharing the most of the question's words";
    ranges.push({start: best.start, end: best.end, cls: "best", title: `the best-matching sentence: ${why}`});
  }
  const {badge, panel} = gradeControl(p.source);
  const quote = (a, b) => (a >= p.start && b <= p.end ? p.text.slice(a - p.start, b - p.start) : null);
  return el("li", {class: "card passage", "data-passage-id": p.passage_id, "data-score": p.score,
                   "data-best-by": best ? best.by : null},
    el("div", {class: "card-head"},
      el("span", {class: "rank"}, `${rank}.`),
      el("h3", {class: "title"}, p.title || p.source_id),
      relevance(p, context.mode, context)),
    el("div", {class: "meta source-line"}, p.source.publisher ? `${p.source.publisher} · ` : "",
       publisherBadge(p.source), " ", badge, " ", ...flagBadges(p.flags)),
    panel,
    el("div", {class: "passage-text"}, highlighted(p.text, p.start, ranges)),
    el("div", {class: "meta where"}, p.marker || marker(p.source_id, p.start, p.end), p.page ? ` · p. ${p.page}` : "",
       p.heading ? ` · ${p.heading}` : "", p.ocr ? " · read by OCR from a scanned page: check the wording" : ""),
    flagNotes(p.flags, quote),
    el("div", {class: "card-actions"},
      el("button", {class: "link open-source", type: "button", onclick: () => openPassage(p.passage_id)},
         "Open in source"),
      el("button", {class: "link cite", type: "button", onclick: () => onCite(citeLine(p, best))}, "Cite in audit")));
}

// The clean sentence (no heading glyphs, whitespace collapsed) and a marker for exactly its range.
export function citeLine(p, best) {
  const s = best || sentences(p.text, p.start).find(isStatement) || sentences(p.text, p.start)[0];
  return `${s.text.replace(/[.!?]+$/, "")} ${marker(p.source_id, s.start, s.end)}.`;
}

function render(query, result) {
  const best = pickBestSentences(query.question, result.passages);
  last = {query, result, best};
  const top = Math.max(...result.passages.map((p) => p.score ?? 0));
  const context = {mode: result.mode, abstained: result.abstained, best: top};
  const list = el("ol", {class: "results"}, ...result.passages.map((p, i) => passageCard(p, i + 1, best[i], context)));
  const box = $("results");
  const where = describe(query);
  if (result.abstained) {
    box.replaceChildren(
      el("div", {class: "abstain", id: "abstain", role: "status"},
        el("h2", {class: "abstain-title"}, "No source in this corpus answers this."),
        el("p", {}, `The closest passage is too far from the question to support an answer (closeness `
                    + `${(result.support ?? 0).toFixed(2)} of 1${where ? `, ${where}` : ""}). Rephrase the question, `
                    + "relax the filters, or add sources that cover it.")),
      result.passages.length ? el("details", {class: "nearest", id: "nearest"},
        el("summary", {}, `The ${plural(result.passages.length, "nearest passage")} (they do not answer it)`), list)
        : "");
  } else if (!result.passages.length) {
    box.replaceChildren(el("p", {class: "message", role: "status"}, "No passage matches these filters."));
  } else {
    const line = `${plural(result.passages.length, "passage")} · ${modeName(result.mode)}${where ? ` · ${where}` : ""}`;
    box.replaceChildren(el("h2", {class: "visually-hidden"}, "Results"),
                        el("p", {class: "result-line meta", role: "status"}, line), list);
  }
  $("results-tools").hidden = !result.passages.length;
}

const modeName = (m) => ({hybrid: "keyword + meaning search", bm25: "keyword search", dense: "meaning search"})[m];

function describe(q) {
  const f = q.filters;
  const parts = [];
  if (f.exclude_flags) {
    parts.push(`${f.downrank_flagged ? "listing last" : "without"} ${f.exclude_flags.join(" or ")} passages`);
  }
  if (f.min_source_credibility !== undefined) parts.push(`source score ≥ ${f.min_source_credibility}`);
  if (f.source_ids) parts.push(plural(f.source_ids.length, "chosen source"));
  if (f.publisher_types) parts.push(`publishers: ${f.publisher_types.join(", ")}`);
  return parts.join(", ");
}

let searches = 0;

export async function search(query, {push = true} = {}) {
  if (!query.question) return;
  if (push) history.pushState(null, "", `?${queryToParams(query)}`);
  const mine = ++searches; // only the latest search may fill the page, whatever order the answers come in
  const button = $("ask");
  button.disabled = true;
  $("results").setAttribute("aria-busy", "true");
  showMessage("ask-message", "");
  try {
    const result = await api("/v1/query", query);
    if (mine !== searches) return;
    render(query, result);
    compare.update(query, result);
  } catch (error) {
    if (mine === searches) showMessage("ask-message", error.message, true);
  } finally {
    if (mine === searches) {
      button.disabled = false;
      $("results").removeAttribute("aria-busy");
    }
  }
}

export const lastResult = () => last;

// -- exports of the result list -------------------------------------------------------------------------
// The service's own exports (POST /v1/query?format=, issue 14), so a list saved from the page is the same file
// as `groundqa query --format`: the same search is sent again with the format asked for.
export const RESULT_EXPORTS = {
  md: {label: "Markdown", ext: "md"}, csv: {label: "CSV", ext: "csv"}, json: {label: "JSON", ext: "json"},
  ris: {label: "RIS", ext: "ris"}, bibtex: {label: "BibTeX", ext: "bib"}, csl: {label: "CSL-JSON", ext: "csl.json"},
};

async function exportResults(format) {
  if (!last) return;
  const {query} = last;
  showMessage("ask-message", "");
  try {
    const {text, type} = await fetchText(`/v1/query?format=${encodeURIComponent(format)}`, query);
    const name = `groundqa-${query.question.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40)}`;
    download(`${name}.${RESULT_EXPORTS[format].ext}`, text, type);
  } catch (error) {
    showMessage("ask-message", `The ${RESULT_EXPORTS[format].label} export failed: ${error.message}`, true);
  }
}

export function initAsk({cite}) {
  onCite = cite;
  const form = $("ask-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search(readForm());
  });
  form.addEventListener("change", syncFilterState);
  $("copy-link").addEventListener("click", () => {
    const url = `${location.origin}${location.pathname}?${queryToParams(readForm())}`;
    $("share-url").value = url;
    copyText(url, $("share-status"), $("share-url"));
  });
  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () => exportResults(button.dataset.export));
  }
  window.addEventListener("popstate", () => {
    applyParams(new URLSearchParams(location.search));
    if ($("question").value) search(readForm(), {push: false});
  });
}

// A shared link: fill the form from the URL, list the sources (so chosen ones are ticked), then search.
export async function startFromUrl() {
  const params = new URLSearchParams(location.search);
  applyParams(params);
  await loadSources();
  if (params.get("q")) await search(readForm(), {push: false});
}
