// Audit reports to download, made in the page from the audit results shown: Markdown, and one self-contained
// HTML file (inline style, no script, nothing fetched) a reviewer can archive, mail or print. Both say the same
// things, from the same notes per claim (`claimNotes`).
import {$, download, el, plural} from "./dom.js";
import {marker} from "./cite.js";

let entries = []; // [{id, input, result} | {id, input, error}]

export function setReport(list) {
  entries = list;
  const ready = entries.some((e) => e.result);
  for (const id of ["report-html", "report-md"]) $(id).disabled = !ready;
}

const VERDICTS = ["supported", "partly supported", "unclear", "not supported", "contradicted"];
const status = (s) => s.replace("_", " ");

// As on the page (audit.js supportText): the service's score is the calibrated p(supports) when it sends the
// verifier's probabilities.
function support(item) {
  if (item.probabilities) {
    return `support probability ${(typeof item.score === "number" ? item.score : item.probabilities.supports).toFixed(2)}`;
  }
  return typeof item.score === "number" ? `support score ${item.score.toFixed(2)}` : "";
}

function where(c) {
  return c.status === "ok" && c.source_id && c.start !== null ? marker(c.source_id, c.start, c.end)
                                                              : `[${c.marker || c.passage_id}]`;
}

function sourceNote(c) {
  const s = c.source;
  if (!s) return c.title || c.source_id || "";
  const grade = s.profile && s.profile.grade ? `, grade ${s.profile.grade}` : "";
  const flags = [...new Set((c.flags || []).map((f) => f.kind))];
  const flagged = flags.length ? `, flagged ${flags.join(", ")}` : "";
  return `${c.title || c.source_id} (${s.publisher_type}${grade})${flagged}`;
}

function answerLine(result) {
  const s = result.summary;
  const kind = result.claims.some((c) => c.probabilities) ? "probability" : "score";
  return `${plural(s.claims, "claim")}, ${plural(s.citations, "citation")}, ${s.citations_missing} missing; `
    + `mean support ${kind} ${s.mean_score.toFixed(2)}.`;
}

// What the report says about one claim, as [{code?, strong?, text, quote?}] notes after its reasons.
function claimNotes(c) {
  const notes = c.reasons.map((r) => ({text: r}));
  for (const cit of c.citations) {
    if (cit.status !== "ok") {
      notes.push({code: where(cit), strong: status(cit.status), text: cit.message || ""});
      continue;
    }
    const verdict = cit.verdict ? `${cit.verdict} (${support(cit)}) — ` : "";
    notes.push({code: where(cit), text: `${verdict}${sourceNote(cit)}`, quote: cit.aligned && cit.aligned.text});
    if (cit.quote) {
      const changes = cit.quote.diff.map((d) => `; answer “${d.quote}” → source “${d.source}”`).join("");
      notes.push({text: `quote ${status(cit.quote.status)} (${cit.quote.similarity.toFixed(0)}% similar)${changes}`});
    }
  }
  for (const f of c.flags || []) notes.push({strong: `inherits ${f.kind}`, text: f.reason});
  const b = c.best_passage;
  if (b && b.aligned) {
    notes.push({text: "better support:", code: marker(b.aligned.source_id, b.aligned.start, b.aligned.end),
                quote: `${b.verdict}: ${b.aligned.text}`});
  }
  return notes;
}

function header() {
  const ok = entries.filter((e) => e.result);
  const count = (v) => ok.filter((e) => e.result.summary.verdict === v).length;
  const failed = entries.length - ok.length;
  return {
    when: `${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC`,
    index: $("status").textContent,
    line: `${plural(entries.length, "answer")}: ${count("pass")} pass, ${count("review")} review, ${count("fail")} fail`
      + `${failed ? `, ${failed} not audited` : ""}.`,
  };
}

const verdictOf = (e) => (e.result ? e.result.summary.verdict.toUpperCase() : "NOT AUDITED");
const countsOf = (e) => [e.result.summary.claims, ...VERDICTS.map((v) => e.result.summary.by_verdict[v] || 0),
                         e.result.summary.uncited_sentences];

// -- Markdown -------------------------------------------------------------------------------------------
const md = (text) => String(text).replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();

function mdNote(n) {
  const strong = n.strong ? `**${n.strong}** ` : "";
  const code = n.code ? `\`${n.code}\` ` : "";
  return `- ${code}${strong}${md(n.text)}${n.quote ? `\n  > ${md(n.quote)}` : ""}`;
}

