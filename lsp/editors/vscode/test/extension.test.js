// extension.js against a fake VS Code API and a fake language client, with Node's own test
// runner (`node --test test/`, no npm install needed): run by `cargo test -p rulec-lsp`.
"use strict";

const assert = require("node:assert/strict");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const { test, beforeEach } = require("node:test");

/** What the fakes saw, reset before each test. */
let seen;
/** The settings and behaviour the next test wants. */
let setup;

class FakeClient {
  constructor(id, name, serverOptions, clientOptions) {
    this.args = { id, name, serverOptions, clientOptions };
    this.running = false;
    seen.clients.push(this);
  }
  async start() {
    if (setup.startFails) {
      throw new Error("spawn rulec-lsp ENOENT");
    }
    this.running = true;
  }
  isRunning() {
    return this.running;
  }
  async stop() {
    this.running = false;
    seen.stopped.push(this);
  }
}

const fakeVscode = {
  workspace: {
    getConfiguration: (section) => ({
      get: (key) => setup.settings[`${section}.${key}`],
    }),
    onDidChangeConfiguration: (listener) => {
      seen.configListeners.push(listener);
      return { dispose() {} };
    },
  },
  commands: {
    registerCommand: (name, callback) => {
      seen.commands.set(name, callback);
      return { dispose() {} };
    },
    executeCommand: async (...args) => {
      seen.executed.push(args);
    },
  },
  window: {
    showErrorMessage: async (message, ...actions) => {
      seen.errors.push({ message, actions });
      return setup.errorChoice;
    },
  },
};

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === "vscode") {
    return fakeVscode;
  }
  if (request === "vscode-languageclient/node") {
    return { LanguageClient: FakeClient };
  }
  return originalLoad.call(this, request, parent, isMain);
};

const extension = require(path.join(__dirname, "..", "extension.js"));

beforeEach(async () => {
  // Stop whatever the previous test left running, then start clean.
  setup = { settings: {}, startFails: false, errorChoice: undefined };
  seen = { clients: [], stopped: [], commands: new Map(), configListeners: [], errors: [], executed: [] };
  await extension.deactivate();
  seen.stopped = [];
});

test("activation starts rulec-lsp for .rule documents", async () => {
  await extension.activate({ subscriptions: [] });
  assert.equal(seen.clients.length, 1);
  const { id, serverOptions, clientOptions } = seen.clients[0].args;
  assert.equal(id, "rulec", "the id `rulec.trace.server` is read under");
  assert.deepEqual(serverOptions, { command: "rulec-lsp" });
  assert.deepEqual(
    clientOptions.documentSelector.map((s) => s.language),
    ["rule", "rule"],
  );
  assert.ok(seen.clients[0].isRunning());
  assert.ok(seen.commands.has("rulec.restartServer"));
});

test("the server path setting is used, with ~ expanded", async () => {
  setup.settings["rulec.server.path"] = "~/bin/rulec-lsp";
  await extension.activate({ subscriptions: [] });
  assert.equal(seen.clients[0].args.serverOptions.command, path.join(os.homedir(), "bin/rulec-lsp"));
});

test("a server that cannot start is reported with a way to fix it", async () => {
  setup.startFails = true;
  setup.errorChoice = "Open settings";
  await extension.activate({ subscriptions: [] });
  assert.equal(seen.errors.length, 1);
  assert.match(seen.errors[0].message, /could not start the language server `rulec-lsp`: spawn rulec-lsp ENOENT/);
  assert.match(seen.errors[0].message, /rulec\.server\.path/);
  assert.deepEqual(seen.executed, [["workbench.action.openSettings", "rulec.server.path"]]);
});

test("changing the server path restarts the server; other settings do not", async () => {
  await extension.activate({ subscriptions: [] });
  const [listener] = seen.configListeners;
  await listener({ affectsConfiguration: (key) => key === "editor.tabSize" });
  assert.equal(seen.clients.length, 1);
  setup.settings["rulec.server.path"] = "/opt/rulec-lsp";
  await listener({ affectsConfiguration: (key) => key === "rulec.server.path" });
  assert.equal(seen.clients.length, 2);
  assert.deepEqual(seen.stopped, [seen.clients[0]]);
  assert.equal(seen.clients[1].args.serverOptions.command, "/opt/rulec-lsp");
});

test("the restart command and deactivation stop the running server", async () => {
  await extension.activate({ subscriptions: [] });
  await seen.commands.get("rulec.restartServer")();
  assert.equal(seen.clients.length, 2);
  await extension.deactivate();
  assert.deepEqual(seen.stopped, [seen.clients[0], seen.clients[1]]);
});
