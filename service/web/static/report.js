// Audit reports to download, made in the page from the audit results shown: Markdown, and one self-contained
// HTML file (inline style, no script, nothing fetched) a reviewer can archive, mail or print.
import {$, download, el, plural} from "./dom.js";
import {marker} from "./cite.js";

let entries = []; // [{id, input, result} | {id, input, error}]

export function setReport(list) {
  entries = list;
  const ready = entries.some((e) => e.result);
  for (const id of ["report-html", "report-md"]) $(id).disabled = !ready;
}

const VERDICTS = ["supported", "partly supported", "unclear", "not supported", "contradicted"];

function support(item) {
  if (item.probabilities) return `support probability ${item.probabilities.supports.toFixed(2)}`;
  return typeof item.score === "number" ? `support score ${item.score.toFixed(2)}` : "";
}

const where = (c) => (c.source_id && c.start !== null && c.status === "ok" ? marker(c.source_id, c.start, c.end)
                                                                        : `[${c.marker || c.passage_id}]`);

function sourceNote(c) {
  const s = c.source;
  if (!s) return "";
  const grade = s.profile && s.profile.grade ? `, grade ${s.profile.grade}` : "";
  const flags = [...new Set((c.flags || []).map((f) => f.kind))];
  return `${c.title || c.source_id} (${s.publisher_type}${grade})${flags.length ? `, flagged ${flags.join(", ")}` : ""}`;
}

function header() {
  const ok = entries.filter((e) => e.result);
  const counts = ["pass", "review", "fail"].map((v) => `${ok.filter((e) => e.result.summary.verdict === v).length} ${v}`);
  const failed = entries.length - ok.length;
  return {
    when: new Date().toISOString().replace("T", " ").slice(0, 16) + " UTC",
    index: $("status").textContent,
    line: `${plural(entries.length, "answer")}: ${counts.join(", ")}${failed ? `, ${failed} not audited` : ""}.`,
  };
}

const md = (text) => String(text).replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();

