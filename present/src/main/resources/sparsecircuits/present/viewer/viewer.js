(function () {
'use strict';
var NS = 'http://www.w3.org/2000/svg';
var D = JSON.parse(document.getElementById('data').textContent);
var ROWS = ['attn.act_in', 'attn.q', 'attn.k', 'attn.v', 'attn.resid_delta', 'mlp.act_in', 'mlp.post_act', 'mlp.resid_delta'];
var run = D.run || {}, nodes = D.nodes || [];
function $(id) { return document.getElementById(id); }
function b64bytes(b64) {
  var s = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('binary');
  var u = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u.buffer;
}
// links arrive column-wise as typed arrays (ViewerHtml.links); one small object per link in memory
var links = (function (L) {
  var out = [];
  if (!L || !L.n) return out;
  var from = new Int32Array(b64bytes(L.source)), to = new Int32Array(b64bytes(L.target));
  var w = new Float32Array(b64bytes(L.weight)), ty = new Uint8Array(b64bytes(L.type));
  for (var i = 0; i < L.n; i++) {
    out.push({source: nodes[from[i]].id, target: nodes[to[i]].id, weight: w[i], type: L.types[ty[i]]});
  }
  return out;
})(D.links);
function el(tag, attrs, parent) {
  var e = document.createElementNS(NS, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function h(tag, text, parent, cls) {
  var e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}
function fmt(v) {
  if (v == null || typeof v !== 'number' || !isFinite(v)) return 'n/a';
  var a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(Math.round(v * 1e4) / 1e4);
}
$('node-count').textContent = String(nodes.length);
$('edge-count').textContent = String(links.length);

// run header
var m = D.model || {}, settings = run.settings || {};
$('title').textContent = 'circuit: ' + (run.task || '?');
var full = run.task_loss_full, circ = run.task_loss_circuit;
var rows = [
  ['model', (m.file || '?') + '  sha256 ' + (m.sha256 || '?')],
  ['config', 'layers ' + m.n_layer + ', d_model ' + m.d_model + ', heads ' + m.n_head + ' x d_head ' + m.d_head + ', d_mlp ' + m.d_mlp],
  ['task', run.task], ['ablation', run.ablation], ['k requested', run.k], ['target loss', fmt(run.target)],
  ['nodes', nodes.length + (run.nodes_total != null ? ' of ' + run.nodes_total : '')], ['edges', links.length],
  ['task loss full', fmt(full)], ['task loss circuit', fmt(circ)], ['seed', settings.seed]];
rows.forEach(function (r) {
  var tr = h('tr', null, $('header-body'));
  h('td', r[0], tr);
  var td = h('td', r[1] == null ? 'n/a' : String(r[1]), tr);
  if (r[0] === 'task loss circuit' && typeof circ === 'number' && typeof run.target === 'number' && circ > run.target) td.className = 'warn';
});

// controls
if (run.controls && typeof run.controls === 'object') {
  var cb = $('controls-body'); cb.textContent = '';
  var t = h('table', null, cb, 'kv');
  Object.keys(run.controls).forEach(function (k) {
    var v = run.controls[k], tr = h('tr', null, t);
    h('td', k, tr);
    var td = h('td', null, tr);
    if (v && typeof v === 'object') {
      Object.keys(v).forEach(function (kk) { h('div', kk + ': ' + (typeof v[kk] === 'number' ? fmt(v[kk]) : JSON.stringify(v[kk])), td); });
    } else {
      td.textContent = String(v);
      if (k === 'trustworthy' && v === false) td.className = 'warn';
    }
  });
}

// loss at k: both axes logarithmic (losses span decades: from the full model's 1e-4 to chance's 0.7)
(function () {
  var pts = (run.bisection || []).filter(function (p) { return typeof p.k === 'number' && typeof p.task_loss === 'number'; });
  var svg = $('loss-plot'), W = 320, H = 180, L = 44, B = 24;
  if (!pts.length) { var t0 = el('text', {x: 10, y: 20}, svg); t0.textContent = 'no bisection points recorded'; return; }
  function lg(v) { return Math.log10(Math.max(v, 1e-9)); }
  var ks = pts.map(function (p) { return Math.log(Math.max(1, p.k)); });
  var ls = pts.map(function (p) { return lg(p.task_loss); });
  [full, run.target].forEach(function (v) { if (typeof v === 'number') ls.push(lg(v)); });
  var k0 = Math.min.apply(null, ks), k1 = Math.max.apply(null, ks), l0 = Math.min.apply(null, ls), l1 = Math.max.apply(null, ls);
  if (k1 === k0) { k0 -= 1; k1 += 1; }
  if (l1 - l0 < 0.2) { var mid = (l0 + l1) / 2; l0 = mid - 0.1; l1 = mid + 0.1; }
  function X(k) { return L + (Math.log(Math.max(1, k)) - k0) / (k1 - k0) * (W - L - 8); }
  function Y(v) { return H - B - (lg(v) - l0) / (l1 - l0) * (H - B - 8); }
  el('line', {x1: L, y1: H - B, x2: W - 4, y2: H - B, stroke: '#999'}, svg);
  el('line', {x1: L, y1: 4, x2: L, y2: H - B, stroke: '#999'}, svg);
  for (var d = Math.ceil(l0); d <= Math.floor(l1); d++) { // a tick and label at each power of ten in range
    var y = Y(Math.pow(10, d));
    el('line', {x1: L - 3, x2: L, y1: y, y2: y, stroke: '#999', 'class': 'loss-tick'}, svg);
    var tl = el('text', {x: 2, y: y + 3, 'font-size': 9}, svg); tl.textContent = '1e' + d;
  }
  [['full', full, '#2a2'], ['target', run.target, '#c60']].forEach(function (r) {
    if (typeof r[1] !== 'number') return;
    el('line', {x1: L, x2: W - 4, y1: Y(r[1]), y2: Y(r[1]), stroke: r[2], 'stroke-dasharray': '4 3'}, svg);
    var tt = el('text', {x: W - 40, y: Y(r[1]) - 2, 'font-size': 9, fill: r[2]}, svg); tt.textContent = r[0];
  });
  pts.slice().sort(function (a, b) { return a.k - b.k; }).forEach(function (p) {
    var c = el('circle', {cx: X(p.k), cy: Y(p.task_loss), r: 3, fill: p.k === run.k ? '#c00' : '#36c', 'class': 'loss-point'}, svg);
    var ti = el('title', {}, c); ti.textContent = 'k=' + p.k + ' loss=' + fmt(p.task_loss);
  });
  var a = el('text', {x: L, y: H - 6, 'font-size': 9}, svg); a.textContent = 'k (log) ' + Math.round(Math.exp(k0)) + ' .. ' + Math.round(Math.exp(k1));
  var b = el('text', {x: L + 4, y: 12, 'font-size': 9}, svg); b.textContent = 'task loss (log) ' + fmt(Math.pow(10, l0)) + ' .. ' + fmt(Math.pow(10, l1));
})();

if (!nodes.length) { $('empty').hidden = false; $('graph').style.display = 'none'; }

// layout: one row per (layer, location), bottom to top; q/k/v grouped by head with gaps
var byId = {}, rowsOf = {};
nodes.forEach(function (n, i) {
  n.i = i; n.ins = []; n.outs = []; byId[n.id] = n;
  n.row = n.layer * ROWS.length + ROWS.indexOf(n.location + '.' + n.sublocation);
  (rowsOf[n.row] = rowsOf[n.row] || []).push(n);
});
links.forEach(function (l) {
  var s = byId[l.source], t = byId[l.target];
  if (s && t) { s.outs.push(l); t.ins.push(l); }
});
var nLayer = m.n_layer || 1 + Math.max.apply(null, [0].concat(nodes.map(function (n) { return n.layer; })));
var nRows = nLayer * ROWS.length, DX = 14, DY = 40, LEFT = 130, TOP = 20, maxX = 0;
Object.keys(rowsOf).forEach(function (r) {
  var list = rowsOf[r].sort(function (a, b) { return a.head - b.head || a.channel - b.channel; });
  var x = 0, prevHead = null;
  list.forEach(function (n) {
    if (prevHead !== null && n.head !== prevHead) x += 1;
    prevHead = n.head; n.xi = x; x++;
  });
  maxX = Math.max(maxX, x);
});
// a small circuit is spread over the width there is (up to 36 px a node); a large one scrolls at 14 px
var room = (($('graph-wrap') || {}).clientWidth || 0) - LEFT - 40;
if (maxX > 0 && room > maxX * DX) DX = Math.min(36, Math.floor(room / maxX));
nodes.forEach(function (n) { n.x = LEFT + n.xi * DX; });
nodes.forEach(function (n) { n.y = TOP + (nRows - 1 - n.row) * DY; });
var svg = $('graph'), GW = LEFT + maxX * DX + 30, GH = TOP + nRows * DY;
svg.setAttribute('width', GW);
svg.setAttribute('height', GH);
svg.setAttribute('viewBox', '0 0 ' + GW + ' ' + GH);
for (var r = 0; r < nRows; r++) {
  var y = TOP + (nRows - 1 - r) * DY;
  el('line', {x1: LEFT - 8, x2: LEFT + maxX * DX + 20, y1: y, y2: y, stroke: r % ROWS.length === 0 ? '#ccc' : '#eee'}, svg);
  var lab = el('text', {x: 4, y: y + 3, 'class': 'rowlab', 'data-block': Math.floor(r / ROWS.length)}, svg);
  lab.textContent = Math.floor(r / ROWS.length) + '.' + ROWS[r % ROWS.length];
  lab.addEventListener('click', function (ev) { ev.stopPropagation(); zoomBlock(state.block === null ? parseInt(this.getAttribute('data-block'), 10) : null); });
}
var maxW = 0;
links.forEach(function (l) { maxW = Math.max(maxW, Math.abs(l.weight || 0)); });
var maxD = 0;
nodes.forEach(function (n) { if (typeof n.delta === 'number') maxD = Math.max(maxD, Math.abs(n.delta)); });
// Edges are drawn as a few SVG paths, one per (sign, width class), not one element per edge: 20,000 edges stay
// cheap to draw and to filter. The selected node's edges are drawn again on top, one path.edge each.
var WCLASS = 8, edgeLayer = el('g', {id: 'edges'}, svg), hlLayer = el('g', {id: 'edges-hl'}, svg), nodeLayer = el('g', {id: 'nodes'}, svg);
function wclass(w) { return maxW > 0 ? Math.min(WCLASS - 1, Math.floor(WCLASS * Math.abs(w) / maxW)) : 0; }
function width(c) { return (0.3 + 3.5 * (c + 0.5) / WCLASS).toFixed(2); }
var buckets = [];
for (var sgn = 0; sgn < 2; sgn++) {
  for (var c = 0; c < WCLASS; c++) {
    buckets.push(el('path', {'class': 'edges', 'data-sign': sgn ? '-' : '+', stroke: sgn ? '#b2182b' : '#2166ac', 'stroke-width': width(c), d: ''}, edgeLayer));
  }
}
links.forEach(function (l) {
  var s = byId[l.source], t = byId[l.target], my = (s.y + t.y) / 2, w = l.weight || 0;
  l.d = 'M' + s.x + ',' + s.y + 'C' + s.x + ',' + my + ' ' + t.x + ',' + my + ' ' + t.x + ',' + t.y;
  l.bucket = (w < 0 ? WCLASS : 0) + wclass(w);
});
function fill(n) {
  if (typeof n.delta !== 'number' || maxD === 0) return '#ddd';
  var a = Math.min(1, Math.abs(n.delta) / maxD), c = Math.round(255 - 200 * a);
  return n.delta >= 0 ? 'rgb(255,' + c + ',' + c + ')' : 'rgb(' + c + ',' + c + ',255)';
}
function importance(n) { return typeof n.delta === 'number' ? Math.abs(n.delta) : Infinity; } // unknown: always shown
nodes.forEach(function (n) {
  var g = el('g', {'class': 'node', 'data-id': n.id, transform: 'translate(' + n.x + ',' + n.y + ')'}, nodeLayer);
  var sub = n.sublocation, f = fill(n);
  if (sub === 'q' || sub === 'k' || sub === 'v') el('rect', {x: -5, y: -5, width: 10, height: 10, fill: f}, g);
  else if (sub === 'post_act') el('path', {d: 'M0,-6 L6,5 L-6,5 Z', fill: f}, g);
  else el('circle', {r: 5, fill: f}, g);
  n.title = el('title', {}, g);
  g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.id); });
  n.el = g;
});

// pins and labels: kept in localStorage per model, task and k; exported in the attribution-graph JSON
var STORE = 'sparse-circuits:' + (m.sha256 || 'model') + ':' + (run.task || '') + ':' + (run.k != null ? run.k : '');
var notes = (function () {
  try { var v = JSON.parse(localStorage.getItem(STORE) || 'null'); if (v && typeof v === 'object') return {pins: v.pins || {}, labels: v.labels || {}}; } catch (e) { /* no storage: in-page only */ }
  return {pins: {}, labels: {}};
})();
Object.keys(notes.pins).forEach(function (id) { if (!byId[id]) delete notes.pins[id]; });
Object.keys(notes.labels).forEach(function (id) { if (!byId[id]) delete notes.labels[id]; });
function saveNotes() { try { localStorage.setItem(STORE, JSON.stringify(notes)); } catch (e) { /* private mode: kept for this page only */ } }
function labelOf(n) { return notes.labels[n.id] != null ? notes.labels[n.id] : n.label || ''; }
function decorate(n) {
  n.el.classList.toggle('pinned', !!notes.pins[n.id]);
  var lb = labelOf(n);
  n.title.textContent = n.id + (n.head >= 0 ? ' (h' + n.head + ')' : '') + (lb ? ' ' + lb : '') + '  delta ' + fmt(n.delta) + (notes.pins[n.id] ? '  [pinned]' : '');
}
function showPins() {
  var ids = Object.keys(notes.pins);
  $('pin-count').textContent = String(ids.length);
  var list = $('pin-list'); list.textContent = '';
  ids.forEach(function (id) { var a = h('span', id + ' ', list, 'nb'); a.addEventListener('click', function () { select(id); }); });
}
nodes.forEach(decorate);

// view state
var state = {node: null, thr: 0, imp: 0, block: null};
function readHash() {
  var s = {node: null, thr: 0, imp: 0, block: null};
  (location.hash || '').replace(/^#/, '').split('&').forEach(function (kv) {
    var i = kv.indexOf('='); if (i < 0) return;
    var k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
    if (k === 'node') s.node = v;
    if (k === 'thr' && isFinite(parseFloat(v))) s.thr = parseFloat(v);
    if (k === 'imp' && isFinite(parseFloat(v))) s.imp = parseFloat(v);
    if (k === 'block' && /^[0-9]+$/.test(v) && parseInt(v, 10) < nLayer) s.block = parseInt(v, 10);
  });
  return s;
}
function writeHash() {
  var parts = [];
  if (state.node) parts.push('node=' + encodeURIComponent(state.node));
  if (state.thr > 0) parts.push('thr=' + state.thr);
  if (state.imp > 0) parts.push('imp=' + state.imp);
  if (state.block !== null) parts.push('block=' + state.block);
  var hs = parts.length ? '#' + parts.join('&') : '';
  if (location.hash !== hs) { try { history.replaceState(null, '', hs || location.pathname + location.search); } catch (e) { location.hash = hs; } }
}
var thr = $('threshold'), imp = $('importance');
thr.max = String(maxW > 0 ? maxW : 1);
thr.step = String(maxW > 0 ? maxW / 1000 : 0.001);
imp.max = String(maxD > 0 ? maxD : 1);
imp.step = String(maxD > 0 ? maxD / 1000 : 0.001);
if (maxD === 0) { imp.disabled = true; imp.title = 'off: this circuit has no per-node ablation deltas (the prune that wrote it recorded none)'; }
function nodeShown(n) { return importance(n) >= state.imp || !!notes.pins[n.id] || n.id === state.node; }
// redraws what the two sliders filter: node visibility, then the edge buckets' path data
function applyFilters() {
  var shownNodes = 0, shown = 0, parts = buckets.map(function () { return []; });
  nodes.forEach(function (n) {
    var on = nodeShown(n);
    n.shown = on;
    n.el.style.display = on ? '' : 'none';
    if (on) shownNodes++;
  });
  for (var i = 0; i < links.length; i++) {
    var l = links[i];
    if (Math.abs(l.weight || 0) >= state.thr && byId[l.source].shown && byId[l.target].shown) { parts[l.bucket].push(l.d); shown++; }
  }
  buckets.forEach(function (b, k) { b.setAttribute('d', parts[k].join('')); });
  $('edge-shown').textContent = String(shown);
  $('node-shown').textContent = String(shownNodes);
  $('threshold-value').textContent = fmt(state.thr);
  $('importance-value').textContent = fmt(state.imp);
}
thr.addEventListener('input', function () { state.thr = parseFloat(thr.value) || 0; applyFilters(); writeHash(); });
imp.addEventListener('input', function () { state.imp = parseFloat(imp.value) || 0; applyFilters(); writeHash(); });

