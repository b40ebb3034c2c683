// Batch audit from a file of answers: the answers go to POST /v1/audit as small batches ({"answers": [...]}),
// with progress after each, a stop button, a results table (a row opens that answer's full audit) and the
// report downloads.
import {$, api, el, plural, showMessage} from "./dom.js";
import {clearResult, showResult, summaryLine, verdictChip} from "./audit.js";
import {setReport} from "./report.js";

const MAX_BYTES = 5 * 1024 * 1024;
const GLYPH = {pass: "✓", review: "!", fail: "✗"};

// One CSV record per row, RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.some((f) => f.trim()));
}

// An answer record: {id?, answer} or {id?, claims} (the /v1/audit body), or a bare string of answer text.
function entry(value, fallbackId, suggest) {
  if (typeof value === "string") return {id: fallbackId, body: {answer: value, suggest}, input: value};
  if (Array.isArray(value)) return {id: fallbackId, body: {claims: value, suggest}, input: value};
  if (!value || typeof value !== "object") throw new Error("expected an object with 'answer' or 'claims', or a string");
  const id = value.id !== undefined && value.id !== null ? String(value.id) : fallbackId;
  const text = value.answer ?? value.text;
  if (typeof text === "string") return {id, body: {answer: text, suggest}, input: text};
  if (Array.isArray(value.claims)) return {id, body: {claims: value.claims, suggest}, input: value.claims};
  throw new Error("has neither 'answer' (text with markers) nor 'claims'");
}

// The answers of a file: .jsonl (one per line), .json (a list), .csv (columns id and answer), or text with
// answers separated by lines of three dashes. Lines that cannot be read become entries with an error.
export function parseBatch(name, text, suggest = true) {
  const lower = name.toLowerCase();
  const out = [];
  const add = (make, id) => {
    try { out.push(make()); } catch (error) { out.push({id, error: error.message}); }
  };
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      add(() => {
        let value;
        try {
          value = JSON.parse(line);
        } catch (error) {
          throw new Error(`line ${i + 1} is not JSON (${error.message})`);
        }
        return entry(value, `line ${i + 1}`, suggest);
      }, `line ${i + 1}`);
    });
  } else if (lower.endsWith(".json")) {
    const data = JSON.parse(text);
    const list = Array.isArray(data) ? data : data.answers;
    if (!Array.isArray(list)) throw new Error("a .json file must hold a list of answers (or {\"answers\": [...]})");
    list.forEach((value, i) => add(() => entry(value, `answer ${i + 1}`, suggest), `answer ${i + 1}`));
  } else if (lower.endsWith(".csv")) {
    const [head, ...rows] = parseCsv(text);
    const cols = (head || []).map((h) => h.trim().toLowerCase());
    const at = cols.indexOf("answer") >= 0 ? cols.indexOf("answer") : cols.indexOf("text");
    if (at < 0) throw new Error("the CSV needs a header row with an 'answer' column (and optionally 'id')");
    const idAt = cols.indexOf("id");
    rows.forEach((r, i) => add(() => entry({id: idAt >= 0 && r[idAt] ? r[idAt] : `row ${i + 2}`, answer: r[at] || ""},
                                           `row ${i + 2}`, suggest), `row ${i + 2}`));
  } else {
    text.split(/^\s*-{3,}\s*$/m).map((t) => t.trim()).filter(Boolean)
      .forEach((t, i) => out.push(entry(t, `answer ${i + 1}`, suggest)));
  }
  for (const e of out) {
    if (e.body && e.body.answer !== undefined && !e.body.answer.trim()) {
      e.error = "the answer is empty";
      delete e.body;
    }
  }
  return out;
}

let controller = null;
let results = [];

// Answers per request: small, so progress moves often, and well under the service's batch limit
// (GROUNDQA_AUDIT_MAX_BATCH, 20 by default) and its request body limit (GROUNDQA_MAX_REQUEST_BYTES, 64 KB).
const PER_REQUEST = 3;
const REQUEST_BYTES = 48 * 1024;

async function auditWithRetry(body, signal) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api("/v1/audit", body, {signal});
    } catch (error) {
      if (error.status !== 429 || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
    }
  }
}

// The entries with a request, in groups of at most PER_REQUEST answers and REQUEST_BYTES of JSON.
function groups(entries) {
  const out = [];
  let group = [];
  let bytes = 0;
  for (const e of entries) {
    const size = new Blob([JSON.stringify(e.body)]).size;
    if (group.length && (group.length >= PER_REQUEST || bytes + size > REQUEST_BYTES)) {
      out.push(group);
      group = [];
      bytes = 0;
    }
    group.push(e);
    bytes += size;
  }
  if (group.length) out.push(group);
  return out;
}

