// "Where sources disagree": the panel waits for the compare capability (issue 16, POST /v1/compare).
// Until a renderer is registered the panel stays hidden and nothing is shown: no result is made up here.
//
// The compare work plugs in with
//   window.groundqa.compare.register(async (query, result, {api, el}) => node | null)
// where `query` is the POST /v1/query body the reader just sent and `result` its response. Returning a node
// shows it in #compare-body and reveals the panel; returning null (nothing to compare) keeps it hidden.
// A failure is reported in the panel, never as conflicts.
import {$, api, el} from "./dom.js";

let renderer = null;
let generation = 0;

async function update(query, result) {
  const panel = $("compare");
  const body = $("compare-body");
  const mine = ++generation;
  panel.hidden = true;
  body.replaceChildren();
  if (!renderer) return;
  panel.setAttribute("aria-busy", "true");
  try {
    const node = await renderer(query, result, {api, el});
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

export const compare = {
  register(fn) { renderer = typeof fn === "function" ? fn : null; },
  get registered() { return renderer !== null; },
  update,
};
