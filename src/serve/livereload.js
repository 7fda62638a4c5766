// Quire live reload: served only by `quire serve`, never part of a build.
// Listens to /__quire/livereload (Server-Sent Events). A change to stylesheets only swaps
// them in place; any other change reloads the page. A failed build shows its errors in an
// overlay, which the next good build removes. Reconnects when the server restarts.
(() => {
  "use strict";
  const OVERLAY_ID = "__quire_error_overlay";
  // The server that served this page: another one means the server restarted meanwhile.
  const server = document.currentScript ? document.currentScript.dataset.server : null;

  function connect() {
    const source = new EventSource("/__quire/livereload");
    source.addEventListener("hello", (event) => {
      const data = JSON.parse(event.data);
      if (server && data.server !== server) {
        // A new server process: the site may have changed while it was down.
        location.reload();
        return;
      }
      // Observable by tests and devtools: the page is listening.
      document.documentElement.dataset.quireLivereload = "connected";
      showErrors(data.error ? data.error.errors : null);
    });
    source.addEventListener("reload", (event) => {
      const data = JSON.parse(event.data);
      showErrors(null);
      if (data.css_only) {
        swapStylesheets(data.paths);
      } else if (data.paths.length > 0) {
        location.reload();
      }
    });
    source.addEventListener("failed", (event) => {
      showErrors(JSON.parse(event.data).errors);
    });
    source.onerror = () => {
      // The browser retries by itself while the connection can be retried; once it has
      // given up (the server answered with an error), start again a little later.
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 1000);
      }
    };
  }

  function outputPath(url) {
    let path = decodeURIComponent(new URL(url, location.href).pathname).replace(/^\/+/, "");
    if (path === "" || path.endsWith("/")) path += "index.html";
    return path;
  }

  function swapStylesheets(paths) {
    const changed = new Set(paths);
    for (const link of document.querySelectorAll('link[rel~="stylesheet"][href]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin || !changed.has(outputPath(url.href))) continue;
      url.searchParams.set("quire-reload", Date.now().toString());
      const fresh = link.cloneNode();
      fresh.href = url.href;
      // Keep the old sheet until the new one is in, so the page never shows unstyled.
      fresh.addEventListener("load", () => link.remove());
      fresh.addEventListener("error", () => link.remove());
      link.after(fresh);
    }
  }

  function showErrors(errors) {
    const old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
    if (!errors || errors.length === 0) return;
    // The overlay lives in a shadow root, so none of the site's selectors (`pre`, `h2`, `p`)
    // reach it, and its host resets every property, so nothing the site sets on `body` is
    // inherited either. Every colour is set here: readable on any site, light or dark.
    const host = document.createElement("div");
    host.id = OVERLAY_ID;
    host.style.cssText = "all: initial !important; display: block !important; position: fixed !important; " +
      "inset: 0 !important; z-index: 2147483647 !important;";
    const shadow = host.attachShadow({ mode: "open" });
    const overlay = element("div", {
      position: "absolute", inset: "0", overflow: "auto", boxSizing: "border-box",
      background: "#141414", color: "#eeeeee", padding: "2rem", textAlign: "left",
      fontFamily: MONOSPACE, fontSize: "14px", lineHeight: "1.5", fontWeight: "normal",
    });
    overlay.setAttribute("role", "alert");
    overlay.append(element("p", { color: "#b0b0b0", margin: "0 0 1rem" },
      "quire serve: the last change did not build. The page shows the last good build; " +
      "fix the error and save, and this goes away."));
    for (const error of errors) {
      const box = element("section", { margin: "0 0 2rem" });
      box.append(element("h2", {
        color: "#ff6b6b", fontFamily: "inherit", fontSize: "16px", lineHeight: "1.4", fontWeight: "bold",
        margin: "0",
      }, "error: " + error.message));
      if (error.file) {
        let where = error.file;
        if (error.line) where += ":" + error.line + (error.column ? ":" + error.column : "");
        box.append(element("p", { color: "#8ab4f8", margin: "0.25rem 0" }, "--> " + where));
      }
      if (error.lines && error.lines.length > 0) {
        const pre = element("pre", { ...PRE, background: "#000000", color: "#eeeeee", padding: "0.5rem" });
        for (const line of error.lines) {
          const row = element("div", line.failing ? { background: "#5c1f1f", color: "#ffffff" } : {},
            String(line.number).padStart(5) + " | " + line.text);
          pre.append(row);
        }
        box.append(pre);
      }
      if (error.detail) {
        box.append(element("pre", { ...PRE, whiteSpace: "pre-wrap", color: "#eeeeee" }, error.detail));
      }
      if (error.hint) box.append(element("p", { color: "#9ccc65", margin: "0" }, "hint: " + error.hint));
      overlay.append(box);
    }
    shadow.append(overlay);
    (document.body || document.documentElement).append(host);
  }

  const MONOSPACE = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
  // A `pre` keeps the overlay's font (a bare `monospace` family would shrink it) and margin.
  const PRE = { fontFamily: "inherit", fontSize: "inherit", lineHeight: "inherit", margin: "0.5rem 0",
    background: "transparent", overflowX: "auto" };

  function element(tag, style, text) {
    const node = document.createElement(tag);
    Object.assign(node.style, style);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  connect();
})();
