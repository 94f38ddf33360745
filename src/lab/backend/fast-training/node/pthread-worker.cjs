'use strict';
/*
 * Start-up script of one pthread worker of tfjs's threaded wasm build in Node (see wasm-threads-node.ts).
 *
 * tfjs hands Emscripten two blob: URLs, the pthread worker's code and the main script (the module factory as a
 * string), which Node's worker_threads cannot load (ERR_WORKER_PATH) and which would not evaluate here anyway (the
 * factory's text refers to names of tfjs's bundle). This worker runs the same worker code, read from tfjs's own
 * package, and answers the main script's import with tfjs's own CommonJS copy of the factory.
 */
const { workerData } = require('node:worker_threads');

// The worker code expects a CommonJS scope on the global object (it is meant to be evaluated, not required).
globalThis.require = require;
globalThis.__filename = __filename;
const { wasmWorkerContents } = require(workerData.workerCode);
// As tfjs does before turning the code into a blob: its text holds "\n" escapes that must stay escapes.
(0, eval)(wasmWorkerContents.replace(/\n/g, '\\n'));

const MAIN_SCRIPT = 'xray-lab:threaded-factory';
const importScripts = globalThis.importScripts;
globalThis.importScripts = (url) => {
  if (url === MAIN_SCRIPT) globalThis.WasmBackendModuleThreadedSimd = require(workerData.factory);
  else importScripts(url);
};
const onmessage = globalThis.onmessage;
globalThis.onmessage = (event) => {
  const data = event.data;
  if (data && data.cmd === 'load' && typeof data.urlOrBlob !== 'string') data.urlOrBlob = MAIN_SCRIPT;
  onmessage(event);
};
