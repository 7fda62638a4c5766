// A small DevTools-protocol client for headless Chromium, shared by the browser test
// (tests/browser/livereload.mjs) and the latency benchmark (scripts/bench-serve-latency.mjs).
// Dependency-free: Node 20 run with `--experimental-websocket`.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

/** How long any wait may take. */
export const DEADLINE_MS = 30_000;

/** Resolves with the first line of `stream` that `pattern` matches (its match). */
export function firstLine(stream, pattern, what) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const timer = setTimeout(() => reject(new Error(`no ${what} within the deadline; saw:\n${seen.join("\n")}`)), DEADLINE_MS);
    const lines = readline.createInterface({ input: stream });
    lines.on("line", (line) => {
      seen.push(line);
      const match = line.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

/**
 * Starts headless Chromium with a fresh profile under `workDir`; resolves with the browser
 * process and its DevTools URL.
 */
export async function startChromium(chromium, workDir) {
  const profile = fs.mkdtempSync(path.join(workDir, "chromium-profile-"));
  const browser = spawn(chromium, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    `--user-data-dir=${profile}`, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
    "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const match = await firstLine(browser.stderr, /DevTools listening on (ws:\/\/\S+)/, "DevTools URL");
  return { browser, url: match[1] };
}

/** A DevTools protocol connection, with one page session attached. */
export class DevTools {
  /** Connects to the browser at `url` and opens a new page (tab) in it. */
  static async connect(url) {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    return DevTools.page(new DevTools(socket));
  }

  /** Another page (tab) in the same browser. */
  async newPage() {
    return DevTools.page(new DevTools(this.socket, this));
  }

  static async page(devtools) {
    const { targetId } = await devtools.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await devtools.send("Target.attachToTarget", { targetId, flatten: true });
    devtools.session = sessionId;
    await devtools.send("Page.enable", {}, sessionId);
    await devtools.send("Runtime.enable", {}, sessionId);
    return devtools;
  }

  constructor(socket, shared = null) {
    this.socket = socket;
    this.loads = 0;
    // Pages of one browser share the socket, its message ids and its reply table.
    this.link = shared ? shared.link : { next: 1, pending: new Map(), pages: [] };
    this.link.pages.push(this);
    if (!shared) {
      socket.onmessage = (message) => {
        const data = JSON.parse(message.data);
        const { pending, pages } = this.link;
        if (data.id && pending.has(data.id)) {
          const { resolve, reject } = pending.get(data.id);
          pending.delete(data.id);
          if (data.error) reject(new Error(JSON.stringify(data.error)));
          else resolve(data.result);
        } else if (data.method === "Page.loadEventFired") {
          const page = pages.find((p) => p.session === data.sessionId);
          if (page) page.loads += 1;
        }
      };
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.link.next++;
    this.socket.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise((resolve, reject) => this.link.pending.set(id, { resolve, reject }));
  }

  /** Evaluates `expression` in the page; its value, or undefined while the page loads. */
  async evaluate(expression) {
    try {
      const { result, exceptionDetails } = await this.send(
        "Runtime.evaluate", { expression, returnByValue: true }, this.session);
      return exceptionDetails ? undefined : result.value;
    } catch {
      return undefined;
    }
  }

  /** Polls `expression` until `accept` holds for its value; returns the value. */
  async waitFor(expression, accept, what, deadlineMs = DEADLINE_MS) {
    const end = Date.now() + deadlineMs;
    let value;
    while (Date.now() < end) {
      value = await this.evaluate(expression);
      if (accept(value)) return value;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`${what}: gave up waiting; last value: ${JSON.stringify(value)}`);
  }

  navigate(url) {
    return this.send("Page.navigate", { url }, this.session);
  }
}

// What every browser test script starts with: its arguments (`QUIRE_BINARY FIXTURE_DIR
// [CHROMIUM]`), a temp copy of the fixture, the child processes to kill on exit, and named
// checks counted for the closing `N passed, M failed` line (`finish`).
export function browserTest(script, prefix) {
  const [quire, fixture, chromiumArg] = process.argv.slice(2);
  if (!quire || !fixture) {
    console.error(`usage: ${script} QUIRE_BINARY FIXTURE_DIR [CHROMIUM]`);
    process.exit(2);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const site = path.join(work, "site");
  fs.cpSync(fixture, site, { recursive: true });
  const children = [];
  let passed = 0;
  let failed = 0;
  process.on("exit", () => {
    for (const child of children) {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    try {
      fs.rmSync(work, { recursive: true, force: true });
    } catch {
      // Chromium, just killed, may still be writing its profile: a stray temp folder is harmless.
    }
  });
  return {
    quire,
    chromium: chromiumArg || process.env.QUIRE_CHROMIUM || "chromium",
    work,
    site,
    children,
    async check(name, body) {
      try {
        await body();
        passed += 1;
        console.log(`ok: ${name}`);
      } catch (error) {
        failed += 1;
        console.log(`FAILED: ${name}\n  ${error.stack || error}`);
      }
    },
    finish() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
