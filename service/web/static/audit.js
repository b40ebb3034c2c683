// Audit an answer: the request from pasted text or JSON, the summary and each claim's verdict with its
// support (a probability where the service gives one), reasons, checks, cited text with the sentence the
// claim rests on underlined, quote diffs, inherited flags and better-supporting passages.
import {$, api, el, plural, showMessage} from "./dom.js";
import {flagBadges, flagNotes, flagRanges, gradeBadge, publisherBadge} from "./credibility.js";
import {highlighted, isStatement, sentences} from "./text.js";
import {openPassage, openSpan} from "./viewer.js";
import {marker} from "./cite.js";
import {setReport} from "./report.js";

export function auditRequest(raw, suggest) {
  const text = raw.trim();
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

// "support probability 0.82": the service's `score` is the trained verifier's calibrated p(supports) for the
// sentence the claim rests on, sent with the three `probabilities` (supports, refutes, neither). A service
// that sends a score without probabilities (before the verifier) has the older similarity score, which is
// not a probability and is named as a score.
export function supportText(item) {
  if (item.probabilities && typeof item.probabilities.supports === "number") {
    const p = typeof item.score === "number" ? item.score : item.probabilities.supports;
    return `support probability ${p.toFixed(2)}`;
  }
  return typeof item.score === "number" ? `support score ${item.score.toFixed(2)}` : "";
}

const SCORE_HELP = "support score: 0.6 × the best similarity + 0.4 × the share of the claim's words in the cited "
  + "sentence; not a probability";
const PROBABILITY_HELP = "calibrated probability, from the trained claim verifier, that the cited sentence supports "
  + "the claim; refutes and neither are the other two outcomes";

function supportView(item) {
  const probs = item.probabilities;
  if (!probs) return el("span", {class: "support", title: SCORE_HELP}, supportText(item));
  const parts = [["supports", probs.supports], ["refutes", probs.refutes], ["neither", probs.neither]];
  return el("span", {class: "support", title: PROBABILITY_HELP}, supportText(item),
    el("span", {class: "probs", "aria-hidden": "true"}, ...parts.map(([k, v]) =>
      el("i", {class: `p-${k}`, style: `width:${Math.round((v || 0) * 100)}%`}))),
    el("span", {class: "probs-text"}, ` (${parts.map(([k, v]) => `${k} ${(v || 0).toFixed(2)}`).join(" · ")})`));
}

export const verdictChip = (v) => el("span", {class: `verdict v-${v.replace(/\s+/g, "-")}`}, v);

function diffView(quote) {
  const parts = quote.diff.map((d) => el("span", {},
    d.quote ? el("del", {title: "the answer says"}, d.quote) : "", d.quote && d.source ? " " : "",
    d.source ? el("ins", {title: "the source says"}, d.source) : ""));
  return el("div", {class: "diff"}, "changes (answer → source): ", ...parts.flatMap((p, i) => (i ? ["; ", p] : [p])));
}

function citationView(c) {
  const where = c.marker || c.passage_id || `${c.source_id}:${c.start}-${c.end}`;
  if (c.status !== "ok") {
    return el("div", {class: "citation missing"},
      el("span", {class: "marker"}, where), " ", el("span", {class: "status-bad"}, `✗ ${c.status.replace("_", " ")}`),
      el("div", {class: "meta"}, c.message || ""));
  }
  const ranges = flagRanges(c.flags, c.start, c.end);
  if (c.aligned) ranges.push({start: c.aligned.start, end: c.aligned.end, cls: "aligned",
                              title: "the sentence the claim rests on"});
  const quote = c.quote;
  if (quote && quote.start !== null && quote.in_span) {
    ranges.push({start: quote.start, end: quote.end, cls: "quote-span", title: `quote: ${quote.status}`});
  }
  const title = quote ? `closest span to the quote (${quote.status})` : "";
  const closest = quote && quote.start !== null ? [{start: quote.start, end: quote.end, cls: "quote-span", title}] : [];
  const open = () => openSpan(c.source_id, c.start, c.end, closest);
  return el("div", {class: "citation"},
    el("div", {class: "card-head"},
      el("span", {class: "marker"}, where),
      c.verdict ? verdictChip(c.verdict) : "", c.verdict ? supportView(c) : "",
      el("span", {class: "title"}, c.title || c.source_id)),
    el("div", {class: "meta source-line"}, c.source ? [publisherBadge(c.source), " ", gradeBadge(c.source), " "] : "",
       ...flagBadges(c.flags), " ", el("button", {class: "link", type: "button", onclick: open}, "Open in source")),
    quote ? el("div", {class: "meta"}, `quote ${quote.status.replace("_", " ")} (${quote.similarity.toFixed(0)}% `
                                      + `similar${quote.in_span ? "" : ", outside the cited span"})`) : "",
    quote && quote.diff.length ? diffView(quote) : "",
    el("div", {class: "excerpt"}, highlighted(c.text || "", c.start, ranges)));
}

function checksView(checks) {
  if (!checks) return "";
  const rows = [];
  for (const [name, a] of Object.entries(checks)) {
    for (const text of a.conflicts || []) rows.push(el("li", {class: "conflict"}, `✗ ${name}: ${text}`));
    for (const text of a.missing || []) rows.push(el("li", {}, `? ${name}: the cited text does not state ${text}`));
  }
  return rows.length ? el("ul", {class: "checks", "aria-label": "checks"}, ...rows) : "";
}

function claimCard(claim) {
  const best = claim.best_passage;
  const inherited = (claim.flags || []).map((f) => ({...f, reason: `${f.reason}${f.touches_claim
    ? " — on the sentence the claim rests on" : " — elsewhere in the cited text"}`}));
  return el("li", {class: "card claim", "data-verdict": claim.verdict},
    el("div", {class: "card-head"}, verdictChip(claim.verdict), supportView(claim)),
    el("p", {class: "claim-text"}, claim.claim),
    el("ul", {class: "reasons"}, ...claim.reasons.map((r) => el("li", {}, r))),
    checksView(claim.checks),
    flagNotes(inherited),
    ...claim.citations.map(citationView),
    best ? el("div", {class: "suggestion"},
      el("strong", {}, "Better support in the corpus: "), verdictChip(best.verdict), " ",
      el("span", {class: "marker"}, best.aligned ? marker(best.aligned.source_id, best.aligned.start, best.aligned.end)
                                                  : best.passage.passage_id), " — ",
      best.aligned ? el("q", {}, best.aligned.text) : "", " ",
      el("button", {class: "link", type: "button", onclick: () => openPassage(best.passage.passage_id)}, "Open")) : "");
}

export function summaryLine(s, claims) {
  const probabilistic = claims.some((c) => c.probabilities);
  return `${plural(s.claims, "claim")}, ${plural(s.citations, "citation")}, mean support `
    + `${probabilistic ? "probability" : "score"} ${s.mean_score.toFixed(2)}`;
}

// Show one audit result in the detail area; `label` names the answer when it came from a batch.
export function showResult(result, label = "") {
  const s = result.summary;
  const box = $("summary");
  box.className = `summary ${s.verdict}`;
  const counts = Object.entries(s.by_verdict).filter(([, n]) => n)
    .map(([v, n]) => el("span", {}, verdictChip(v), ` × ${n}`));
  const glyph = {pass: "✓", review: "!", fail: "✗"}[s.verdict];
  box.replaceChildren(
    label ? el("span", {class: "answer-label"}, label) : "",
    el("span", {class: "overall"}, `${glyph} ${s.verdict}`),
    el("span", {}, summaryLine(s, result.claims)),
    el("span", {class: "counts"}, ...counts),
    el("span", {class: "meta"}, `${Math.round(s.elapsed_ms)} ms`),
    s.notes.length ? el("ul", {}, ...s.notes.map((n) => el("li", {}, n))) : "");
  box.hidden = false;
  $("claims").replaceChildren(...result.claims.map(claimCard));
  const uncited = $("uncited");
  const warnings = result.warnings || []; // brackets the service could not read as citations, with the fix
  uncited.hidden = !result.uncited.length && !warnings.length;
  uncited.replaceChildren(
    warnings.length ? el("h2", {}, "Markers that are not citations") : "",
    warnings.length ? el("ul", {class: "marker-warnings"}, ...warnings.map((w) => el("li", {},
      el("code", {}, w.marker), ` — ${w.message}`))) : "",
    result.uncited.length ? el("h2", {}, "Sentences that cite nothing") : "",
    result.uncited.length ? el("ul", {}, ...result.uncited.map((u) => el("li", {}, u.text))) : "");
}

export function clearResult() {
  $("summary").hidden = true;
  $("claims").replaceChildren();
  $("uncited").hidden = true;
}

async function runAudit() {
  const button = $("run-audit");
  showMessage("audit-message", "");
  let body;
  try {
    body = auditRequest($("answer").value, $("suggest").checked);
  } catch (error) {
    showMessage("audit-message", error.message, true);
    return;
  }
  button.disabled = true;
  button.textContent = "Auditing…";
  try {
    const result = await api("/v1/audit", body);
    showResult(result);
    setReport([{id: "answer", input: $("answer").value, result}]);
  } catch (error) {
    showMessage("audit-message", error.message, true);
  } finally {
    button.disabled = false;
    button.textContent = "Audit";
  }
}

// -- citing and the example -----------------------------------------------------------------------------
export function cite(line) {
  const box = $("answer");
  box.value = box.value.trim() ? `${box.value.trim()}\n${line}` : line;
  document.dispatchEvent(new CustomEvent("groundqa:tab", {detail: "panel-audit"}));
  showMessage("audit-message", "Added the sentence and its citation to the answer below.");
  box.focus();
}

const EXAMPLE_QUESTION = "Which chemotherapy is used first for metastatic cervical cancer?";

// A faithful sentence, the same with a number or a negation changed, a fabricated passage id and a sentence
// citing nothing, built from the live index.
function alter(sentence) {
  const figure = /\b(\d+)(?=\s*(%|percent|months?|years?|weeks?|days?))/;
  if (figure.test(sentence)) return sentence.replace(figure, (n) => String(Number(n) + 10));
  const negated = sentence.replace(/\b(is|are|can|may|will|does|do)\b/, "$1 not");
  return negated !== sentence ? negated : `It is not true that ${sentence[0].toLowerCase()}${sentence.slice(1)}`;
}

// Sentences fit for an example claim: plain statements that no flag's evidence touches.
function unflaggedStatements(passages) {
  return passages.flatMap((p) => {
    const flagged = p.flags.flatMap((f) => f.evidence || []);
    return sentences(p.text, p.start)
      .filter((s) => isStatement(s) && s.text.endsWith(".") && s.text.split(" ").length <= 40
              && !flagged.some((e) => e.end > s.start && e.start < s.end))
      .map((s) => ({p, s}));
  });
}

async function loadExample(lastPassages) {
  try {
    let candidates = unflaggedStatements(lastPassages());
    if (!candidates.length) {
      const {passages} = await api("/v1/query", {question: EXAMPLE_QUESTION, k: 5,
                                                  filters: {exclude_flags: ["commercial", "unverified"]}});
      candidates = unflaggedStatements(passages);
    }
    if (!candidates.length) throw new Error("no unflagged sentence to build an example from; ask a question first");
    const pick = candidates.find(({s}) => /\b\d+\s*(%|percent|months?|years?|weeks?|days?)/.test(s.text))
      || candidates.find(({s}) => /\b(is|are|can|may|will|does|do)\b/.test(s.text) && !/\bnot?\b|n't/.test(s.text))
      || candidates[0];
    const sentence = pick.s.text.replace(/[.!?]+$/, "");
    const cited = marker(pick.p.source_id, pick.s.start, pick.s.end);
    $("answer").value = [`${sentence} ${cited}.`, `${alter(sentence)} ${cited}.`,
      "Vitamin C megadoses cure metastatic cancer within weeks [p_0000000000000000].",
      "Every patient should ask for a second opinion."].join("\n");
    showMessage("audit-message", "Example: a faithful sentence, the same sentence altered, a made-up passage id and "
                + "a sentence citing nothing. Press Audit.");
  } catch (error) {
    showMessage("audit-message", error.message, true);
  }
}

export function initAudit({lastPassages}) {
  $("run-audit").addEventListener("click", runAudit);
  $("example").addEventListener("click", () => loadExample(lastPassages));
}
