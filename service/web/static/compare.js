// "Where sources disagree": the panel lights up when the service has the compare capability (issue 16,
// POST /v1/compare). At start the page reads the service's own OpenAPI document (/openapi.json, served by the
// app); when it lists POST /v1/compare, a built-in renderer asks it after every search and shows the groups of
// statements it returns. Without the route the panel stays hidden and nothing is shown: no result is made up
// here, and no request goes to a route the service does not have.
//
// Work that wants its own panel plugs in with
//   window.groundqa.compare.register(async (query, result, {api, el}) => node | null)
// where `query` is the POST /v1/query body the reader just sent and `result` its response. Returning a node
// shows it in #compare-body and reveals the panel; returning null (nothing to compare) keeps it hidden.
// A failure is reported in the panel, never as conflicts. A registered renderer replaces the built-in one.
import {$, api, el, plural} from "./dom.js";
import {flagBadges, gradeBadge, publisherBadge} from "./credibility.js";
import {openSpan} from "./viewer.js";

let renderer = null;
let builtin = null; // the renderer for the service's POST /v1/compare, once the OpenAPI document lists it
let generation = 0;
let detecting = Promise.resolve(false);

async function update(query, result) {
  const panel = $("compare");
  const body = $("compare-body");
  const mine = ++generation;
  panel.hidden = true;
  body.replaceChildren();
  await detecting;
  if (mine !== generation) return;
  const render = renderer || builtin;
  if (!render) return;
  panel.setAttribute("aria-busy", "true");
  try {
    const node = await render(query, result, {api, el});
    if (mine !== generation) return; // a newer search replaced this one
    if (node) {
      body.replaceChildren(node);
      panel.hidden = false;
    }
  } catch (error) {
    if (mine !== generation) return;
    body.replaceChildren(el("p", {class: "message error", role: "alert"},
                            `Comparing the sources failed: ${error.message}`));
    panel.hidden = false;
  } finally {
    panel.removeAttribute("aria-busy");
  }
}

// -- the built-in renderer --------------------------------------------------------------------------------
// The request carries what the route's schema declares of the search just made (question, k, mode, filters),
// so it follows whatever issue 16 settles on without guessing fields the route would refuse.
function requestFields(spec) {
  const op = spec.paths["/v1/compare"].post;
  const content = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  let schema = content && content.schema;
  const ref = schema && schema.$ref;
  if (ref && ref.startsWith("#/components/schemas/")) schema = spec.components.schemas[ref.split("/").pop()];
  const props = schema && schema.properties ? Object.keys(schema.properties) : ["question"];
  return props.filter((p) => ["question", "k", "mode", "filters"].includes(p));
}

const pick = (obj, ...names) => {
  for (const n of names) if (obj && obj[n] !== undefined && obj[n] !== null) return obj[n];
  return undefined;
};

const RELATION = {agree: "Sources agree", disagree: "Sources disagree", unrelated: "Unrelated statements"};

// "disagree", "agree" or "unrelated" from whatever the group calls it (disagreement, conflict, agrees, ...).
function relationOf(g) {
  const raw = String(pick(g, "relation", "verdict", "status", "agreement") || "").toLowerCase();
  if (/disagree|conflict|contradict|mixed/.test(raw)) return "disagree";
  if (/^agree/.test(raw)) return "agree";
  if (/unrelated|neither/.test(raw)) return "unrelated";
  return raw;
}

