// Save-to-browser latency of dev servers: edits a post's Markdown and times until the open
// page in headless Chromium shows the edit. Several servers are measured in one run, their
// edits interleaved so that a noisy machine hurts them alike. A benchmark, not a test.
//
//   node --experimental-websocket scripts/bench-serve-latency.mjs \
//     --chromium chromium --count 20 --edit append|replace NAME=URL=FILE [NAME=URL=FILE ...]
//
// URL is the post's page on that server, FILE its Markdown source. `append` adds a sentence at
// the end of the post (its word count changes); `replace` replaces the last word (the word
// count stays). The latency runs from just before the file is written until the page's text
// contains the new words, read with Runtime.evaluate in a tight loop. Files are restored at
// the end. Prints one line per edit and a JSON summary (median, mean, min, max in ms).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { DevTools, startChromium } from "../tests/browser/devtools.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  return value;
};
const chromium = option("--chromium", "chromium");
const count = Number(option("--count", "20"));
const mode = option("--edit", "append");
const settleMs = Number(option("--settle-ms", "400"));
const targets = args.map((spec) => {
  const [name, url, file] = spec.split("=");
  return { name, url, file, original: fs.readFileSync(file, "utf8"), latencies: [] };
});
if (targets.length === 0 || !["append", "replace"].includes(mode)) {
  console.error("usage: bench-serve-latency.mjs [--chromium C] [--count N] [--edit append|replace] NAME=URL=FILE ...");
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "quire-bench-"));
const chrome = await startChromium(chromium, work);
const cleanup = () => {
  for (const t of targets) fs.writeFileSync(t.file, t.original);
  chrome.browser.kill("SIGKILL");
  // Chromium may still be writing its profile for a moment after SIGKILL: retry, and never
  // let the cleanup turn a finished measurement into a crash.
  try {
    fs.rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (error) {
    console.error(`left ${work} behind: ${error.message}`);
  }
};
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

let devtools = null;
for (const target of targets) {
  target.page = devtools ? await devtools.newPage() : await DevTools.connect(chrome.url);
  devtools ??= target.page;
  await target.page.navigate(target.url);
  await target.page.waitFor("document.readyState", (v) => v === "complete", `${target.name} loads`);
}
// Let the servers' live-reload connections come up before the first edit.
await new Promise((resolve) => setTimeout(resolve, 1000));

function edited(text, marker) {
  if (mode === "append") return `${text.trimEnd()}\n\nLatency check ${marker}.\n`;
  // The last word of the text becomes the marker: same number of words.
  return text.replace(/[A-Za-z]+(?=[^A-Za-z]*$)/, marker);
}

for (let i = 0; i < count; i++) {
  for (const target of targets) {
    const marker = `qmark${i}x${Math.random().toString(36).slice(2, 8)}`;
    const text = edited(i === 0 ? target.original : fs.readFileSync(target.file, "utf8"), marker);
    const started = process.hrtime.bigint();
    fs.writeFileSync(target.file, text);
    await target.page.waitFor(
      "document.body ? document.body.innerText : ''",
      (v) => typeof v === "string" && v.includes(marker),
      `${target.name} shows edit ${i}`,
      60_000,
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    target.latencies.push(ms);
    console.log(`${target.name} edit ${i + 1}: ${ms.toFixed(1)} ms`);
    // Let the server finish whatever follows (other pages, reconnects) before the next edit.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }
}

const summary = {};
for (const { name, latencies } of targets) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (x) => Math.round(x * 10) / 10;
  summary[name] = {
    edits: sorted.length, mode, median_ms: round(median),
    mean_ms: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    min_ms: round(sorted[0]), max_ms: round(sorted[sorted.length - 1]),
  };
}
console.log(JSON.stringify(summary));
process.exit(0);