// One small batch: each answer gets its report or its own error. The page numbers the answers itself (the
// file's ids may repeat or be long; the service refuses a batch with a repeated id). When the service refuses
// the batch as a whole (an answer it cannot read, a body too large), the answers go one by one, so only the
// answer at fault gets the error.
async function auditGroup(group, signal) {
  const suggest = group[0].body.suggest;
  const answers = group.map((e, i) => ({id: String(i + 1), ...e.body}));
  let batch;
  try {
    batch = await auditWithRetry({answers, suggest}, signal);
  } catch (error) {
    if (error.name === "AbortError" || group.length === 1 || ![413, 422].includes(error.status)) throw error;
    for (const e of group) {
      if (signal.aborted) return;
      try {
        e.result = await auditWithRetry(e.body, signal);
      } catch (one) {
        if (one.name === "AbortError") throw one;
        e.error = one.message;
      }
    }
    return;
  }
  const byId = new Map(batch.results.map((r) => [r.id, r]));
  group.forEach((e, i) => {
    const r = byId.get(String(i + 1));
    if (r && r.report) e.result = r.report;
    else e.error = r && r.error ? r.error.message : "the service returned no result for this answer";
  });
}

function row(e, i) {
  const open = () => {
    if (e.result) showResult(e.result, `${i + 1}. ${e.id}`);
    else { clearResult(); showMessage("audit-message", `${e.id}: ${e.error}`, true); }
    $("summary").scrollIntoView({block: "start"});
  };
  const s = e.result && e.result.summary;
  return el("tr", {"data-verdict": s ? s.verdict : "error"},
    el("td", {}, String(i + 1)),
    el("th", {scope: "row"}, e.id),
    el("td", {}, s ? el("span", {class: `result-${s.verdict}`}, `${GLYPH[s.verdict]} ${s.verdict}`)
                   : e.error ? el("span", {class: "status-bad"}, "✗ not audited") : "waiting"),
    el("td", {}, s ? [summaryLine(s, e.result.claims), " ",
                      ...Object.entries(s.by_verdict).filter(([, n]) => n)
                        .flatMap(([v, n]) => [verdictChip(v), ` × ${n} `])]
                   : e.error || ""),
    el("td", {}, e.result || e.error ? el("button", {type: "button", class: "small", onclick: open}, "Show") : ""));
}

function renderTable() {
  $("batch-rows").replaceChildren(...results.map(row));
  $("batch-table").hidden = !results.length;
}

async function runBatch() {
  const file = $("batch-file").files[0];
  showMessage("audit-message", "");
  if (!file) { showMessage("audit-message", "Choose a file of answers first.", true); return; }
  if (file.size > MAX_BYTES) { showMessage("audit-message", `${file.name} is over 5 MB; split it.`, true); return; }
  try {
    results = parseBatch(file.name, await file.text(), $("suggest").checked);
  } catch (error) {
    showMessage("audit-message", `${file.name} could not be read: ${error.message}`, true);
    return;
  }
  if (!results.length) { showMessage("audit-message", `${file.name} holds no answers.`, true); return; }
  clearResult();
  controller = new AbortController();
  const progress = $("batch-progress");
  progress.max = results.length;
  progress.value = 0;
  progress.hidden = false;
  $("batch-run").disabled = true;
  $("batch-stop").hidden = false;
  renderTable();
  let done = 0;
  const show = (e) => {
    const i = results.indexOf(e);
    $("batch-rows").children[i].replaceWith(row(e, i));
  };
  for (const e of results.filter((x) => !x.body)) { done += 1; show(e); } // unreadable: listed, not sent
  progress.value = done;
  for (const group of groups(results.filter((e) => e.body))) {
    if (controller.signal.aborted) break;
    const first = results.indexOf(group[0]) + 1;
    const last = results.indexOf(group[group.length - 1]) + 1;
    $("batch-status").textContent = `Auditing ${first === last ? `answer ${first}` : `answers ${first}–${last}`} `
      + `of ${results.length} (${done} done)…`;
    try {
      await auditGroup(group, controller.signal);
    } catch (error) {
      if (error.name === "AbortError") break;
      for (const e of group) e.error = error.message;
    }
    done += group.length;
    progress.value = done;
    group.forEach(show);
  }
  const stopped = done < results.length;
  const by = (v) => results.filter((e) => e.result && e.result.summary.verdict === v).length;
  const failed = results.filter((e) => e.error).length;
  const head = stopped ? `Stopped after ${done} of ${results.length}` : `Audited ${plural(results.length, "answer")}`;
  $("batch-status").textContent = `${head}: `
    + `${by("pass")} pass, ${by("review")} review, ${by("fail")} fail${failed ? `, ${failed} not audited` : ""}.`;
  $("batch-run").disabled = false;
  $("batch-stop").hidden = true;
  setReport(results.filter((e) => e.result || e.error)
    .map((e) => ({id: e.id, input: e.input, result: e.result, error: e.error})));
}

export function initBatch() {
  $("batch-run").addEventListener("click", runBatch);
  $("batch-stop").addEventListener("click", () => controller && controller.abort());
}