// block zoom: the view box narrowed to one block's eight rows, drawn larger
var zoom = $('zoom');
(function () {
  var o = h('option', 'all blocks', zoom); o.value = '';
  for (var b = 0; b < nLayer; b++) { var ob = h('option', 'block ' + b, zoom); ob.value = String(b); }
})();
function zoomBlock(b) {
  state.block = b === null || b === undefined || isNaN(b) ? null : b;
  zoom.value = state.block === null ? '' : String(state.block);
  if (state.block === null) {
    svg.setAttribute('viewBox', '0 0 ' + GW + ' ' + GH);
    svg.setAttribute('width', GW); svg.setAttribute('height', GH);
  } else {
    var y0 = TOP + (nRows - 1 - (state.block * ROWS.length + ROWS.length - 1)) * DY - DY / 2, hh = ROWS.length * DY;
    var scale = Math.max(1, Math.min(2, 1400 / GW));
    svg.setAttribute('viewBox', '0 ' + y0 + ' ' + GW + ' ' + hh);
    svg.setAttribute('width', Math.round(GW * scale)); svg.setAttribute('height', Math.round(hh * scale));
  }
  writeHash();
}
zoom.addEventListener('change', function () { zoomBlock(zoom.value === '' ? null : parseInt(zoom.value, 10)); });

