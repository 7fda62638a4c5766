// Browser test of the built-in theme on phones (issue 22), driving headless Chromium over the
// DevTools protocol. Dependency-free: needs Node 20 run with `--experimental-websocket`.
//
//   node --experimental-websocket tests/browser/theme.mjs QUIRE_BINARY FIXTURE_DIR [CHROMIUM]
//
// It serves the fixture with `quire serve --port 0`, opens its post at every phone width from
// 320 to 430 px, light and dark, and measures the page:
//   1. code in a table is never broken inside a word;
//   2. "N min read" stays on one line, never leaving a lone word on the next;
//   3. a hyphenated word of the title is never broken at its hyphen;
//   4. the site title's focus ring keeps clear of the text;
//   5. task-list boxes stand out from the page, and done and open ones differ.
// Prints one line per check and `N passed, M failed`; exits non-zero on any failure.

import { spawn } from "node:child_process";

import { browserTest, DevTools, firstLine, startChromium } from "./devtools.mjs";

const { quire, chromium, work, site, children, check, finish } = browserTest("theme.mjs", "quire-theme-");
const server = spawn(quire, ["--root", site, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
children.push(server);
server.stderr.on("data", (chunk) => process.stderr.write(`[quire] ${chunk}`));
const [, url] = await firstLine(server.stdout, /serving the site at (http:\/\/\S+)/, "server URL");
const chrome = await startChromium(chromium, work);
children.push(chrome.browser);
const devtools = await DevTools.connect(chrome.url);

async function show(width, scheme) {
  await devtools.send("Emulation.setDeviceMetricsOverride",
    { width, height: 844, deviceScaleFactor: 1, mobile: true }, devtools.session);
  await devtools.send("Emulation.setEmulatedMedia",
    { features: [{ name: "prefers-color-scheme", value: scheme }] }, devtools.session);
}

// How many lines the first match of `pattern` inside `selector`'s text spans.
const linesOf = (selector, pattern) => `(() => {
  const root = document.querySelector(${JSON.stringify(selector)});
  if (!root) return "no " + ${JSON.stringify(selector)};
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let text = "", nodes = [];
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  const match = new RegExp(${JSON.stringify(pattern)}).exec(text);
  if (!match) return "no match in " + JSON.stringify(text);
  const at = (offset) => {
    for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
  };
  const range = document.createRange();
  range.setStart(...at(match.index));
  range.setEnd(...at(match.index + match[0].length - 1));
  range.setEnd(range.endContainer, range.endOffset + 1);
  const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
  return tops.size;
})()`;

await devtools.navigate(`${url}blog/to-do/`);
await devtools.waitFor("document.readyState", (v) => v === "complete", "the post loads");

const widths = [];
for (let width = 320; width <= 430; width += 5) widths.push(width);

for (const [name, selector, pattern] of [
  ["code in a table is never broken inside a word", "tbody", "copy\\.deepcopy\\(x\\)"],
  ["the reading time stays on one line", ".post-meta", "\\d+ min read"],
  ["a hyphenated word of the title is not broken at its hyphen", "h1", "to-do"],
  ["another hyphenated word of the title is not broken at its hyphen", "h1", "command-line"],
]) {
  await check(name, async () => {
    const broken = [];
    for (const width of widths) {
      await show(width, "light");
      const lines = await devtools.evaluate(linesOf(selector, pattern));
      if (lines !== 1) broken.push(`${width}px: ${lines}`);
    }
    if (broken.length > 0) throw new Error(`\`${pattern}\` spans several lines at ${broken.join(", ")}`);
  });
}

await check("the site title's focus ring keeps clear of the text", async () => {
  await show(390, "light");
  await devtools.evaluate("document.activeElement && document.activeElement.blur()");
  // Tab from the top of the page: the skip link, then the site title.
  for (let i = 0; i < 2; i++) {
    for (const type of ["keyDown", "keyUp"]) {
      await devtools.send("Input.dispatchKeyEvent", { type, key: "Tab", code: "Tab", windowsVirtualKeyCode: 9 }, devtools.session);
    }
  }
  const gap = await devtools.evaluate(`(() => {
    const title = document.activeElement;
    if (!title || !title.matches(".site-title")) return "focus is on " + (title && title.outerHTML.slice(0, 60));
    const style = getComputedStyle(title);
    if (style.outlineStyle === "none") return "no focus ring";
    const range = document.createRange();
    range.selectNodeContents(title);
    const text = range.getBoundingClientRect(), box = title.getBoundingClientRect();
    return Math.min(text.left - box.left, box.right - text.right) + parseFloat(style.outlineOffset);
  })()`);
  if (typeof gap !== "number" || gap < 6) throw new Error(`the ring is ${JSON.stringify(gap)}px from the text`);
});

for (const scheme of ["light", "dark"]) {
  await check(`task-list boxes stand out, done and open ones differ (${scheme})`, async () => {
    await show(390, scheme);
    const boxes = await devtools.evaluate(`(() => {
      const rgba = (c) => { const v = (c.match(/[\\d.]+/g) || []).map(Number); return v.length === 3 ? [...v, 1] : v; };
      const luminance = ([r, g, b]) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const contrast = (a, b) => { const [x, y] = [luminance(rgba(a)), luminance(rgba(b))]; return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
      const page = getComputedStyle(document.body).backgroundColor;
      const look = (box) => {
        const s = getComputedStyle(box);
        const fill = rgba(s.backgroundColor)[3] > 0.5 ? s.backgroundColor : page;
        return { appearance: s.appearance, fill, image: s.backgroundImage, edge: contrast(s.borderTopColor, page),
          fillContrast: contrast(fill, page), width: s.borderTopWidth };
      };
      const done = document.querySelector("input[type=checkbox][checked]");
      const open = document.querySelector("input[type=checkbox]:not([checked])");
      return done && open ? { done: look(done), open: look(open) } : null;
    })()`);
    if (!boxes) throw new Error("no task list");
    const { done, open } = boxes;
    if (open.appearance !== "none" || parseFloat(open.width) < 1.5 || open.edge < 3) {
      throw new Error(`an open box is faint: ${JSON.stringify(open)}`);
    }
    if (done.fillContrast < 3 || done.image === "none" || done.fill === open.fill) {
      throw new Error(`a done box looks like an open one: ${JSON.stringify(boxes)}`);
    }
  });
}

await devtools.send("Browser.close").catch(() => {});
server.kill("SIGINT");
finish();
