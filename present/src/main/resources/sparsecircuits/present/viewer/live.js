var LIVE = (function () {
  var L = JSON.parse(document.getElementById('live').textContent);
  var api = {enabled: false, toggled: {}, toggle: function () {}};
  var st = $('live-status'), root = document.documentElement;
  if (!L.enabled) {
    st.textContent = 'live ablation is off: ' + (L.reason || 'no model embedded');
    root.setAttribute('data-live', 'off');
    window.liveReady = Promise.resolve(false);
    return api;
  }
  // Everything that computes, self-contained (it sees only its arguments), so that it runs in the page and, as
  // the source of a Web Worker, off the page's main thread: the model from the inflated blob, the forward pass,
  // the task loss, and the circuit baseline that toggles start from.
  function makeCore(L, buf) {
    var C = L.config, K = C.keep, P = {}, MEANS = {};
    // the arrays live in one zlib-compressed blob (ModelJs.Blob): typed arrays at byte offsets, floats byte-shuffled and
    // column indices as gaps within their row, undone here
    (function unpack() {
      function f32(r) {
        if (r.enc !== 'shuffle4') return new Float32Array(buf, r.at, r.n);
        var n = r.n, bytes = new Uint8Array(buf, r.at, 4 * n), out = new Uint8Array(4 * n);
        for (var k = 0; k < 4; k++) for (var i = 0, o = k * n; i < n; i++) out[4 * i + k] = bytes[o + i];
        return new Float32Array(out.buffer);
      }
      function i32(r) { return new Int32Array(buf, r.at, r.n); }
      function idx(r, ptr) {
        var v = i32(r);
        if (r.enc !== 'row_deltas') return v;
        var out = new Int32Array(v.length);
        for (var row = 0; row + 1 < ptr.length; row++) {
          for (var q = ptr[row]; q < ptr[row + 1]; q++) out[q] = q === ptr[row] ? v[q] : out[q - 1] + v[q];
        }
        return out;
      }
      Object.keys(L.params).forEach(function (k) {
        var t = L.params[k];
        if (t.dense != null) { P[k] = {shape: t.shape, dense: f32(t.dense)}; return; }
        var ptr = i32(t.ptr);
        P[k] = {shape: t.shape, ptr: ptr, idx: idx(t.idx, ptr), val: f32(t.val)};
      });
      Object.keys(L.means).forEach(function (k) { MEANS[k] = f32(L.means[k]); });
    })();
    var A = C.n_head * C.d_head, DH = C.d_head, V = C.vocab_size;
    function row(t, r) {
      var out = new Float64Array(t.shape[1]);
      for (var q = t.ptr[r]; q < t.ptr[r + 1]; q++) out[t.idx[q]] = t.val[q];
      return out;
    }
    function linear(x, w, b) {
      var o = w.shape[0], y = new Float64Array(o), p = w.ptr, ix = w.idx, v = w.val;
      for (var r = 0; r < o; r++) {
        var s = 0;
        for (var q = p[r]; q < p[r + 1]; q++) s += v[q] * x[ix[q]];
        y[r] = b ? s + b.dense[r] : s;
      }
      return y;
    }
    function rms(x, g) {
      var ss = 0, n = x.length, y = new Float64Array(n);
      for (var i = 0; i < n; i++) ss += x[i] * x[i];
      var rs = 1 / Math.sqrt(ss / n + C.rms_eps);
      for (var j = 0; j < n; j++) y[j] = x[j] * rs * g.dense[j];
      return y;
    }
    // AbsTopK: the keep largest |x|, ties to the lower channel. The threshold comes from a native numeric sort of |x|
    // (a comparator sort was half of a toggle's time).
    function topk(x, keep) {
      var n = x.length;
      if (keep >= n) return x;
      var a = new Float64Array(n);
      for (var i = 0; i < n; i++) a[i] = Math.abs(x[i]);
      a.sort();
      var t = a[n - keep], hi = n - 1;
      while (hi >= 0 && a[hi] > t) hi--;
      var ties = keep - (n - 1 - hi), y = new Float64Array(n);
      for (var j = 0; j < n; j++) {
        var ax = Math.abs(x[j]);
        if (ax > t) y[j] = x[j];
        else if (ax === t && ties > 0) { y[j] = x[j]; ties--; }
      }
      return y;
    }
    var GP = 0.3275911, A1 = 0.254829592, A2 = -0.284496736, A3 = 1.421413741, A4 = -1.453152027, A5 = 1.061405429;
    function gelu(x) { // x·Φ(x), Φ from Abramowitz & Stegun 7.1.26 as the Java kernel
      var y = new Float64Array(x.length);
      for (var i = 0; i < x.length; i++) {
        var az = Math.abs(x[i]) * Math.SQRT1_2, t = 1 / (1 + GP * az);
        var half = 0.5 * t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5)))) * Math.exp(-az * az);
        y[i] = x[i] * (x[i] < 0 ? half : 1 - half);
      }
      return y;
    }
    function hook(name, x, ab) {
      var m = ab[name];
      if (!m) return x;
      var mean = MEANS[name];
      for (var i = 0; i < m.length; i++) x[m[i]] = mean[m[i]];
      return x;
    }
    function add(x, y) { for (var i = 0; i < x.length; i++) x[i] += y[i]; }
    // start: {layer, xs} resumes at a block from saved residual streams; keep: an array that receives every block's
    // input streams (copies), so that a later call can start above the blocks it does not change
    function lastLogits(tokens, ab, start, keep) {
      var toks = tokens.length > C.block_size ? tokens.slice(tokens.length - C.block_size) : tokens, T = toks.length;
      var xs = start ? start.xs.map(function (x) { return Float64Array.from(x); }) : toks.map(function (tok, i) {
        var x = row(P['transformer.wte.weight'], tok);
        if (C.learned_positions) add(x, row(P['transformer.wpe.weight'], i));
        return x;
      });
      for (var l = start ? start.layer : 0; l < C.n_layer; l++) {
        if (keep) keep[l] = xs.map(function (x) { return Float64Array.from(x); });
        var pre = 'transformer.h.' + l + '.', at = l + '.';
        var qs = [], ks = [], vs = [];
        xs.forEach(function (x) {
          var hh = hook(at + 'attn.act_in', topk(rms(x, P[pre + 'ln_1.weight']), K.attn_in), ab);
          var qkv = linear(hh, P[pre + 'attn.c_attn.weight'], P[pre + 'attn.c_attn.bias']);
          qs.push(hook(at + 'attn.q', topk(qkv.slice(0, A), K.attn_q), ab));
          ks.push(hook(at + 'attn.k', topk(qkv.slice(A, 2 * A), K.attn_k), ab));
          vs.push(hook(at + 'attn.v', topk(qkv.slice(2 * A, 3 * A), K.attn_v), ab));
        });
        var sink = C.sink ? P[pre + 'attn.attn_imp.sink_logit'].dense : null, scale = 1 / Math.sqrt(DH);
        for (var i = 0; i < T; i++) {
          var y = new Float64Array(A);
          for (var hd = 0; hd < C.n_head; hd++) {
            var o = hd * DH, s = new Float64Array(i + 1), max = sink ? sink[hd] : -Infinity;
            for (var j = 0; j <= i; j++) {
              var dot = 0;
              for (var e = 0; e < DH; e++) dot += qs[i][o + e] * ks[j][o + e];
              s[j] = dot * scale;
              if (s[j] > max) max = s[j];
            }
            var sum = sink ? Math.exp(sink[hd] - max) : 0;
            for (var j2 = 0; j2 <= i; j2++) { s[j2] = Math.exp(s[j2] - max); sum += s[j2]; }
            for (var j3 = 0; j3 <= i; j3++) {
              var pr = s[j3] / sum;
              for (var e2 = 0; e2 < DH; e2++) y[o + e2] += pr * vs[j3][o + e2];
            }
          }
          var od = hook(at + 'attn.resid_delta', topk(linear(y, P[pre + 'attn.c_proj.weight'], P[pre + 'attn.c_proj.bias']), K.attn_out), ab);
          add(xs[i], od);
        }
        xs.forEach(function (x) {
          var hh = hook(at + 'mlp.act_in', topk(rms(x, P[pre + 'ln_2.weight']), K.mlp_in), ab);
          var n = hook(at + 'mlp.post_act', topk(gelu(linear(hh, P[pre + 'mlp.c_fc.weight'], P[pre + 'mlp.c_fc.bias'])), K.mlp_neuron), ab);
          add(x, hook(at + 'mlp.resid_delta', topk(linear(n, P[pre + 'mlp.c_proj.weight'], P[pre + 'mlp.c_proj.bias']), K.mlp_out), ab));
        });
      }
      var last = rms(xs[T - 1], P['transformer.ln_f.weight']);
      var logits = linear(last, P['lm_head.weight'], P.final_logits_bias);
      if (C.bigram_table) add(logits, row(P.bigram_table, toks[T - 1]));
      return logits;
    }
    function seqLoss(x, c, o) {
      if (c >= 0 && o >= 0) {
        var d = x[o] - x[c];
        return d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d));
      }
      var max = -Infinity, z = 0;
      for (var j = 0; j < x.length; j++) max = Math.max(max, x[j]);
      for (var j2 = 0; j2 < x.length; j2++) z += Math.exp(x[j2] - max);
      var lz = Math.log(z) + max;
      if (o < 0) return lz - x[c];
      return -Math.log1p(-Math.min(Math.exp(x[o] - lz), 1 - 1e-12));
    }
    // opts.keep: an array that receives each prompt's block inputs; opts.states + opts.from: start every prompt at block
    // opts.from from those saved inputs (valid when the ablations below that block are the ones they were saved under)
    function liveAblation(ablatedNodeIds, opts) {
      var ab = {};
      (ablatedNodeIds || []).forEach(function (id) {
        var i = id.lastIndexOf(':');
        (ab[id.slice(0, i)] = ab[id.slice(0, i)] || []).push(parseInt(id.slice(i + 1), 10));
      });
      var loss = 0, logitA = null, logitB = null;
      L.prompts.forEach(function (p, i) {
        var keep = opts && opts.keep ? (opts.keep[i] = []) : null;
        var start = opts && opts.states ? {layer: opts.from, xs: opts.states[i][opts.from]} : null;
        var x = lastLogits(p.tokens, ab, start, keep);
        loss += seqLoss(x, p.correct, p.other);
        if (i === 0) { logitA = p.correct >= 0 ? x[p.correct] : null; logitB = p.other >= 0 ? x[p.other] : null; }
      });
      return {loss: loss / L.prompts.length, logitA: logitA, logitB: logitB};
    }
    var base = null, states = [];
    // the circuit (outside ablated) plus extra ablated nodes; the blocks below the lowest extra node are the
    // circuit's own, so the pass starts there from the baseline's saved block inputs
    function withExtra(outside, extra) {
      if (!base) base = liveAblation(outside, {keep: states});
      var from = Math.min.apply(null, extra.map(function (x) { return parseInt(x, 10); }));
      return {r: extra.length ? liveAblation(outside.concat(extra), {states: states, from: from}) : base, base: base};
    }
    return {liveAblation: liveAblation, withExtra: withExtra};
  }
  function inflate(b64) {
    if (typeof DecompressionStream === 'undefined') return Promise.reject(new Error('this browser has no DecompressionStream'));
    var stream = new Blob([new Uint8Array(b64bytes(b64))]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer();
  }
  // the page's baseline is the circuit: every node outside it at its mean; toggling ablates circuit nodes too
  var C = L.config, inCircuit = {}, outside = [];
  nodes.forEach(function (n) { inCircuit[n.id] = 1; });
  for (var l = 0; l < C.n_layer; l++) {
    ROWS.forEach(function (loc) {
      var w = /attn\.[qkv]$/.test(loc) ? C.n_head * C.d_head : loc === 'mlp.post_act' ? C.d_mlp : C.d_model;
      for (var c = 0; c < w; c++) { var id = l + '.' + loc + ':' + c; if (!inCircuit[id]) outside.push(id); }
    });
  }
  var core = null, worker = null, seq = 0, waiting = {};
  function show(res, extra) {
    var r = res.r, base = res.base;
    $('live-loss').textContent = fmt(r.loss) + ' (circuit ' + fmt(base.loss) + ')';
    var p0 = L.prompts[0];
    $('live-logits').textContent = 'first prompt: logit[' + p0.correct + '] ' + fmt(r.logitA) + ', logit[' + p0.other + '] ' + fmt(r.logitB)
      + ' (circuit ' + fmt(base.logitA) + ', ' + fmt(base.logitB) + ')';
    st.textContent = extra.length + ' circuit node(s) ablated: ' + extra.join(', ');
  }
  function flip(id) {
    if (api.toggled[id]) delete api.toggled[id]; else api.toggled[id] = 1;
    return Object.keys(api.toggled);
  }
  // the inspector's button: computed in the Web Worker when there is one (the page stays responsive), else in the
  // page after a pause that lets it paint "computing..."; done() runs once the result is shown
  api.toggle = function (id, done) {
    var extra = flip(id), n = ++seq;
    st.textContent = 'computing the task loss...';
    if (worker) {
      waiting[n] = function (res) { if (n === seq) show(res, extra); if (done) done(); };
      worker.postMessage({n: n, extra: extra});
      return;
    }
    setTimeout(function () { var res = core.withExtra(outside, extra); if (n === seq) show(res, extra); if (done) done(); }, 16);
  };
  function startWorker(buf) {
    try {
      var code = 'var makeCore = ' + makeCore.toString() + ';\nvar core = null, outside = null;\n'
        + 'onmessage = function (e) { var m = e.data; if (m.init) { core = makeCore(m.L, m.buf); outside = m.outside; return; }'
        + ' postMessage({n: m.n, res: core.withExtra(outside, m.extra)}); };\n';
      var w = new Worker(URL.createObjectURL(new Blob([code], {type: 'text/javascript'})));
      var meta = {};
      Object.keys(L).forEach(function (k) { if (k !== 'blob') meta[k] = L[k]; });
      w.onmessage = function (e) { var f = waiting[e.data.n]; delete waiting[e.data.n]; if (f) f(e.data.res); };
      w.onerror = function (e) { // no worker after all: finish what it was asked in the page
        if (e && e.preventDefault) e.preventDefault();
        worker = null;
        root.setAttribute('data-live-worker', 'off');
        Object.keys(waiting).forEach(function (k) { var f = waiting[k]; delete waiting[k]; f(core.withExtra(outside, Object.keys(api.toggled))); });
      };
      w.postMessage({init: true, L: meta, buf: buf.slice(0), outside: outside});
      worker = w;
      root.setAttribute('data-live-worker', 'on');
    } catch (e) {
      worker = null;
      root.setAttribute('data-live-worker', 'off');
    }
  }
  st.textContent = 'unpacking the model...';
  window.liveReady = inflate(L.blob).then(function (buf) {
    if (buf.byteLength !== L.blob_bytes) throw new Error('the model unpacked to ' + buf.byteLength + ' bytes, not ' + L.blob_bytes);
    core = makeCore(L, buf);
    window.liveAblation = core.liveAblation;
    // the button's toggle computed at once in the page, for scripts and tests
    window.liveToggle = function (id) { var extra = flip(id), res = core.withExtra(outside, extra); seq++; show(res, extra); return res.r; };
    if (typeof Worker !== 'undefined' && typeof URL !== 'undefined' && URL.createObjectURL) startWorker(buf);
    api.enabled = true;
    st.textContent = 'on (' + L.prompts.length + ' prompts, ' + L.nonzeros + ' nonzeros): toggle a node in the inspector';
    window.liveReadyMs = performance.now();
    root.setAttribute('data-live', 'ready');
    if (state.node) select(state.node); // the inspector gains its toggle button
    return true;
  }).catch(function (e) {
    st.textContent = 'live ablation is off: the embedded model could not be unpacked (' + (e && e.message || e) + ')';
    root.setAttribute('data-live', 'off');
    return false;
  });
  return api;
})();