export function reportMarkdown() {
  const h = header();
  const out = ["# groundqa audit report", "", `Generated ${h.when} by the groundqa reviewer page; index: ${h.index}.`,
    "", h.line, "", `| answer | result | claims | ${VERDICTS.join(" | ")} | uncited |`,
    `|---|---|---:|${VERDICTS.map(() => "---:").join("|")}|---:|`];
  for (const e of entries) {
    const cells = e.result ? countsOf(e) : VERDICTS.map(() => "").concat("", "");
    out.push(`| ${md(e.id)} | ${e.result ? verdictOf(e) : "not audited"} | ${cells.join(" | ")} |`);
  }
  entries.forEach((e, i) => {
    out.push("", `## ${i + 1}. ${md(e.id)} — ${verdictOf(e)}`, "");
    if (!e.result) {
      out.push(`The service did not audit this answer: ${md(e.error)}`);
      return;
    }
    out.push(answerLine(e.result), ...e.result.summary.notes.map((n) => `- ${md(n)}`));
    e.result.claims.forEach((c, j) => {
      out.push("", `### Claim ${j + 1}: ${c.verdict} (${support(c)})`, "", `> ${md(c.claim)}`, "",
               ...claimNotes(c).map(mdNote));
    });
    const warnings = e.result.warnings || [];
    if (warnings.length) {
      out.push("", "### Markers that are not citations", "", ...warnings.map((w) => `- \`${w.marker}\` ${md(w.message)}`));
    }
    if (e.result.uncited.length) {
      out.push("", "### Sentences that cite nothing", "", ...e.result.uncited.map((u) => `- ${md(u.text)}`));
    }
  });
  return `${out.join("\n")}\n`;
}

// -- HTML -----------------------------------------------------------------------------------------------
const STYLE = `body{font:15px/1.5 system-ui,sans-serif;color:#1d2430;max-width:960px;margin:24px auto;padding:0 16px}
table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #c9d0da;padding:4px 8px;text-align:left}
.pass{color:#1e6b34}.review{color:#8a4b00}.fail{color:#a61b1b}.meta{color:#555f6e}
blockquote{margin:8px 0;padding:4px 12px;border-left:3px solid #c9d0da}
code{font:13px ui-monospace,monospace;background:#eef1f5;padding:0 3px}h2{border-top:1px solid #c9d0da;padding-top:12px}`;

const htmlNote = (n) => el("li", {}, n.code ? [el("code", {}, n.code), " "] : "",
                           n.strong ? [el("strong", {}, n.strong), " "] : "", n.text,
                           n.quote ? el("blockquote", {}, n.quote) : "");

function summaryTable() {
  const head = ["answer", "result", "claims", ...VERDICTS, "uncited"].map((t) => el("th", {scope: "col"}, t));
  return el("table", {}, el("thead", {}, el("tr", {}, ...head)),
    el("tbody", {}, ...entries.map((e, i) => el("tr", {},
      el("th", {scope: "row"}, el("a", {href: `#answer-${i + 1}`}, e.id)),
      e.result ? [el("td", {class: e.result.summary.verdict}, verdictOf(e)), ...countsOf(e).map((n) => el("td", {}, n))]
        : [el("td", {class: "fail"}, "not audited"), ...[0, ...VERDICTS, 0].map(() => el("td", {}))]))));
}

function answerSection(e, i) {
  const id = `answer-${i + 1}`;
  if (!e.result) {
    return el("section", {id}, el("h2", {}, `${i + 1}. ${e.id} — not audited`),
              el("p", {}, `The service did not audit this answer: ${e.error}`));
  }
  const s = e.result.summary;
  return el("section", {id},
    el("h2", {}, `${i + 1}. ${e.id} — `, el("span", {class: s.verdict}, verdictOf(e))),
    el("p", {}, answerLine(e.result)),
    s.notes.length ? el("ul", {}, ...s.notes.map((n) => el("li", {}, n))) : "",
    ...e.result.claims.map((c, j) => el("article", {},
      el("h3", {}, `Claim ${j + 1}: ${c.verdict} (${support(c)})`),
      el("blockquote", {}, c.claim),
      el("ul", {}, ...claimNotes(c).map(htmlNote)))),
    (e.result.warnings || []).length ? [el("h3", {}, "Markers that are not citations"),
      el("ul", {}, ...e.result.warnings.map((w) => el("li", {}, el("code", {}, w.marker), ` ${w.message}`)))] : "",
    e.result.uncited.length ? [el("h3", {}, "Sentences that cite nothing"),
                               el("ul", {}, ...e.result.uncited.map((u) => el("li", {}, u.text)))] : "");
}

export function reportHtml() {
  const h = header();
  const doc = document.implementation.createHTMLDocument("groundqa audit report");
  doc.documentElement.lang = "en";
  doc.head.append(el("meta", {charset: "utf-8"}),
                  el("meta", {name: "viewport", content: "width=device-width, initial-scale=1"}),
                  el("style", {}, STYLE));
  doc.body.append(el("h1", {}, "groundqa audit report"),
    el("p", {class: "meta"}, `Generated ${h.when} by the groundqa reviewer page; index: ${h.index}.`),
    el("p", {}, h.line), summaryTable(), ...entries.map(answerSection));
  return `<!doctype html>\n${doc.documentElement.outerHTML}\n`;
}

export function initReport() {
  const stamp = () => new Date().toISOString().slice(0, 10);
  $("report-html").addEventListener("click",
    () => download(`groundqa-audit-${stamp()}.html`, reportHtml(), "text/html"));
  $("report-md").addEventListener("click",
    () => download(`groundqa-audit-${stamp()}.md`, reportMarkdown(), "text/markdown"));
  setReport([]);
}
