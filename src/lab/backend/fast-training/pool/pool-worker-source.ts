/**
 * The source of one kernel-pool worker, as text: it imports nothing, so the same code starts as a Node
 * worker_threads worker (eval) and as a browser Worker (from a blob: URL), under any bundler or minifier.
 *
 * The worker gets the shared control array and the wasm memory once (and counts itself in READY), then compiled
 * modules by id as the main thread first uses them. It waits (Atomics.waitAsync, so messages still arrive) for the
 * job sequence number to change, then claims chunks of the job one at a time by compare-and-swap on the claim word
 * (job tag << CHUNK_BITS | next chunk) and calls the job's export (by its index in WebAssembly.Module.exports) with
 * base + chunk·stride for every argument.
 *
 * A worker may wake so late that its job is over and the next one is being written. So it reads the parameters
 * first and trusts them only once the claim word shows its job still open: the main thread closes the word
 * (chunk CLOSED) before it writes a new job's parameters, and opens it under the new tag after.
 * A worker that lacks the job's module yet simply takes no chunks: the main thread does them. A chunk that throws
 * still counts as done and sets FAILED, which the main thread turns into an error (rather than waiting forever).
 */
export const CONTROL = {
  SEQ: 0,
  CLAIM: 1,
  DONE: 2,
  TOTAL: 3,
  MODULE: 4,
  EXPORT: 5,
  NARGS: 6,
  READY: 7,
  FAILED: 8,
  ARGS: 9,
} as const;

/**
 * The claim word: the job's tag (its sequence number, 21 bits) above the next chunk (10 bits). Few chunk bits leave
 * many tag bits: a worker stalled between reading a job and claiming in it would have to sleep through 2 million
 * jobs to meet its tag again. Kernels cut their work into 8 chunks at most.
 */
export const CHUNK_BITS = 10;
export const TAG_MASK = 0x1fffff;
/** The claim word's chunk while a job's parameters are written: above every job's chunk count. */
export const CLOSED = (1 << CHUNK_BITS) - 1;

/** Largest argument count of a pooled kernel (base and stride per argument follow ARGS). */
export const MAX_ARGS = 12;

export const POOL_WORKER_SOURCE = `
(function () {
  var SEQ = ${CONTROL.SEQ}, CLAIM = ${CONTROL.CLAIM}, DONE = ${CONTROL.DONE}, TOTAL = ${CONTROL.TOTAL};
  var MODULE = ${CONTROL.MODULE}, EXPORT = ${CONTROL.EXPORT}, NARGS = ${CONTROL.NARGS}, READY = ${CONTROL.READY};
  var FAILED = ${CONTROL.FAILED}, ARGS = ${CONTROL.ARGS};
  var CHUNK_BITS = ${CHUNK_BITS}, CHUNK_MASK = ${CLOSED}, TAG_MASK = ${TAG_MASK};
  var isNode = typeof process === 'object' && process.versions != null && process.versions.node != null;
  var port = isNode ? require('node:worker_threads').parentPort : self;
  var ctrl = null, memory = null;
  var modules = new Map(), instances = new Map();
  function onMessage(msg) {
    if (msg.type === 'init') {
      ctrl = new Int32Array(msg.control);
      memory = msg.memory;
      Atomics.add(ctrl, READY, 1);
      wait(Atomics.load(ctrl, SEQ));
    } else if (msg.type === 'module') {
      modules.set(msg.id, msg.module);
    }
  }
  if (isNode) port.on('message', onMessage);
  else self.onmessage = function (e) { onMessage(e.data); };
  function wait(seen) {
    var r = Atomics.waitAsync(ctrl, SEQ, seen);
    // A worker that cannot run a job (its module failed to instantiate here) leaves the chunks to the others.
    var next = function () { var seq = Atomics.load(ctrl, SEQ); try { work(seq); } catch (e) {} wait(seq); };
    if (r.async) r.value.then(next); else next();
  }
  function runOf(id, index) {
    var module = modules.get(id);
    if (module == null) return null;
    var exports = instances.get(id);
    if (exports == null) {
      exports = new WebAssembly.Instance(module, { env: { memory: memory } }).exports;
      instances.set(id, exports);
    }
    var names = WebAssembly.Module.exports(module);
    return index < names.length ? exports[names[index].name] : null;
  }
  function work(seq) {
    // Parameters first; they are this job's only if the claim word, read after them, shows the job still open.
    var id = Atomics.load(ctrl, MODULE), index = Atomics.load(ctrl, EXPORT);
    var n = Atomics.load(ctrl, NARGS), total = Atomics.load(ctrl, TOTAL), tag = seq & TAG_MASK;
    var base = [], stride = [], args = new Array(n), run = null;
    for (var i = 0; i < n; i++) { base.push(Atomics.load(ctrl, ARGS + 2 * i)); stride.push(Atomics.load(ctrl, ARGS + 2 * i + 1)); }
    for (;;) {
      var w = Atomics.load(ctrl, CLAIM);
      if ((w >>> CHUNK_BITS) !== tag) return;
      var c = w & CHUNK_MASK;
      if (c >= total) return;
      if (run == null && (run = runOf(id, index)) == null) return;
      if (Atomics.compareExchange(ctrl, CLAIM, w, w + 1) !== w) continue;
      for (var k = 0; k < n; k++) args[k] = (base[k] + c * stride[k]) | 0;
      try {
        run.apply(null, args);
      } catch (e) {
        Atomics.store(ctrl, FAILED, 1);
      }
      Atomics.add(ctrl, DONE, 1);
      Atomics.notify(ctrl, DONE);
    }
  }
})();
`;