export function reportMarkdown() {
  const h = header();
  const out = ["# groundqa audit report", "", `Generated ${h.when} by the groundqa reviewer page; index: ${h.index}.`, "",
    h.line, "", "| answer | result | claims | " + VERDICTS.join(" | ") + " | uncited |",
    "|---|---|---:|" + VERDICTS.map(() => "---:").join("|") + "|---:|"];
  for (const e of entries) {
    if (!e.result) { out.push(`| ${md(e.id)} | not audited | | ${VERDICTS.map(() => "").join(" | ")} | |`); continue; }
    const s = e.result.summary;
    out.push(`| ${md(e.id)} | ${s.verdict.toUpperCase()} | ${s.claims} | ${VERDICTS.map((v) => s.by_verdict[v] || 0).join(" | ")}`
             + ` | ${s.uncited_sentences} |`);
  }
  entries.forEach((e, i) => {
    out.push("", `## ${i + 1}. ${md(e.id)} — ${e.result ? e.result.summary.verdict.toUpperCase() : "NOT AUDITED"}`, "");
    if (!e.result) { out.push(`The service refused this answer: ${md(e.error)}`); return; }
    const s = e.result.summary;
    out.push(`${plural(s.claims, "claim")}, ${plural(s.citations, "citation")}, ${s.citations_missing} missing; `
             + `mean support ${e.result.claims.some((c) => c.probabilities) ? "probability" : "score"} ${s.mean_score.toFixed(2)}.`);
    if (s.notes.length) out.push("", ...s.notes.map((n) => `- ${md(n)}`));
    e.result.claims.forEach((c, j) => {
      out.push("", `### Claim ${j + 1}: ${c.verdict} (${support(c)})`, "", `> ${md(c.claim)}`, "",
               ...c.reasons.map((r) => `- ${md(r)}`));
      for (const cit of c.citations) {
        if (cit.status !== "ok") { out.push(`- citation \`${where(cit)}\`: **${cit.status.replace("_", " ")}** ${md(cit.message || "")}`); continue; }
        out.push(`- citation \`${where(cit)}\`: ${cit.verdict || ""}${cit.verdict ? ` (${support(cit)})` : ""} — ${md(sourceNote(cit))}`);
        if (cit.aligned) out.push(`  - rests on: “${md(cit.aligned.text)}”`);
        if (cit.quote) {
          out.push(`  - quote ${cit.quote.status.replace("_", " ")} (${cit.quote.similarity.toFixed(0)}% similar)`
                   + cit.quote.diff.map((d) => `; answer “${md(d.quote)}” → source “${md(d.source)}”`).join(""));
        }
      }
      for (const f of c.flags || []) out.push(`- inherits **${f.kind}**: ${md(f.reason)}`);
      const b = c.best_passage;
      if (b && b.aligned) out.push(`- better support: \`${marker(b.aligned.source_id, b.aligned.start, b.aligned.end)}\` ${b.verdict}: “${md(b.aligned.text)}”`);
    });
    if (e.result.uncited.length) out.push("", "### Sentences that cite nothing", "", ...e.result.uncited.map((u) => `- ${md(u.text)}`));
  });
  return `${out.join("\n")}\n`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;color:#1d2430;max-width:960px;margin:24px auto;padding:0 16px}
table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #c9d0da;padding:4px 8px;text-align:left}
.pass{color:#1e6b34}.review{color:#8a4b00}.fail{color:#a61b1b}blockquote{margin:8px 0;padding:4px 12px;border-left:3px solid #c9d0da}
code{font:13px ui-monospace,monospace;background:#eef1f5;padding:0 3px}.meta{color:#555f6e}h2{border-top:1px solid #c9d0da;padding-top:12px}`;

export function reportHtml() {
  const h = header();
  const doc = document.implementation.createHTMLDocument("groundqa audit report");
  doc.documentElement.lang = "en";
  doc.head.append(el("meta", {charset: "utf-8"}), el("meta", {name: "viewport", content: "width=device-width, initial-scale=1"}),
                  el("style", {}, STYLE));
  const table = el("table", {},
    el("thead", {}, el("tr", {}, ...["answer", "result", "claims", ...VERDICTS, "uncited"].map((t) => el("th", {scope: "col"}, t)))),
    el("tbody", {}, ...entries.map((e) => el("tr", {},
      el("th", {scope: "row"}, el("a", {href: `#answer-${entries.indexOf(e) + 1}`}, e.id)),
      e.result ? [el("td", {class: e.result.summary.verdict}, e.result.summary.verdict.toUpperCase()),
                  el("td", {}, String(e.result.summary.claims)),
                  ...VERDICTS.map((v) => el("td", {}, String(e.result.summary.by_verdict[v] || 0))),
                  el("td", {}, String(e.result.summary.uncited_sentences))]
        : [el("td", {class: "fail"}, "not audited"), ...VERDICTS.map(() => el("td", {})), el("td", {}), el("td", {})]))));
  doc.body.append(el("h1", {}, "groundqa audit report"),
    el("p", {class: "meta"}, `Generated ${h.when} by the groundqa reviewer page; index: ${h.index}.`),
    el("p", {}, h.line), table, ...entries.map((e, i) => answerSection(e, i)));
  return `<!doctype html>\n${doc.documentElement.outerHTML}\n`;
}

function answerSection(e, i) {
  const id = `answer-${i + 1}`;
  if (!e.result) return el("section", {id}, el("h2", {}, `${i + 1}. ${e.id} — not audited`), el("p", {}, e.error));
  const s = e.result.summary;
  return el("section", {id},
    el("h2", {}, `${i + 1}. ${e.id} — `, el("span", {class: s.verdict}, s.verdict.toUpperCase())),
    el("p", {}, `${plural(s.claims, "claim")}, ${plural(s.citations, "citation")}, ${s.citations_missing} missing; mean support `
                + `${e.result.claims.some((c) => c.probabilities) ? "probability" : "score"} ${s.mean_score.toFixed(2)}.`),
    s.notes.length ? el("ul", {}, ...s.notes.map((n) => el("li", {}, n))) : "",
    ...e.result.claims.map((c, j) => el("article", {},
      el("h3", {}, `Claim ${j + 1}: ${c.verdict} (${support(c)})`),
      el("blockquote", {}, c.claim),
      el("ul", {}, ...c.reasons.map((r) => el("li", {}, r)),
        ...c.citations.map((cit) => el("li", {}, el("code", {}, where(cit)), " ",
          cit.status !== "ok" ? el("strong", {}, cit.status.replace("_", " "))
            : `${cit.verdict || ""}${cit.verdict ? ` (${support(cit)})` : ""} — ${sourceNote(cit)}`,
          cit.aligned ? el("blockquote", {}, cit.aligned.text) : "",
          cit.quote ? el("div", {}, `quote ${cit.quote.status.replace("_", " ")} (${cit.quote.similarity.toFixed(0)}% similar)`,
            ...cit.quote.diff.map((d) => `; answer “${d.quote}” → source “${d.source}”`)) : "")),
        ...(c.flags || []).map((f) => el("li", {}, el("strong", {}, `inherits ${f.kind}`), `: ${f.reason}`)),
        c.best_passage && c.best_passage.aligned ? el("li", {}, "better support: ",
          el("code", {}, marker(c.best_passage.aligned.source_id, c.best_passage.aligned.start, c.best_passage.aligned.end)),
          ` ${c.best_passage.verdict}: “${c.best_passage.aligned.text}”`) : ""))),
    e.result.uncited.length ? [el("h3", {}, "Sentences that cite nothing"),
                               el("ul", {}, ...e.result.uncited.map((u) => el("li", {}, u.text)))] : "");
}

export function initReport() {
  const stamp = () => new Date().toISOString().slice(0, 10);
  $("report-html").addEventListener("click", () => download(`groundqa-audit-${stamp()}.html`, reportHtml(), "text/html"));
  $("report-md").addEventListener("click", () => download(`groundqa-audit-${stamp()}.md`, reportMarkdown(), "text/markdown"));
  setReport([]);
}
