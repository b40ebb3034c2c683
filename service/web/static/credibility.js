// Credibility in view: flags (highlight ranges, badges, notes a reader can expand and print), grade badges
// coloured by grade with their reasons one click away, the full source profile, and a plain-language
// relevance label in place of raw retrieval scores.
import {disclosure, el} from "./dom.js";

export function flagTitle(flag) {
  const cues = flag.cues && flag.cues.length ? ` — cues: ${flag.cues.join(", ")}` : "";
  const confidence = typeof flag.confidence === "number" ? ` (confidence ${flag.confidence.toFixed(2)})` : "";
  return `${flag.kind}: ${flag.reason}${cues}${confidence}${flag.override ? " [curator override]" : ""}`;
}

// Flag evidence as highlight ranges; a flag without evidence marks the whole span.
export function flagRanges(flags, start, end) {
  const ranges = [];
  for (const flag of flags || []) {
    const spans = flag.evidence && flag.evidence.length ? flag.evidence : [{start, end}];
    for (const span of spans) {
      ranges.push({start: span.start, end: span.end, cls: `flag flag-${flag.kind}`, title: flagTitle(flag)});
    }
  }
  return ranges;
}

export function flagBadges(flags) {
  const kinds = new Map();
  for (const flag of flags || []) kinds.set(flag.kind, [...(kinds.get(flag.kind) || []), flagTitle(flag)]);
  return [...kinds].map(([kind, titles]) => el("span", {class: `badge flag-${kind}`, title: titles.join("\n")},
                                               `⚑ ${kind}`));
}

// Each flag's reason in the open, under the text it flags; cues, confidence and the flagged sentences
// behind a "details" button (printed either way). `quote(start, end)` returns the text of a span or null.
export function flagNotes(flags, quote = () => null) {
  if (!flags || !flags.length) return null;
  return el("ul", {class: "flag-notes", "aria-label": "credibility flags"}, ...flags.map((flag) => {
    const evidence = (flag.evidence || []).map((e) => quote(e.start, e.end)).filter(Boolean);
    const detail = el("div", {class: "flag-detail"},
      el("div", {}, `confidence ${flag.confidence.toFixed(2)}`,
         flag.cues && flag.cues.length ? ` · cues: ${flag.cues.join(", ")}` : "",
         flag.override ? " · set by a curator" : ""),
      evidence.length ? el("ul", {class: "evidence"}, ...evidence.map((t) => el("li", {}, el("q", {}, t)))) : "");
    return el("li", {class: `flag-note flag-note-${flag.kind}`, "data-kind": flag.kind},
      el("span", {class: `badge flag-${flag.kind}`}, `⚑ ${flag.kind}`), " ",
      el("span", {class: "flag-reason"}, flag.reason), " ",
      disclosure("details", detail), detail);
  }));
}

export const gradeClass = (grade) => `grade grade-${/^[A-E]$/.test(grade || "") ? grade : "none"}`;

// The grade badge is a button that opens the profile's reasons right under the card head.
export function gradeControl(source) {
  const profile = source && source.profile;
  if (!profile || !profile.grade) return {badge: el("span", {class: "badge grade grade-none"}, "no profile"),
                                          panel: null};
  const panel = el("div", {class: "profile-reasons"},
    el("p", {}, el("strong", {}, `Credibility ${profile.grade}`),
       ` — score ${profile.score.toFixed(2)} of 1 (A ≥ 0.80, B ≥ 0.65, C ≥ 0.50, D ≥ 0.35, E below)`),
    el("ul", {}, ...(profile.reasons || []).map((r) => el("li", {}, r))));
  const badge = disclosure(`credibility ${profile.grade}`, panel, {cls: `badge ${gradeClass(profile.grade)}`});
  badge.title = "the source profile's reasons for this grade";
  return {badge, panel};
}

export function gradeBadge(source) {
  const profile = source && source.profile;
  if (!profile || !profile.grade) return el("span", {class: "badge grade grade-none"}, "no profile");
  return el("span", {class: `badge ${gradeClass(profile.grade)}`}, `credibility ${profile.grade}`);
}

export const publisherBadge = (source) => el("span", {class: "badge", title: source.publisher || "publisher unknown"},
                                             source.publisher_type);

