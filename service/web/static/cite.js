// Citations of a span of a source in the product's one citation format, [source_id:start-end], and as
// references a reviewer can paste or import: plain text, Markdown, RIS, BibTeX and CSL-JSON. Each carries
// title, publisher, URL, date, accessed date (the day this copy of the source was ingested, as in the service's
// exports; today for a service that does not say), the exact quote and its span. Built in the page from
// GET /v1/sources/{id}: the service exports query results, not an arbitrary span of a source.
import {today} from "./dom.js";
import {flat} from "./text.js";

export const marker = (sourceId, start, end) => `[${sourceId}:${start}-${end}]`;

// The reference to `source` (a /v1/sources/{id} record) for the span [start, end) whose text is `quote`.
export function reference(source, start, end, quote) {
  return {
    sourceId: source.source_id, title: source.title || source.source_id, publisher: source.publisher || "",
    publisherType: source.publisher_type, url: source.url || "", date: source.date || "",
    authors: source.authors || [], language: source.language || "", start, end, quote: flat(quote || ""),
    marker: marker(source.source_id, start, end), accessed: source.ingested || today(),
  };
}

export function plainText(r) {
  const who = [r.authors.join(", "), r.publisher].filter(Boolean).join(". ");
  return [who, r.title, r.date && `(${r.date})`, r.url, `Accessed ${r.accessed}.`].filter(Boolean).join(". ")
    .replace(/\.\./g, ".") + ` "${r.quote}" ${r.marker}`;
}

export function markdown(r) {
  const title = r.url ? `[${r.title}](${r.url})` : r.title;
  const by = [r.authors.join(", "), r.publisher].filter(Boolean).join("; ");
  return `> ${r.quote}\n\n— ${title}${by ? `, ${by}` : ""}${r.date ? ` (${r.date})` : ""}; accessed ${r.accessed}; `
    + `\`${r.marker}\`\n`;
}

const risLine = (tag, value) => (value ? `${tag}  - ${String(value).replace(/\s+/g, " ")}\r\n` : "");

export function ris(r) {
  return risLine("TY", "ELEC") + risLine("TI", r.title) + r.authors.map((a) => risLine("AU", a)).join("")
    + risLine("PB", r.publisher) + risLine("UR", r.url) + risLine("DA", r.date) + risLine("Y2", r.accessed)
    + risLine("LA", r.language) + risLine("ID", r.marker.slice(1, -1))
    + risLine("N1", `"${r.quote}" ${r.marker}`) + "ER  - \r\n";
}

const bib = (value) => String(value).replace(/\\/g, "\\textbackslash{}").replace(/([{}%&$#_^~])/g, "\\$1");

export function bibtex(r) {
  const key = `${r.sourceId.replace(/[^A-Za-z0-9]+/g, "")}${r.start}`;
  const fields = [["title", r.title], ["author", r.authors.map((a) => `{${bib(a)}}`).join(" and ")],
    ["organization", r.publisher], ["url", r.url], ["date", r.date], ["urldate", r.accessed],
    ["language", r.language], ["note", `"${r.quote}" ${r.marker}`]];
  const body = fields.filter(([, v]) => v).map(([k, v]) => `  ${k} = {${k === "url" || k === "author" ? v : bib(v)}}`);
  return `@online{${key},\n${body.join(",\n")}\n}\n`;
}

const dateParts = (d) => (d ? {"date-parts": [d.split("-").map(Number).filter((n) => !Number.isNaN(n))]} : undefined);

export function cslJson(r) {
  const item = {id: r.marker.slice(1, -1), type: "webpage", title: r.title, publisher: r.publisher || undefined,
    URL: r.url || undefined, issued: dateParts(r.date), accessed: dateParts(r.accessed),
    author: r.authors.map((a) => ({literal: a})), language: r.language || undefined,
    note: `"${r.quote}" ${r.marker}`};
  return `${JSON.stringify([item], null, 2)}\n`;
}

export const EXPORTS = {
  ris: {label: "RIS", ext: "ris", type: "application/x-research-info-systems", make: ris},
  bibtex: {label: "BibTeX", ext: "bib", type: "application/x-bibtex", make: bibtex},
  csl: {label: "CSL-JSON", ext: "json", type: "application/vnd.citationstyles.csl+json", make: cslJson},
  md: {label: "Markdown", ext: "md", type: "text/markdown", make: markdown},
};
