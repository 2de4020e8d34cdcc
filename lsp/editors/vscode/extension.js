// The rulec extension: starts `rulec-lsp` for `.rule` files. Everything the editor shows
// beyond highlighting (diagnostics, hover, completion, signature help, definitions, rename,
// formatting) comes from the language server, so this file only starts, restarts and stops it.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** The server command from the settings, with `~` expanded. */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration("rulec").get("server.path") || "rulec-lsp";
  return configured.replace(/^~(?=$|[\\/])/, require("os").homedir());
}

async function start() {
  const command = serverCommand();
  client = new LanguageClient(
    "rulec",
    "rulec",
    { command },
    {
      documentSelector: [
        { scheme: "file", language: "rule" },
        { scheme: "untitled", language: "rule" },
      ],
    },
  );
  try {
    await client.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const choice = await vscode.window.showErrorMessage(
      `rulec: could not start the language server \`${command}\`: ${message}. ` +
        "Install it with `cargo install --path lsp` in a rulec checkout, or set `rulec.server.path`.",
      "Open settings",
    );
    if (choice === "Open settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "rulec.server.path");
    }
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running && running.isRunning()) {
    await running.stop();
  }
}

async function restart() {
  await stop();
  await start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("rulec.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("rulec.server.path")) {
        return restart();
      }
      return undefined;
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
