(function () {
'use strict';
var NS = 'http://www.w3.org/2000/svg';
var D = JSON.parse(document.getElementById('data').textContent);
var ROWS = ['attn.act_in', 'attn.q', 'attn.k', 'attn.v', 'attn.resid_delta', 'mlp.act_in', 'mlp.post_act', 'mlp.resid_delta'];
var run = D.run || {}, nodes = D.nodes || [], links = D.links || [];
function $(id) { return document.getElementById(id); }
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

// loss at k
(function () {
  var pts = (run.bisection || []).filter(function (p) { return typeof p.k === 'number' && typeof p.task_loss === 'number'; });
  var svg = $('loss-plot'), W = 320, H = 180, L = 44, B = 24;
  if (!pts.length) { var t0 = el('text', {x: 10, y: 20}, svg); t0.textContent = 'no bisection points recorded'; return; }
  var ks = pts.map(function (p) { return Math.log(Math.max(1, p.k)); });
  var ls = pts.map(function (p) { return p.task_loss; });
  [full, run.target].forEach(function (v) { if (typeof v === 'number') ls.push(v); });
  var k0 = Math.min.apply(null, ks), k1 = Math.max.apply(null, ks), l0 = Math.min.apply(null, ls), l1 = Math.max.apply(null, ls);
  if (k1 === k0) { k0 -= 1; k1 += 1; }
  if (l1 === l0) { l0 -= 1; l1 += 1; }
  function X(k) { return L + (Math.log(Math.max(1, k)) - k0) / (k1 - k0) * (W - L - 8); }
  function Y(v) { return H - B - (v - l0) / (l1 - l0) * (H - B - 8); }
  el('line', {x1: L, y1: H - B, x2: W - 4, y2: H - B, stroke: '#999'}, svg);
  el('line', {x1: L, y1: 4, x2: L, y2: H - B, stroke: '#999'}, svg);
  [['full', full, '#2a2'], ['target', run.target, '#c60']].forEach(function (r) {
    if (typeof r[1] !== 'number') return;
    el('line', {x1: L, x2: W - 4, y1: Y(r[1]), y2: Y(r[1]), stroke: r[2], 'stroke-dasharray': '4 3'}, svg);
    var tt = el('text', {x: W - 40, y: Y(r[1]) - 2, 'font-size': 9, fill: r[2]}, svg); tt.textContent = r[0];
  });
  pts.slice().sort(function (a, b) { return a.k - b.k; }).forEach(function (p) {
    var c = el('circle', {cx: X(p.k), cy: Y(p.task_loss), r: 3, fill: p.k === run.k ? '#c00' : '#36c'}, svg);
    var ti = el('title', {}, c); ti.textContent = 'k=' + p.k + ' loss=' + fmt(p.task_loss);
  });
  var a = el('text', {x: L, y: H - 6, 'font-size': 9}, svg); a.textContent = 'k (log) ' + Math.round(Math.exp(k0)) + ' .. ' + Math.round(Math.exp(k1));
  var b = el('text', {x: 2, y: 12, 'font-size': 9}, svg); b.textContent = fmt(l1);
  var c2 = el('text', {x: 2, y: H - B, 'font-size': 9}, svg); c2.textContent = fmt(l0);
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
    prevHead = n.head; n.x = LEFT + x * DX; x++;
  });
  maxX = Math.max(maxX, x);
});
nodes.forEach(function (n) { n.y = TOP + (nRows - 1 - n.row) * DY; });
var svg = $('graph');
svg.setAttribute('width', LEFT + maxX * DX + 30);
svg.setAttribute('height', TOP + nRows * DY);
for (var r = 0; r < nRows; r++) {
  var y = TOP + (nRows - 1 - r) * DY;
  el('line', {x1: LEFT - 8, x2: LEFT + maxX * DX + 20, y1: y, y2: y, stroke: '#eee'}, svg);
  var lab = el('text', {x: 4, y: y + 3, 'class': 'rowlab'}, svg);
  lab.textContent = Math.floor(r / ROWS.length) + '.' + ROWS[r % ROWS.length];
}
var maxW = 0;
links.forEach(function (l) { maxW = Math.max(maxW, Math.abs(l.weight || 0)); });
var maxD = 0;
nodes.forEach(function (n) { if (typeof n.delta === 'number') maxD = Math.max(maxD, Math.abs(n.delta)); });
var edgeLayer = el('g', {id: 'edges'}, svg), nodeLayer = el('g', {id: 'nodes'}, svg);
links.forEach(function (l) {
  var s = byId[l.source], t = byId[l.target];
  if (!s || !t) return;
  var my = (s.y + t.y) / 2, w = l.weight || 0;
  l.el = el('path', {'class': 'edge', 'data-source': l.source, 'data-target': l.target,
    d: 'M' + s.x + ',' + s.y + ' C' + s.x + ',' + my + ' ' + t.x + ',' + my + ' ' + t.x + ',' + t.y,
    stroke: w >= 0 ? '#2166ac' : '#b2182b', 'stroke-width': maxW > 0 ? (0.3 + 3.5 * Math.abs(w) / maxW).toFixed(2) : 1}, edgeLayer);
});
function fill(n) {
  if (typeof n.delta !== 'number' || maxD === 0) return '#ddd';
  var a = Math.min(1, Math.abs(n.delta) / maxD), c = Math.round(255 - 200 * a);
  return n.delta >= 0 ? 'rgb(255,' + c + ',' + c + ')' : 'rgb(' + c + ',' + c + ',255)';
}
nodes.forEach(function (n) {
  var g = el('g', {'class': 'node', 'data-id': n.id, transform: 'translate(' + n.x + ',' + n.y + ')'}, nodeLayer);
  var sub = n.sublocation, f = fill(n);
  if (sub === 'q' || sub === 'k' || sub === 'v') el('rect', {x: -5, y: -5, width: 10, height: 10, fill: f}, g);
  else if (sub === 'post_act') el('path', {d: 'M0,-6 L6,5 L-6,5 Z', fill: f}, g);
  else el('circle', {r: 5, fill: f}, g);
  var ti = el('title', {}, g);
  ti.textContent = n.id + (n.head >= 0 ? ' (h' + n.head + ')' : '') + (n.label ? ' ' + n.label : '') + '  delta ' + fmt(n.delta);
  g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.id); });
  n.el = g;
});

