// The source view: a cited span highlighted in its surrounding text (or the whole source), what the source
// says of itself (publisher, date, original address), its full credibility profile, a copyable citation in
// the one format [source_id:start-end], and reference exports.
import {EXPORTS, marker, plainText, reference} from "./cite.js";
import {$, allPages, api, copyText, download, el} from "./dom.js";
import {flagNotes, flagRanges, gradeBadge, profileView, publisherBadge} from "./credibility.js";
import {highlighted} from "./text.js";

let viewing = null;
let opener = null;

export async function openPassage(passageId) {
  try {
    const p = await api(`/v1/passages/${encodeURIComponent(passageId)}?context=1200`);
    const text = p.context_before + p.text + p.context_after;
    show({source: p.source, start: p.start, end: p.end, quote: p.text, flags: p.flags, text,
          offset: p.context_start, cutBefore: p.context_start > 0, cutAfter: p.context_end < p.source.length,
          where: [p.page ? `p. ${p.page}` : "", p.heading ? `section “${p.heading}”` : ""]});
  } catch (error) {
    failed(error);
  }
}

export async function openSpan(sourceId, start, end, extra = []) {
  try {
    const path = `/v1/sources/${encodeURIComponent(sourceId)}`;
    const [s, listed] = await Promise.all([api(path), allPages(`${path}/passages`, "passages")]); // paged route
    const flags = listed.flatMap((p) => p.flags.filter((f) => f.evidence && f.evidence.length));
    const {text, ...source} = s;
    show({source, start, end, quote: text.slice(start, end), flags, extra, text, offset: 0, whole: true});
  } catch (error) {
    failed(error);
  }
}

function failed(error) {
  const box = $("viewer-error");
  box.textContent = `Could not open the source: ${error.message}`;
  box.hidden = false;
}

function show(v) {
  viewing = v;
  $("viewer-error").hidden = true;
  const s = v.source;
  $("viewer-title").textContent = s.title || s.source_id;
  $("viewer-meta").replaceChildren(`${s.source_id} · span [${v.start}–${v.end}]`,
    ...v.where ? v.where.filter(Boolean).map((w) => ` · ${w}`) : [], " ", publisherBadge(s), " ", gradeBadge(s));
  about(s);
  citation(v);
  $("viewer-profile").replaceChildren(profileView(s));
  const inSpan = v.flags.filter((f) => (f.evidence || []).some((e) => e.end > v.start && e.start < v.end));
  $("viewer-flags").replaceChildren(inSpan.length ? flagNotes(inSpan, (a, b) => slice(v, a, b)) : "");
  const ranges = [{start: v.start, end: v.end, cls: "cited", title: "the cited span"},
                  ...flagRanges(v.flags, v.start, v.end), ...(v.extra || [])];
  const body = $("viewer-text");
  body.replaceChildren(v.cutBefore ? el("span", {class: "ellipsis"}, "…") : "", highlighted(v.text, v.offset, ranges),
                       v.cutAfter ? el("span", {class: "ellipsis"}, "…") : "");
  $("viewer-whole").hidden = Boolean(v.whole);
  const dialog = $("viewer");
  if (!dialog.open) {
    opener = document.activeElement;
    dialog.showModal();
  }
  const target = body.querySelector("mark.cited");
  if (target) target.scrollIntoView({block: "center"});
}

const slice = (v, a, b) => (a >= v.offset && b <= v.offset + v.text.length ? v.text.slice(a - v.offset, b - v.offset)
                                                                            : null);

// A link only for web addresses: a manifest's `javascript:` or `data:` URL is shown as text, never followed.
function original(url) {
  if (!url) return "no address recorded";
  if (!/^https?:\/\//i.test(url)) return url;
  return el("a", {href: url, target: "_blank", rel: "noopener noreferrer", id: "viewer-url"},
            url, el("span", {class: "visually-hidden"}, " (opens the original site)"));
}

function about(s) {
  const rows = [["Publisher", s.publisher || "not stated"], ["Publisher type", s.publisher_type],
    ["Date", s.date || "not stated"], ["Authors", s.authors.length ? s.authors.join(", ") : "none named"],
    ["Language", s.language || "unknown"],
    ["Original", original(s.url)],
    ["File", s.original_file ? `${s.file} (originally ${s.original_file})` : s.file || "—"]];
  $("viewer-about").replaceChildren(el("h3", {}, "About this source"),
    el("dl", {}, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])));
}

function citation(v) {
  const ref = reference(v.source, v.start, v.end, v.quote);
  $("cite-marker").value = marker(v.source.source_id, v.start, v.end);
  $("cite-ref").value = plainText(ref);
  $("viewer-exports").replaceChildren(el("span", {}, "Download: "), ...Object.entries(EXPORTS).map(([key, f]) =>
    el("button", {type: "button", class: "small", "data-format": key,
                  onclick: () => download(`${v.source.source_id}_${v.start}-${v.end}.${f.ext}`, f.make(ref), f.type)},
       f.label)));
}

async function wholeSource() {
  if (!viewing) return;
  await openSpan(viewing.source.source_id, viewing.start, viewing.end, viewing.extra);
}

export function initViewer() {
  const dialog = $("viewer");
  $("viewer-close").addEventListener("click", () => dialog.close());
  $("viewer-whole").addEventListener("click", wholeSource);
  dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
  dialog.addEventListener("close", () => { if (opener && opener.isConnected) opener.focus(); });
  $("copy-marker").addEventListener("click",
    () => copyText($("cite-marker").value, $("copy-status"), $("cite-marker")));
  $("copy-ref").addEventListener("click", () => copyText($("cite-ref").value, $("copy-status"), $("cite-ref")));
}