function statementView(s) {
  const source = pick(s, "source") || {};
  const sourceId = pick(s, "source_id") || source.source_id;
  const where = pick(s, "marker") || (sourceId && s.start !== undefined ? `[${sourceId}:${s.start}-${s.end}]` : "");
  const profiled = source.profile ? source : (s.grade ? {profile: {grade: s.grade}} : null);
  const value = pick(s, "value", "figure", "quantity");
  return el("li", {class: "statement"},
    el("q", {}, pick(s, "text", "statement", "sentence") || ""),
    el("div", {class: "meta source-line"}, pick(s, "title") || source.title || sourceId || "", " ",
       source.publisher_type ? publisherBadge(source) : "", " ", profiled ? gradeBadge(profiled) : "", " ",
       ...flagBadges(s.flags || []), value !== undefined ? ` · ${typeof value === "object" ? JSON.stringify(value)
                                                                                           : value}` : "",
       where ? [" ", el("span", {class: "marker"}, where)] : "",
       sourceId && typeof s.start === "number" ? [" ", el("button", {class: "link", type: "button",
         onclick: () => openSpan(sourceId, s.start, s.end)}, "Open in source")] : ""));
}

// A group names its statements by id ("s1"); the answer lists them once. Objects pass through as they are.
const resolver = (answer) => {
  const byId = new Map((pick(answer, "statements") || []).filter((s) => s && s.id).map((s) => [s.id, s]));
  return (s) => (typeof s === "string" ? byId.get(s) : s);
};

function groupView(g, statementOf = (s) => s) {
  const relation = relationOf(g);
  const label = pick(g, "topic", "label", "about", "subject", "kind") || "";
  const positions = pick(g, "positions", "sides");
  const statements = pick(g, "statements", "members", "items") || [];
  const glyph = {disagree: "≠ ", agree: "= "}[relation] || "";
  return el("li", {class: `compare-group rel-${relation || "unknown"}`, "data-relation": relation},
    el("h3", {}, `${glyph}${RELATION[relation] || relation || "Statements"}${label ? `: ${label}` : ""}`),
    pick(g, "summary", "consensus") && typeof pick(g, "summary", "consensus") === "string"
      ? el("p", {}, pick(g, "summary", "consensus")) : "",
    Array.isArray(positions) && positions.length
      ? el("ul", {class: "positions"}, ...positions.map((p) => el("li", {},
          el("strong", {}, pick(p, "position", "label", "stance") || ""),
          el("ul", {class: "statements"}, ...(pick(p, "statements", "members", "items") || [])
            .map(statementOf).filter(Boolean).map(statementView)))))
      : el("ul", {class: "statements"}, ...statements.map(statementOf).filter(Boolean).map(statementView)));
}

function builtinRenderer(fields) {
  return async (query) => {
    const body = Object.fromEntries(fields.filter((f) => query[f] !== undefined).map((f) => [f, query[f]]));
    return renderCompare(await api("/v1/compare", body));
  };
}

// The panel's content for a POST /v1/compare answer; null when it has no groups.
export function renderCompare(answer) {
  const groups = pick(answer, "groups", "topics", "comparisons") || [];
  if (!groups.length) return null;
  const order = (g) => ({disagree: 0, agree: 1})[relationOf(g)] ?? 2;
  const sorted = [...groups].sort((a, b) => order(a) - order(b));
  const disagree = sorted.filter((g) => order(g) === 0).length;
  return el("div", {},
    el("p", {class: "meta"}, `${plural(groups.length, "group")} of statements, ${disagree} where sources disagree`),
    el("ol", {class: "compare-groups"}, ...sorted.map((g) => groupView(g, resolver(answer)))));
}

// Read the service's OpenAPI document once; the built-in renderer is set only when it lists POST /v1/compare.
// A search made meanwhile waits for the answer.
function detect() {
  detecting = probe();
  return detecting;
}

async function probe() {
  try {
    const response = await fetch("/openapi.json");
    if (!response.ok) return false;
    const spec = await response.json();
    if (!(spec.paths && spec.paths["/v1/compare"] && spec.paths["/v1/compare"].post)) return false;
    builtin = builtinRenderer(requestFields(spec));
    $("compare").dataset.available = "true";
    return true;
  } catch {
    return false;
  }
}

export const compare = {
  register(fn) { renderer = typeof fn === "function" ? fn : null; },
  get registered() { return renderer !== null; },
  get available() { return builtin !== null; },
  detect,
  update,
};