// view state
var state = {node: null, thr: 0};
function readHash() {
  var s = {node: null, thr: 0};
  (location.hash || '').replace(/^#/, '').split('&').forEach(function (kv) {
    var i = kv.indexOf('='); if (i < 0) return;
    var k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
    if (k === 'node') s.node = v;
    if (k === 'thr' && isFinite(parseFloat(v))) s.thr = parseFloat(v);
  });
  return s;
}
function writeHash() {
  var parts = [];
  if (state.node) parts.push('node=' + encodeURIComponent(state.node));
  if (state.thr > 0) parts.push('thr=' + state.thr);
  var hs = parts.length ? '#' + parts.join('&') : '';
  if (location.hash !== hs) { try { history.replaceState(null, '', hs || location.pathname + location.search); } catch (e) { location.hash = hs; } }
}
var thr = $('threshold');
thr.max = String(maxW > 0 ? maxW : 1);
thr.step = String(maxW > 0 ? maxW / 1000 : 0.001);
function applyThreshold() {
  var shown = 0;
  links.forEach(function (l) {
    if (!l.el) return;
    var on = Math.abs(l.weight || 0) >= state.thr;
    l.el.style.display = on ? '' : 'none';
    if (on) shown++;
  });
  $('edge-shown').textContent = String(shown);
  $('threshold-value').textContent = fmt(state.thr);
}
thr.addEventListener('input', function () { state.thr = parseFloat(thr.value) || 0; applyThreshold(); writeHash(); });

function neighbours(parent, title, list, other) {
  h('div', title + ' (' + list.length + ')', parent).style.fontWeight = '600';
  list.slice().sort(function (a, b) { return Math.abs(b.weight) - Math.abs(a.weight); }).slice(0, 50).forEach(function (l) {
    var id = l[other], row = h('div', null, parent);
    var a = h('span', id, row, 'nb');
    a.addEventListener('click', function () { select(id); });
    h('span', '  ' + fmt(l.weight), row).style.color = l.weight >= 0 ? '#2166ac' : '#b2182b';
  });
}
function select(id) {
  if (state.node && byId[state.node]) byId[state.node].el.classList.remove('sel');
  links.forEach(function (l) { if (l.el) l.el.classList.remove('hl'); });
  state.node = byId[id] ? id : null;
  var body = $('inspector-body'); body.textContent = '';
  if (!state.node) { body.textContent = 'Click a node.'; EXAMPLES.show(null); writeHash(); return; }
  var n = byId[id];
  n.el.classList.add('sel');
  n.ins.concat(n.outs).forEach(function (l) { if (l.el) l.el.classList.add('hl'); });
  var t = h('table', null, body, 'kv');
  [['id', n.id], ['name', n.id.replace(':', '.') + (n.head >= 0 ? ' (h' + n.head + '.ch' + (n.channel - n.head * (m.d_head || 1)) + ')' : '')],
   ['type', n.location + '.' + n.sublocation], ['layer', n.layer], ['channel', n.channel], ['head', n.head >= 0 ? n.head : '-'],
   ['mean', fmt(n.mean)], ['ablation delta', fmt(n.delta)], ['label', n.label || ''],
   ['in / out degree', n.ins.length + ' / ' + n.outs.length]].forEach(function (r) {
    var tr = h('tr', null, t); h('td', r[0], tr); h('td', String(r[1]), tr);
  });
  if (LIVE.enabled) {
    var tb = h('button', LIVE.toggled[n.id] ? 'restore node (live)' : 'toggle ablation (live)', body);
    tb.id = 'toggle-ablation';
    tb.addEventListener('click', function () { LIVE.toggle(n.id); select(n.id); });
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
    var hit = q && (n.id.toLowerCase().indexOf(q) >= 0 || (n.label || '').toLowerCase().indexOf(q) >= 0);
    n.el.classList.toggle('hit', !!hit);
    n.el.classList.toggle('dim', !!q && !hit);
  });
});

/*__LIVE__*/
/*__EXAMPLES__*/
function fromHash() {
  var s = readHash();
  state.thr = Math.max(0, s.thr); thr.value = String(state.thr); applyThreshold();
  select(s.node);
}
window.addEventListener('hashchange', fromHash);
fromHash();
window.viewerReadyMs = performance.now();
document.documentElement.setAttribute('data-ready', 'true');
})();
