// Text in source coordinates: sentences of a passage with their offsets, the sentence that best matches a
// question, and highlighting of ranges.
import {el} from "./dom.js";

// Heading and list glyphs that open a line in the corpus ("» Chemotherapy", "• Radiation therapy").
const BULLET = /^(?:[-*•●▪◦➤»«►▶·–—]+|\d+[.)])\s*/u;
const ABBREVIATIONS = new Set(["e.g", "i.e", "dr", "prof", "vs", "etc", "approx", "fig", "st", "mr", "mrs", "ms",
                               "al", "ca", "cf"]);
const STOP = new Set(("a an and are as at be been but by can could did do does for from had has have how i if in " +
  "into is it its me my of on or our should so than that the their them then there these they this to was we " +
  "were what when where which who whom why will with would you your about after also any before between both " +
  "each more most not other over same some such only own very just may might must shall used use using get").split(" "));

// Sentences of `text` (which starts at `offset` in its source): {start, end, text} in source coordinates, with
// leading bullets and surrounding whitespace left out of the range, and `text` with whitespace collapsed.
// A line that does not end a sentence continues on the next line when that one starts in lower case.
export function sentences(text, offset = 0) {
  const out = [];
  const lines = [...text.matchAll(/[^\n]+/g)].map((m) => ({start: m.index, end: m.index + m[0].length}));
  const blocks = [];
  for (const line of lines) {
    const body = text.slice(line.start, line.end);
    if (!body.trim()) continue;
    const last = blocks[blocks.length - 1];
    const prev = last ? text.slice(last.start, last.end).trimEnd() : "";
    if (last && !/[.!?:;"”)]$/.test(prev) && /^\s*[a-z(]/.test(body)) last.end = line.end;
    else blocks.push({...line});
  }
  for (const block of blocks) {
    let cursor = block.start;
    const body = text.slice(block.start, block.end);
    for (const m of body.matchAll(/[.!?]+["”’)]*(?=\s+["“(]?[A-Z0-9])/g)) {
      const cut = block.start + m.index + m[0].length;
      const before = text.slice(cursor, block.start + m.index).split(/\s+/).pop().toLowerCase();
      if (ABBREVIATIONS.has(before.replace(/\.$/, "")) || /^[a-z]$/i.test(before)) continue;
      push(out, text, cursor, cut, offset);
      cursor = cut;
    }
    push(out, text, cursor, block.end, offset);
  }
  return out;
}

function push(out, text, start, end, offset) {
  let piece = text.slice(start, end);
  const lead = piece.length - piece.trimStart().length;
  start += lead;
  piece = piece.trimStart();
  const bullet = piece.match(BULLET);
  if (bullet && bullet[0].length < piece.length) {
    start += bullet[0].length;
    piece = piece.slice(bullet[0].length);
  }
  piece = piece.trimEnd();
  if (!/\w/.test(piece)) return;
  out.push({start: start + offset, end: start + piece.length + offset, text: piece.replace(/\s+/g, " ")});
}

// A sentence a reader would quote: a few words at least, not a bare heading.
export const isStatement = (s) => s.text.split(" ").length >= 5 && /[a-z]/.test(s.text);

export function terms(text) {
  return [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu) || [])
    .filter((w) => w.length > 2 && !STOP.has(w)).map((w) => w.slice(0, 6)))];
}

// For each passage, the sentence with the largest weight of the question's words (a word counts more the
// fewer sentences of the listed passages hold it); null when no sentence shares a word with the question.
export function bestSentences(question, passages) {
  const wanted = terms(question);
  const split = passages.map((p) => sentences(p.text, p.start).filter(isStatement));
  const df = new Map();
  let n = 0;
  for (const list of split) {
    for (const s of list) {
      n += 1;
      for (const t of new Set(terms(s.text))) df.set(t, (df.get(t) || 0) + 1);
    }
  }
  return split.map((list) => {
    let best = null;
    for (const s of list) {
      const have = new Set(terms(s.text));
      const matched = wanted.filter((t) => have.has(t));
      const score = matched.reduce((sum, t) => sum + Math.log(1 + n / (df.get(t) || 1)), 0);
      if (score > 0 && (!best || score > best.score)) best = {...s, score, matched, by: "words"};
    }
    return best;
  });
}

// The sentence to highlight in each passage: the service's `best_sentence` ({start, end, text, score}: the
// sentence closest in meaning to the question, issue 12) when the response carries one, with heading and list
// glyphs left out of it; else the page's own pick by shared words (bestSentences). Older services and indexes
// built without sentence vectors send no best_sentence (or null), and the page works the same.
export function pickBestSentences(question, passages) {
  const byWords = bestSentences(question, passages);
  return passages.map((p, i) => fromService(p) || byWords[i]);
}

function fromService(p) {
  const b = p.best_sentence;
  if (!b || typeof b.start !== "number" || typeof b.end !== "number") return null;
  if (b.start < p.start || b.end > p.end || b.end <= b.start) return null; // not inside this passage
  const pieces = sentences(p.text.slice(b.start - p.start, b.end - p.start), b.start);
  const kept = pieces.filter(isStatement).length ? pieces.filter(isStatement) : pieces;
  if (!kept.length) return null;
  const [first, last] = [kept[0], kept[kept.length - 1]];
  const text = p.text.slice(first.start - p.start, last.end - p.start).replace(/\s+/g, " ");
  return {start: first.start, end: last.end, text, score: b.score, by: "meaning"};
}

// text[offset..] rendered with ranges {start, end, cls, title} in SOURCE coordinates; overlapping ranges
// share one <mark> per segment, classes and titles combined.
export function highlighted(text, offset, ranges) {
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

export const flat = (text) => text.replace(/\s+/g, " ").trim();