function neighbours(parent, title, list, other) {
  h('div', title + ' (' + list.length + ')', parent).style.fontWeight = '600';
  list.slice().sort(function (a, b) { return Math.abs(b.weight) - Math.abs(a.weight); }).slice(0, 50).forEach(function (l) {
    var id = l[other], row = h('div', null, parent);
    var a = h('span', id, row, 'nb');
    a.addEventListener('click', function () { select(id); });
    h('span', '  ' + fmt(l.weight), row).style.color = l.weight >= 0 ? '#2166ac' : '#b2182b';
    var lb = labelOf(byId[id]);
    if (lb) h('span', '  ' + lb, row, 'lb');
  });
}
function highlight(n) {
  hlLayer.textContent = '';
  if (!n) return;
  n.ins.concat(n.outs).forEach(function (l) {
    var p = el('path', {'class': 'edge hl', 'data-source': l.source, 'data-target': l.target, d: l.d,
      stroke: l.weight >= 0 ? '#2166ac' : '#b2182b', 'stroke-width': width(wclass(l.weight))}, hlLayer);
    var ti = el('title', {}, p); ti.textContent = l.source + ' -> ' + l.target + '  ' + fmt(l.weight) + (l.type ? ' (' + l.type + ')' : '');
  });
}
function select(id) {
  if (state.node && byId[state.node]) byId[state.node].el.classList.remove('sel');
  var prev = state.node;
  state.node = byId[id] ? id : null;
  var body = $('inspector-body'); body.textContent = '';
  highlight(state.node ? byId[state.node] : null);
  if (prev !== state.node && state.imp > 0) applyFilters(); // the selected node is shown whatever its importance
  if (!state.node) { body.textContent = 'Click a node.'; EXAMPLES.show(null); writeHash(); return; }
  var n = byId[id];
  n.el.classList.add('sel');
  var t = h('table', null, body, 'kv');
  [['id', n.id], ['name', n.id.replace(':', '.') + (n.head >= 0 ? ' (h' + n.head + '.ch' + (n.channel - n.head * (m.d_head || 1)) + ')' : '')],
   ['type', n.location + '.' + n.sublocation], ['layer', n.layer], ['channel', n.channel], ['head', n.head >= 0 ? n.head : '-'],
   ['mean', fmt(n.mean)], ['ablation delta', fmt(n.delta)],
   ['in / out degree', n.ins.length + ' / ' + n.outs.length]].forEach(function (r) {
    var tr = h('tr', null, t); h('td', r[0], tr); h('td', String(r[1]), tr);
  });
  var tl = h('tr', null, t); h('td', 'label', tl);
  var li = h('input', null, h('td', null, tl)); li.id = 'label-input'; li.type = 'text'; li.value = labelOf(n); li.placeholder = 'your label';
  li.addEventListener('change', function () {
    var v = li.value.trim();
    if (v && v !== (n.label || '')) notes.labels[n.id] = v; else delete notes.labels[n.id];
    saveNotes(); decorate(n);
  });
  var pb = h('button', notes.pins[n.id] ? 'unpin' : 'pin', body); pb.id = 'pin-toggle';
  pb.addEventListener('click', function () {
    if (notes.pins[n.id]) delete notes.pins[n.id]; else notes.pins[n.id] = 1;
    saveNotes(); decorate(n); showPins(); pb.textContent = notes.pins[n.id] ? 'unpin' : 'pin';
  });
  if (LIVE.enabled) {
    var tb = h('button', LIVE.toggled[n.id] ? 'restore node (live)' : 'toggle ablation (live)', body);
    tb.id = 'toggle-ablation';
    tb.addEventListener('click', function () {
      // the forward passes take a while on a large model: say so until the result is shown
      tb.disabled = true; tb.textContent = 'computing...';
      LIVE.toggle(n.id, function () { if (state.node === n.id) select(n.id); });
    });
  }
  EXAMPLES.show(n);
  neighbours(body, 'inputs', n.ins, 'source');
  neighbours(body, 'outputs', n.outs, 'target');
  writeHash();
}
$('graph').addEventListener('click', function () { select(null); });
document.addEventListener('keydown', function (e) { if (e.key === 'Escape') select(null); });

