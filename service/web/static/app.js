// The reviewer page: ask, open sources, audit answers (one or a file of them), download reports. Plain ES
// modules served by the app itself: no framework, no build step, nothing fetched from elsewhere.
import {$, api} from "./dom.js";
import {initAsk, lastResult, startFromUrl} from "./ask.js";
import {cite, initAudit} from "./audit.js";
import {initBatch} from "./batch.js";
import {compare} from "./compare.js";
import {initReport} from "./report.js";
import {initViewer} from "./viewer.js";

const TABS = () => [...document.querySelectorAll('[role="tab"]')];

function selectTab(panelId, {focus = false} = {}) {
  for (const tab of TABS()) {
    const active = tab.getAttribute("aria-controls") === panelId;
    tab.classList.toggle("active", active);
    tab.setAttribute("aria-selected", String(active));
    tab.tabIndex = active ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !active;
    if (active && focus) tab.focus();
  }
  const hash = panelId === "panel-audit" ? "#audit" : "";
  if (location.hash !== hash) history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
}

// Tabs as the ARIA pattern has them: arrows, Home and End move between tabs; Tab moves into the panel.
function tabKeys(event) {
  const tabs = TABS();
  const at = tabs.indexOf(event.target);
  const next = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1}[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const tab = tabs[(next + tabs.length) % tabs.length];
  selectTab(tab.getAttribute("aria-controls"), {focus: true});
}

async function status() {
  try {
    const h = await api("/healthz");
    $("status").textContent = `${h.sources} sources · ${h.passages} passages · ${h.model.split("/").pop()}`;
  } catch {
    $("status").textContent = "index not ready";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of TABS()) {
    tab.addEventListener("click", () => selectTab(tab.getAttribute("aria-controls")));
    tab.addEventListener("keydown", tabKeys);
  }
  document.addEventListener("groundqa:tab", (e) => selectTab(e.detail));
  window.addEventListener("hashchange", () => selectTab(location.hash === "#audit" ? "panel-audit" : "panel-ask"));
  selectTab(location.hash === "#audit" ? "panel-audit" : "panel-ask");
  initViewer();
  initAsk({cite});
  initAudit({lastPassages: () => (lastResult() ? lastResult().result.passages : [])});
  initBatch();
  initReport();
  // Printing shows everything a reader could expand: hidden reasons print through style.css, closed
  // <details> (the nearest passages of an abstention) are opened for the print and closed after.
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = [...document.querySelectorAll("main details:not([open])")];
    for (const d of opened) d.open = true;
  });
  window.addEventListener("afterprint", () => { for (const d of opened) d.open = false; opened = []; });
  // The page's extension points, for work that lands later (the compare panel of issue 16).
  window.groundqa = Object.freeze({compare});
  status();
  compare.detect(); // the compare panel lights up only if the service has POST /v1/compare
  startFromUrl().finally(() => document.documentElement.setAttribute("data-ready", "true"));
});