function criteria(title, entries, note) {
  const names = {financial_disclosure: "financial disclosure", advertising_policy: "advertising policy"};
  return el("section", {class: "criteria"},
    el("h4", {}, title), note ? el("p", {class: "meta"}, note) : "",
    el("table", {},
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "criterion"), el("th", {scope: "col"}, "met"),
                         el("th", {scope: "col"}, "evidence"))),
      el("tbody", {}, ...Object.entries(entries || {}).map(([name, c]) => el("tr", {class: c.met ? "met" : "unmet"},
        el("th", {scope: "row"}, names[name] || name),
        el("td", {}, c.met ? "✓ met" : "✗ not met"),
        el("td", {}, c.evidence))))));
}

// The whole stored profile: grade and score, reasons, publisher type and its basis, the JAMA benchmarks and
// HONcode principles with their evidence, commercial signals with examples, curator overrides.
export function profileView(source) {
  const p = source.profile;
  if (!p) return el("section", {class: "profile"}, el("h3", {}, "Credibility profile"),
                    el("p", {}, "This source was ingested without a profile."));
  const signals = p.commercial_signals || [];
  return el("section", {class: "profile", "aria-label": "credibility profile"},
    el("h3", {}, "Credibility profile"),
    el("p", {}, gradeBadge(source), ` score ${p.score.toFixed(2)} of 1 · `,
       `${p.flagged_passages} of ${p.passages} passages flagged`),
    p.publisher ? el("p", {}, `Publisher type: ${p.publisher.type} (${p.publisher.basis})`) : "",
    el("h4", {}, "Reasons"), el("ul", {}, ...(p.reasons || []).map((r) => el("li", {}, r))),
    criteria("JAMA benchmarks", p.jama, "Silberg et al., JAMA 1997"),
    criteria("HONcode principles", p.honcode, "Health On the Net Foundation"),
    el("h4", {}, "Commercial signals"),
    signals.length ? el("ul", {}, ...signals.map((s) => el("li", {}, `${s.signal} × ${s.count}`,
      el("ul", {}, ...(s.examples || []).map((e) => el("li", {}, el("q", {}, e.text)))))))
      : el("p", {}, "none found"),
    (p.overrides || []).length ? [el("h4", {}, "Curator overrides"),
      el("ul", {}, ...p.overrides.map((o) => el("li", {}, `${o.action} ${o.kind}: ${o.reason}`)))] : "");
}

const LEVELS = ["Does not answer", "Weak match", "Fair match", "Good match", "Strong match"];

// How well a passage matches the question, in words: from the two searches' ranks in hybrid mode, the
// cosine in meaning (dense) mode, the share of the best keyword score in keyword (bm25) mode. When the
// engine abstains, no passage answers.
export function relevance(p, mode, {abstained = false, best = null} = {}) {
  const ranks = p.ranks || {};
  let level;
  let detail;
  if (mode === "hybrid") {
    const both = ranks.bm25 && ranks.dense;
    const worst = Math.max(ranks.bm25 || Infinity, ranks.dense || Infinity);
    level = !both ? 1 : worst <= 3 ? 4 : worst <= 10 ? 3 : 2;
    detail = both ? `keyword search #${ranks.bm25} · meaning search #${ranks.dense}`
      : ranks.bm25 ? `found by keyword search only (#${ranks.bm25})` : `found by meaning search only (#${ranks.dense})`;
  } else if (mode === "dense") {
    const s = p.score ?? 0;
    level = s >= 0.6 ? 4 : s >= 0.5 ? 3 : s >= 0.35 ? 2 : 1;
    detail = `meaning similarity ${s.toFixed(2)} of 1`;
  } else {
    const share = best ? (p.score ?? 0) / best : 0;
    level = share >= 0.8 ? 4 : share >= 0.6 ? 3 : share >= 0.4 ? 2 : 1;
    detail = `keyword score ${Math.round(share * 100)}% of the best`;
  }
  if (abstained) level = 0;
  return el("span", {class: `relevance rel-${level}`, "data-level": String(level)},
    el("span", {class: "bars", "aria-hidden": "true"},
       ...[1, 2, 3, 4].map((i) => el("i", {class: i <= level ? "on" : ""}))),
    el("span", {class: "rel-label"}, LEVELS[level]), el("span", {class: "rel-detail"}, ` (${detail})`));
}