$('search').addEventListener('input', function () {
  var q = this.value.trim().toLowerCase();
  nodes.forEach(function (n) {
    var hit = q && (n.id.toLowerCase().indexOf(q) >= 0 || labelOf(n).toLowerCase().indexOf(q) >= 0);
    n.el.classList.toggle('hit', !!hit);
    n.el.classList.toggle('dim', !!q && !hit);
  });
});

// the attribution graph (circuit-tracer / Neuronpedia schema) with the user's pins and labels, as AttributionGraph
// writes it: the page holds it without links and adds them from its own link arrays
function graphJson() {
  var T = D.attribution;
  if (!T) return null;
  var g = JSON.parse(JSON.stringify(T)), gid = {};
  g.nodes.forEach(function (x) {
    gid[x.sc_id] = x.node_id;
    var n = byId[x.sc_id];
    if (n && notes.labels[n.id] != null) x.clerp = notes.labels[n.id];
  });
  g.links = links.map(function (l) { return {source: gid[l.source], target: gid[l.target], weight: l.weight, sc_weight: l.weight, sc_type: l.type}; });
  g.qParams.pinnedIds = Object.keys(notes.pins).filter(function (id) { return gid[id]; }).map(function (id) { return gid[id]; });
  g.metadata.info.create_time_ms = Date.now();
  return g;
}
window.graphJson = graphJson;
$('export-graph').addEventListener('click', function () {
  var g = graphJson();
  if (!g) { $('export-status').textContent = 'off: the page has no prompt for the graph'; return; }
  var blob = new Blob([JSON.stringify(g)], {type: 'application/json'}), a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = g.metadata.slug + '.json';
  document.body.appendChild(a); a.click(); a.remove();
  $('export-status').textContent = 'saved ' + a.download + ' (' + g.qParams.pinnedIds.length + ' pins)';
});
if (!D.attribution) { $('export-graph').disabled = true; $('export-graph').title = 'off: the page was written without a prompt for the graph'; }
$('clear-pins').addEventListener('click', function () { notes.pins = {}; saveNotes(); nodes.forEach(decorate); showPins(); if (state.node) select(state.node); });
showPins();

/*__LIVE__*/
/*__EXAMPLES__*/
function fromHash() {
  var s = readHash();
  state.thr = Math.max(0, s.thr); thr.value = String(state.thr);
  state.imp = Math.max(0, s.imp); imp.value = String(state.imp);
  applyFilters();
  zoomBlock(s.block);
  select(s.node);
}
window.addEventListener('hashchange', fromHash);
fromHash();
window.viewerReadyMs = performance.now();
document.documentElement.setAttribute('data-ready', 'true');
})();
