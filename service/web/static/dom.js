// DOM and HTTP helpers shared by the page's modules. Text from the API goes in through textContent, never
// innerHTML, so nothing a source or an answer contains can run as markup.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false && child !== "") {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

// One JSON request to the service; errors come back in the service's one shape and are thrown as Error.
export async function api(path, body, {signal} = {}) {
  const init = body === undefined ? {signal} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), signal};
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error ? data.error.message : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

// Every item of a paged list route (limit/offset, next_offset null on the last page), e.g. all sources.
export async function allPages(path, key, limit = 1000) {
  const out = [];
  const join = path.includes("?") ? "&" : "?";
  for (let offset = 0; offset !== null && offset !== undefined;) {
    const page = await api(`${path}${join}limit=${limit}&offset=${offset}`);
    out.push(...page[key]);
    offset = page.next_offset;
  }
  return out;
}

// A POST whose answer is a file (an export): its text and media type; errors as for api().
export async function fetchText(path, body) {
  const response = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify(body)});
  const text = await response.text();
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try { message = JSON.parse(text).error.message; } catch { /* not the service's error shape */ }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return {text, type: response.headers.get("Content-Type") || "text/plain"};
}

export function showMessage(id, text, isError = false) {
  const box = $(id);
  box.hidden = !text;
  box.textContent = text || "";
  box.classList.toggle("error", isError);
  box.setAttribute("role", isError ? "alert" : "status");
}

// A button that shows and hides the element it controls; the hidden content still prints (style.css).
export function disclosure(label, content, {cls = "link", expanded = false} = {}) {
  const id = `reveal-${Math.random().toString(36).slice(2, 10)}`;
  content.id = id;
  content.classList.add("reveal");
  content.hidden = !expanded;
  const button = el("button", {type: "button", class: `${cls} disclose`, "aria-expanded": String(expanded),
                               "aria-controls": id}, label);
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    content.hidden = !open;
  });
  return button;
}

// Offer text as a file: a Blob and a temporary link, nothing sent anywhere.
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const link = el("a", {href: url, download: filename, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Copy to the clipboard; where the Clipboard API is refused (an insecure origin, no permission), select the
// text of a field so the reader can copy it by hand. Says what happened in `status`.
export async function copyText(text, status, field = null) {
  let done = false;
  try {
    await navigator.clipboard.writeText(text);
    done = true;
  } catch {
    if (field) {
      field.focus();
      field.select();
      try { done = document.execCommand("copy"); } catch { done = false; }
    }
  }
  if (status) {
    status.textContent = done ? "Copied" : "Selected: press Ctrl+C to copy";
    setTimeout(() => { status.textContent = ""; }, 4000);
  }
  return done;
}

export const today = () => new Date().toISOString().slice(0, 10);

export function plural(n, word, many = `${word}s`) {
  return `${n} ${n === 1 ? word : many}`;
}
