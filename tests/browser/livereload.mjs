// Browser test of `quire serve`'s live reload, driving headless Chromium over the DevTools
// protocol. Dependency-free: needs Node 20 run with `--experimental-websocket`.
//
//   node --experimental-websocket tests/browser/livereload.mjs QUIRE_BINARY FIXTURE_DIR [CHROMIUM]
//
// It copies the fixture to a temp dir, starts `quire serve --port 0` on it, opens a post in
// Chromium, and checks, editing the files underneath:
//   1. a Markdown edit shows in the page without any manual reload;
//   2. a CSS edit changes the computed style without a page load;
//   3. a broken file shows the error overlay, and the next good save removes it; the overlay
//      stays readable (contrast, font) whatever the site's stylesheet says, light or dark;
//   4. after the server restarts, the page reconnects and follows edits again.
// Every wait polls with a deadline; nothing sleeps a fixed time. Prints one line per check
// and `N passed, M failed`; exits non-zero on any failure.

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { browserTest, DevTools, firstLine, startChromium } from "./devtools.mjs";

const { quire, chromium, work, site, children, check, finish } = browserTest("livereload.mjs", "quire-browser-");
async function startServer(port) {
  const server = spawn(quire, ["--root", site, "serve", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(server);
  server.stderr.on("data", (chunk) => process.stderr.write(`[quire] ${chunk}`));
  const match = await firstLine(server.stdout, /serving the site at (http:\/\/\S+)/, "server URL");
  if (port !== 0 && new URL(match[1]).port !== String(port)) {
    throw new Error(`asked for port ${port}, got ${match[1]}: another program took it meanwhile`);
  }
  return { server, url: match[1] };
}

async function stopServer(server) {
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGINT");
  await exited;
}

function write(relative, text) {
  fs.writeFileSync(path.join(site, relative), text);
}

const post = (body) => `---\ntitle: First post\ndate: 2024-01-10\ntags: [rust]\n---\n\n${body}\n`;
const connected = "document.documentElement.dataset.quireLivereload";
const content = "(document.querySelector('#content') || {}).textContent";
const h1Color = "getComputedStyle(document.querySelector('h1')).color";
const overlay = "(() => { const host = document.getElementById('__quire_error_overlay'); " +
  "return host ? (host.shadowRoot || host).textContent : ''; })()";
// Every element of the overlay that holds text: its text, the WCAG contrast ratio of its
// colour on the first opaque background behind it (white if none), its font size and weight.
const overlayText = `(() => {
  const host = document.getElementById('__quire_error_overlay');
  const root = host && (host.shadowRoot || host);
  if (!root) return null;
  const rgba = (c) => { const v = c.match(/[\\d.]+/g).map(Number); return v.length === 3 ? [...v, 1] : v; };
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const backdrop = (node) => {
    for (let e = node; e; e = e.parentElement || (e.getRootNode().host || null)) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.9) return c;
    }
    return [255, 255, 255, 1];
  };
  return [...root.querySelectorAll('*')]
    .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
    .map((e) => {
      const style = getComputedStyle(e);
      const [a, b] = [luminance(rgba(style.color)), luminance(backdrop(e))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      return { tag: e.tagName, text: e.textContent.slice(0, 40), ratio, size: style.fontSize, weight: style.fontWeight };
    });
})()`;
// A stylesheet like a real theme's: light code blocks, big light headings, pale text.
const hostileCss = `h1 { color: rgb(0, 0, 0); }
body { color: #fafafa; font: 30px/3 serif; text-align: center; }
pre { background: #f6f8fa; color: #f0f0f0; padding: 3rem; }
h2 { font-size: 40px; font-weight: 100; color: #ffffff; }
p, section, div { color: #fdfdfd; background: transparent; }
@media (prefers-color-scheme: dark) { pre { background: #fff; } }
`;

let { server, url } = await startServer(0);
const port = new URL(url).port;
const chrome = await startChromium(chromium, work);
children.push(chrome.browser);
const devtools = await DevTools.connect(chrome.url);
await devtools.navigate(`${url}blog/first/`);
await devtools.waitFor(connected, (v) => v === "connected", "live reload connects");

await check("a Markdown edit shows in the page without a manual reload", async () => {
  write("content/blog/first.md", post("Edited in the browser test."));
  await devtools.waitFor(content, (v) => typeof v === "string" && v.includes("Edited in the browser test."), "new text");
  await devtools.waitFor(connected, (v) => v === "connected", "live reload reconnects after the reload");
});

await check("a CSS edit changes the computed style without a page load", async () => {
  await devtools.evaluate("window.__quireSamePage = true");
  const loadsBefore = devtools.loads;
  const before = await devtools.evaluate(h1Color);
  if (before !== "rgb(0, 0, 0)") throw new Error(`h1 starts as ${before}`);
  write("static/css/site.css", "h1 { color: rgb(200, 0, 0); }\n");
  await devtools.waitFor(h1Color, (v) => v === "rgb(200, 0, 0)", "new h1 colour");
  if ((await devtools.evaluate("window.__quireSamePage")) !== true) throw new Error("the page was reloaded");
  if (devtools.loads !== loadsBefore) throw new Error("a load event fired");
});

await check("a broken file shows the error overlay and the next good save clears it", async () => {
  write("static/css/site.css", hostileCss);
  await devtools.waitFor("getComputedStyle(document.body).fontSize", (v) => v === "30px", "the site's CSS");
  write("content/blog/first.md", "---\ntitle: [unclosed\n---\n\nBroken.\n");
  const text = await devtools.waitFor(overlay, (v) => v.includes("content/blog/first.md"), "overlay");
  if (!text.includes("title: [unclosed")) throw new Error(`the overlay misses the source line: ${text}`);
  // Issue 22: readable on a light theme and a dark one (WCAG AA: 4.5:1), at its own font.
  for (const scheme of ["light", "dark"]) {
    await devtools.send("Emulation.setEmulatedMedia",
      { features: [{ name: "prefers-color-scheme", value: scheme }] }, devtools.session);
    const texts = await devtools.evaluate(overlayText);
    if (!Array.isArray(texts) || texts.length < 4) throw new Error(`no overlay text: ${JSON.stringify(texts)}`);
    const faint = texts.filter((t) => t.ratio < 4.5);
    if (faint.length > 0) throw new Error(`unreadable in ${scheme} mode: ${JSON.stringify(faint)}`);
    const wrongSize = texts.filter((t) => t.size !== (t.tag === "H2" ? "16px" : "14px"));
    if (wrongSize.length > 0) throw new Error(`the site's fonts leak in: ${JSON.stringify(wrongSize)}`);
    const heading = texts.find((t) => t.tag === "H2");
    if (!heading || heading.weight !== "700") throw new Error(`the heading is not bold: ${JSON.stringify(heading)}`);
  }
  await devtools.send("Emulation.setEmulatedMedia", { features: [] }, devtools.session);
  write("content/blog/first.md", post("Fixed after the error."));
  await devtools.waitFor(content, (v) => typeof v === "string" && v.includes("Fixed after the error."), "fixed text");
  await devtools.waitFor(overlay, (v) => v === "", "overlay removed");
});

await check("the page reconnects after the server restarts", async () => {
  await stopServer(server);
  write("content/blog/first.md", post("Written while the server was down."));
  ({ server } = await startServer(port));
  await devtools.waitFor(content, (v) => typeof v === "string" && v.includes("while the server was down"), "reload after restart");
  await devtools.waitFor(connected, (v) => v === "connected", "connected to the new server");
  write("content/blog/first.md", post("Edited after the restart."));
  await devtools.waitFor(content, (v) => typeof v === "string" && v.includes("Edited after the restart."), "edit after restart");
});

await devtools.send("Browser.close").catch(() => {});
await stopServer(server);
finish();
