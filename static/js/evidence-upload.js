/* Evidence uploads, without a framework and without inline script (the CSP may forbid it).
 *
 * - form[data-dropzone]: files dropped on it or chosen with its button are sent one request per
 *   file (field "file", plus "comment"), one after the other, each with its own <progress>.
 *   When all are done the page reloads, or, inside a fragment, the fragment reloads.
 * - [data-fragment]: its content is fetched from that address and put in place.
 *
 * Every string shown comes from the templates' data-msg-* attributes, already translated.
 * Without script the drop zone is an ordinary multipart form.
 */
"use strict";

(function () {
  const RELOAD_DELAY_MS = 400; // long enough to see every bar full before the page changes

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Load the page again with a GET, even if it was the answer to a POST. */
  function reloadPage() {
    const url = new URL(window.location.href);
    url.hash = "";
    window.location.assign(url.href);
  }

  function hasFiles(event) {
    return Boolean(event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files"));
  }

  /* One row per file: name, progress bar, what happened. */
  function addRow(list, file, waiting) {
    const row = el("li", "upload");
    row.dataset.state = "waiting";
    const name = el("span", "upload-name", file.name);
    const bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    const state = el("span", "upload-state", waiting);
    row.append(name, bar, state);
    list.append(row);
    return { row, bar, state };
  }

  function finishRow(view, ok, text, link) {
    view.row.dataset.state = ok ? "done" : "failed";
    if (ok) view.bar.value = view.bar.max;
    view.state.textContent = text;
    if (link) {
      view.state.append(" ");
      const a = el("a", "", link.label);
      a.href = link.href;
      view.state.append(a);
    }
  }

  /* Send one file; resolves with true when the server stored it, never rejects. */
  function send(zone, file, view) {
    const msg = zone.dataset;
    const body = new FormData();
    body.append("file", file, file.name);
    const comment = zone.querySelector("input[name=comment]");
    if (comment) body.append("comment", comment.value);
    const token = zone.querySelector("input[name=csrfmiddlewaretoken]");

    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", zone.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", token ? token.value : "");
      view.row.dataset.state = "sending";
      view.state.textContent = msg.msgSending;
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) {
          // The last percent waits for the server's answer: the file is checked there.
          view.bar.value = Math.min(99, Math.floor((event.loaded / event.total) * 100));
        }
      };
      xhr.upload.onload = () => {
        view.row.dataset.state = "checking";
        view.state.textContent = msg.msgChecking;
      };
      xhr.onload = () => {
        let answer = null;
        try {
          answer = JSON.parse(xhr.responseText);
        } catch (error) {
          answer = null; // not JSON: a proxy's error page, a login redirect...
        }
        if (xhr.status === 200 && answer && answer.ok) {
          const stored = (answer.versions || [answer])[0] || {};
          const text = format(msg.msgDone, { version: stored.version, title: stored.title });
          const link = stored.url && zone.closest("[data-fragment]")
            ? { href: stored.url, label: stored.title }
            : null;
          finishRow(view, true, text, link);
          resolve(true);
        } else {
          const error = answer && answer.error ? answer.error : format(msg.msgFailed, { status: xhr.status });
          finishRow(view, false, error);
          resolve(false);
        }
      };
      xhr.onerror = () => {
        finishRow(view, false, msg.msgNetwork);
        resolve(false);
      };
      xhr.onabort = xhr.onerror;
      xhr.send(body);
    });
  }

  function setUpDropZone(zone) {
    if (zone.dataset.ready) return;
    zone.dataset.ready = "true";
    const input = zone.querySelector("input[type=file]");
    const choose = zone.querySelector(".dropzone-choose");
    const list = zone.querySelector(".upload-list");
    // Scripted from here on: the button and the drop area replace the plain file field.
    zone.querySelector(".dropzone-prompt").hidden = false;
    zone.querySelector(".dropzone-fallback").hidden = true;
    zone.querySelector(".dropzone-submit").hidden = true;

    const queue = [];
    let running = false;
    let total = 0;
    let failed = 0;

    async function run() {
      running = true;
      zone.setAttribute("aria-busy", "true");
      while (queue.length) {
        const [file, view] = queue.shift();
        if (!(await send(zone, file, view))) failed += 1;
      }
      running = false;
      zone.removeAttribute("aria-busy");
      done(total, failed);
      total = 0;
      failed = 0;
    }

    function done(count, refused) {
      const fragment = zone.closest("[data-fragment]");
      if (fragment) {
        // The new items show in the reloaded fragment; this list of results stays.
        loadFragment(fragment, list);
      } else if (refused === 0) {
        window.setTimeout(reloadPage, RELOAD_DELAY_MS);
      } else {
        const summary = el("li", "upload-summary", format(zone.dataset.msgSummary, { failed: refused, total: count }));
        const again = el("button", "secondary", zone.dataset.msgRefresh);
        again.type = "button";
        again.addEventListener("click", reloadPage);
        summary.append(" ", again);
        list.append(summary);
      }
    }

    function start(files) {
      for (const file of files) {
        queue.push([file, addRow(list, file, zone.dataset.msgWaiting)]);
        total += 1;
      }
      if (!running && queue.length) run();
    }

    choose.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      const files = Array.from(input.files);
      input.value = ""; // the same file may be chosen again later
      start(files);
    });
    zone.addEventListener("submit", (event) => {
      event.preventDefault();
      start(Array.from(input.files));
      input.value = "";
    });
    zone.addEventListener("dragenter", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragover", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragleave", (event) => {
      if (!zone.contains(event.relatedTarget)) zone.classList.remove("is-dragover");
    });
    zone.addEventListener("drop", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      zone.classList.remove("is-dragover");
      start(Array.from(event.dataTransfer.files));
    });
  }

  function setUp(root) {
    root.querySelectorAll("form[data-dropzone]").forEach(setUpDropZone);
  }

  /* Fetch a fragment into its container. `results`, a list of upload rows, is carried over. */
  async function loadFragment(container, results) {
    const hadFocus = container.contains(document.activeElement);
    container.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(container.dataset.fragment, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok || response.redirected) throw new Error(String(response.status));
      container.innerHTML = await response.text();
    } catch (error) {
      container.removeAttribute("aria-busy");
      const problem = el("p", "bad fragment-error", container.dataset.fragmentError || String(error));
      container.prepend(problem);
      return;
    }
    container.removeAttribute("aria-busy");
    container.dataset.loaded = "true";
    if (results) {
      const list = container.querySelector(".upload-list");
      if (list) list.replaceWith(results);
    }
    setUp(container);
    if (hadFocus) {
      const choose = container.querySelector(".dropzone-choose");
      if (choose) choose.focus();
    }
  }

  // A file dropped beside a drop zone must not make the browser leave the page to open it.
  for (const type of ["dragover", "drop"]) {
    document.addEventListener(type, (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (hasFiles(event) && !(target && target.closest("form[data-dropzone]"))) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "none";
      }
    });
  }

  setUp(document);
  document.querySelectorAll("[data-fragment]").forEach((container) => loadFragment(container));
})();
