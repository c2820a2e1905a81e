// Examples panel (#examples-body) and per-token prompt view (#prompt-view), filled from the
// <script type="application/json" id="examples"> block (schema: sparsecircuits.present.viewer.Examples).
// Token text is untrusted: it is only ever set through textContent / title.
var EXAMPLES = (function () {
  var X;
  try { X = JSON.parse($('examples').textContent || '{}'); } catch (e) { X = {enabled: false, reason: 'the examples block is unreadable'}; }
  var T = X.text || {}, P = X.prompts || [], W = X.windows || {}, NX = X.nodes || {}, HEADS = X.heads || {}, FR = X.fractions || [];
  var cur = null, promptIdx = 0, starts = [], total = 0;
  P.forEach(function (p) { starts.push(total); total += (p.tokens || []).length; });

  (function () {
    var st = document.createElement('style');
    st.textContent = '.ex-row{display:flex;flex-wrap:wrap;gap:1px;margin:1px 0 3px;font:11px/1.5 ui-monospace,Menlo,Consolas,monospace}'
      + '.ex-tok{padding:0 2px;border:1px solid transparent;border-radius:2px;white-space:pre;cursor:default}'
      + '.ex-peak{border-color:#000;font-weight:700}'
      + '.ex-h{font-weight:600;margin-top:6px}'
      + '.ex-sub{color:#666;font-size:11px}'
      + '.ex-legend{display:flex;align-items:center;gap:3px;font-size:11px;margin:2px 0}'
      + '.ex-sw{display:inline-block;width:12px;height:10px;border:1px solid #ccc}'
      + '.ex-tbl td{padding:0 8px 0 0;font-size:12px}'
      + '.ex-prompt .ex-row{font-size:13px}'
      + '.ex-targets{margin:2px 0;font-size:12px}'
      + '.ex-targets .ex-tok{border-color:#999}'
      + '.ex-att{display:block;margin:2px 0}'
      + '.ex-pair{display:flex;gap:8px;align-items:flex-start}.ex-pair>div{flex:1;min-width:0}'
      + '.ex-grid{display:block;margin-top:4px;cursor:pointer}'
      + '.ex-grid .ex-sel{fill:none;stroke:#000;stroke-width:1}';
    (document.head || document.documentElement).appendChild(st);
  })();

  function q8(b64, s) { // int8 on the node's scale s (viewer.js's b64bytes decodes)
    return Array.prototype.map.call(new Int8Array(b64bytes(b64 || '')), function (b) { return b / 127 * s; });
  }
  function u8(b64) { return Array.prototype.map.call(new Uint8Array(b64bytes(b64 || '')), function (b) { return b / 255; }); }
  // a token's text with whitespace made visible
  function tok(id) {
    var t = T[String(id)];
    if (t == null) return '#' + id;
    if (t === '') return '\u2205';
    return t.replace(/ /g, '\u2423').replace(/\r/g, '\u240d').replace(/\n/g, '\u23ce').replace(/\t/g, '\u21e5');
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); e.textContent = ''; }
  // diverging colour on the node's shared scale: blue above zero, red below, white at zero
  function colour(v, M) {
    var a = M > 0 && typeof v === 'number' ? Math.min(1, Math.abs(v) / M) : 0;
    var c = v >= 0 ? [33, 102, 172] : [178, 24, 43];
    return 'rgb(' + c.map(function (x) { return Math.round(255 + (x - 255) * a); }).join(',') + ')';
  }
  function token(parent, id, v, M, title, peak) {
    var s = h('span', tok(id), parent, 'ex-tok' + (peak ? ' ex-peak' : ''));
    s.style.background = colour(v, M);
    if (M > 0 && Math.abs(v) / M > 0.6) s.style.color = '#fff';
    s.title = title + ': ' + fmt(v);
    return s;
  }
  function legend(parent, x) {
    var d = h('div', null, parent, 'ex-legend');
    h('span', 'colour scale ' + fmt(x.lo), d);
    [-1, -0.5, 0, 0.5, 1].forEach(function (f) {
      var sw = h('span', null, d, 'ex-sw');
      sw.style.background = colour(f * x.s, x.s);
      sw.title = fmt(f * x.s);
    });
    h('span', fmt(x.hi) + ' (red < 0 < blue, \u00b1' + fmt(x.s) + ')', d);
    return d;
  }
  function windowToken(w, pos) {
    var a = W[String(w)];
    if (!a) return -1;
    var i = 1 + pos - a[0];
    return i >= 1 && i < a.length ? a[i] : -1;
  }
  function snippet(parent, sn, x) {
    var w = sn[0], start = sn[1], peak = sn[2], vals = q8(sn[4], x.s), row = h('div', null, parent, 'ex-row');
    row.title = 'window ' + w + ', tokens ' + start + '..' + (start + vals.length - 1) + '; peak ' + fmt(sn[3]);
    vals.forEach(function (v, i) {
      token(row, windowToken(w, start + i), i === peak ? sn[3] : v, x.s, 'position ' + (start + i), i === peak);
    });
  }
  function pct(f) { return (Math.round(f * 1000) / 10) + '%'; }
  function targetsOf(p) {
    var t = p.targets || [];
    return [t[0] == null ? null : t[0], t[1] == null ? null : t[1]];
  }
  function heat(parent, vals, t, M, title, pattern) {
    var cell = Math.max(2, Math.min(8, Math.floor(150 / Math.max(1, t)))), svg = el('svg', {'class': 'ex-att', width: t * cell + 2, height: t * cell + 2}, parent);
    var k = 0;
    for (var i = 0; i < t; i++) {
      for (var j = 0; j <= i; j++, k++) {
        var v = vals[k], fill;
        if (pattern) { var g = Math.round(255 - 200 * Math.min(1, v)); fill = 'rgb(' + g + ',' + g + ',255)'; } else fill = colour(v, M);
        var r = el('rect', {x: 1 + j * cell, y: 1 + i * cell, width: cell, height: cell, fill: fill}, svg);
        var ti = el('title', {}, r); ti.textContent = title + ' query ' + i + ' \u2192 key ' + j + ': ' + fmt(v);
      }
    }
    return svg;
  }

  function showExamples(n) {
    var body = $('examples-body');
    clear(body);
    if (!X.enabled) { body.textContent = 'Examples are off: ' + (X.reason || 'no reason given'); return; }
    if (!n) { body.textContent = 'Click a node.'; return; }
    var x = NX[n.id];
    if (!x) { body.textContent = 'No examples for ' + n.id + '.'; return; }
    var st = X.settings || {};
    h('div', 'Activations ' + (X.note || 'under the pruned circuit') + '. Pretraining: ' + X.tokens_seen + ' tokens ('
      + st.windows + ' windows of ' + st.window_tokens + ').', body, 'ex-sub');
    legend(body, x);
    h('div', 'pretraining min ' + fmt(x.min) + ', max ' + fmt(x.max), body, 'ex-sub');
    if (x.cls) {
      h('div', 'Task (last token, held-out prompts)', body, 'ex-h');
      var t = h('table', null, body, 'ex-tbl'), hr = h('tr', null, t), vr = h('tr', null, t);
      ['class A', 'class B', 'A \u2212 B'].forEach(function (s, i) { h('td', s, hr); h('td', fmt(x.cls[i]), vr); });
    }
    if (x.de && P.length) {
      h('div', 'Direct effect on the target logits (last token; direct path only, final norm held at its scale)', body, 'ex-h');
      var dt = h('table', null, body, 'ex-tbl');
      var sums = [0, 0], cnt = [0, 0];
      x.de.forEach(function (d) { for (var s = 0; s < 2; s++) if (typeof d[s] === 'number') { sums[s] += d[s]; cnt[s]++; } });
      var p = P[promptIdx] || P[0], tg = targetsOf(p), d = x.de[promptIdx] || [];
      [['prompt ' + promptIdx + ' correct', tg[0], d[0]], ['prompt ' + promptIdx + ' other', tg[1], d[1]]].forEach(function (r) {
        var tr = h('tr', null, dt); h('td', r[0], tr); h('td', r[1] == null ? '-' : tok(r[1]), tr); h('td', r[1] == null ? '-' : fmt(r[2]), tr);
      });
      var mr = h('tr', null, dt); h('td', 'mean over prompts', mr);
      h('td', 'correct ' + (cnt[0] ? fmt(sums[0] / cnt[0]) : '-'), mr); h('td', 'other ' + (cnt[1] ? fmt(sums[1] / cnt[1]) : '-'), mr);
    }
    [['emb', 'Embedding weight'], ['unemb', 'Unembedding weight']].forEach(function (r) {
      var e = x[r[0]];
      if (!e) return;
      h('div', r[1] + ' (residual channel ' + n.channel + ')', body, 'ex-h');
      ['top', 'bottom'].forEach(function (side) {
        var row = h('div', null, body, 'ex-row');
        h('span', side + ':', row, 'ex-sub');
        (e[side] || []).forEach(function (tw) {
          var s = h('span', tok(tw[0]), row, 'ex-tok');
          s.style.background = colour(tw[1], Math.abs((e[side][0] || [0, 1])[1]) || 1);
          s.title = 'token ' + tw[0] + ': ' + fmt(tw[1]);
        });
      });
    });
    [['Top', 2, 0], ['Bottom', 3, 1]].forEach(function (side) {
      h('div', side[0] + ' activating pretraining snippets', body, 'ex-h');
      (x.q || []).forEach(function (q, i) {
        var list = q[side[1]] || [];
        h('div', side[0].toLowerCase() + ' ' + pct(FR[i]) + ' (' + (side[2] ? '\u2264 ' : '\u2265 ') + fmt(q[side[2]]) + ')', body, 'ex-sub');
        if (!list.length) h('div', 'none', body, 'ex-sub');
        list.forEach(function (sn) { snippet(body, sn, x); });
      });
    });
    if (x.att && P.length) {
      var hd = HEADS[x.att.head], t0 = (P[0].tokens || []).length;
      h('div', 'Attention on prompt 0 (rows: queries, columns: keys)', body, 'ex-h');
      var box = h('div', null, body, 'ex-pair'), left = h('div', null, box), right = h('div', null, box);
      h('div', 'head ' + x.att.head + ' pattern', left, 'ex-sub');
      if (hd) heat(left, u8(hd.p), t0, 1, 'head', true);
      h('div', 'this channel\'s score share q\u00b7k/\u221ad_head (\u00b1' + fmt(x.att.cs) + ')', right, 'ex-sub');
      heat(right, q8(x.att.c, x.att.cs), t0, x.att.cs, 'channel score', false);
    }
  }

  // prompt view: built once (picker), redrawn on selection and prompt changes
  var pv = $('prompt-view'), pHead = null, pBody = null, picker = null, gridBox = null, gridOn = false;
  function buildPromptView() {
    clear(pv);
    if (!X.enabled) { pv.textContent = 'Examples are off: ' + (X.reason || 'no reason given'); return; }
    if (!P.length) { pv.textContent = 'No task prompts embedded.'; return; }
    pHead = h('div', null, pv, 'ex-legend');
    h('span', 'prompt ', pHead);
    picker = h('select', null, pHead);
    P.forEach(function (p, i) {
      var o = h('option', i + ': class ' + (p['class'] || '?') + ', ' + (p.tokens || []).length + ' tokens'
        + (p.cut ? ' (first ' + p.cut + ' cut to fit the context)' : ''), picker);
      o.value = String(i);
    });
    picker.value = String(promptIdx);
    picker.addEventListener('change', function () {
      var i = parseInt(picker.value, 10);
      promptIdx = isFinite(i) && i >= 0 && i < P.length ? i : 0;
      show(cur);
    });
    var lab = h('label', null, pHead);
    gridBox = h('input', null, lab);
    gridBox.type = 'checkbox';
    h('span', ' all nodes \u00d7 tokens', lab);
    gridBox.addEventListener('change', function () { gridOn = !!gridBox.checked; showPrompt(cur); });
    h('span', ' activations ' + (X.note || 'under the pruned circuit'), pHead, 'ex-sub');
    pBody = h('div', null, pv, 'ex-prompt');
  }
  function showPrompt(n) {
    if (!pBody) return;
    clear(pBody);
    var p = P[promptIdx], x = n ? NX[n.id] : null, toks = p.tokens || [];
    var tg = targetsOf(p), tr = h('div', null, pBody, 'ex-targets');
    h('span', 'targets: correct ', tr);
    h('span', tg[0] == null ? '(none)' : tok(tg[0]), tr, tg[0] == null ? null : 'ex-tok');
    h('span', ' other ', tr);
    h('span', tg[1] == null ? '(none)' : tok(tg[1]), tr, tg[1] == null ? null : 'ex-tok');
    h('span', '  (' + (p.kind || '') + ', class ' + (p['class'] || '?') + ')', tr, 'ex-sub');
    var vals = x && x.p ? q8(x.p, x.s).slice(starts[promptIdx], starts[promptIdx] + toks.length) : null;
    if (x) legend(pBody, x);
    else h('div', 'Select a node to colour the tokens by its activation.', pBody, 'ex-sub');
    var row = h('div', null, pBody, 'ex-row');
    toks.forEach(function (id, i) {
      if (vals) token(row, id, vals[i], x.s, 'position ' + i + ' ' + tok(id) + (n ? ' ' + n.id : ''), false);
      else { var s = h('span', tok(id), row, 'ex-tok'); s.title = 'position ' + i + ': token ' + id; }
    });
    if (gridOn) grid(pBody, n);
  }
  // every circuit node (rows, bottom layer first, each on its own scale) x the prompt's positions (columns)
  function grid(parent, n) {
    var t = (P[promptIdx].tokens || []).length, start = starts[promptIdx];
    var list = nodes.filter(function (nd) { return NX[nd.id] && NX[nd.id].p; });
    list.sort(function (a, b) { return (a.row - b.row) || (a.layer - b.layer) || (a.channel - b.channel); });
    var cw = Math.max(4, Math.min(24, Math.floor(1000 / Math.max(1, t)))), rh = Math.max(2, Math.min(8, Math.floor(1500 / Math.max(1, list.length))));
    h('div', 'Rows: the ' + list.length + ' circuit nodes, layer 0 first (each on its own colour scale); columns: positions 0..'
      + (t - 1) + '. Click a row to select its node.', parent, 'ex-sub');
    var L = 130, svg = el('svg', {'class': 'ex-grid', width: L + t * cw + 2, height: list.length * rh + 2}, parent), prev = null;
    list.forEach(function (nd, r) {
      var x = NX[nd.id], v = q8(x.p, x.s).slice(start, start + t), g = el('g', {}, svg), grp = nd.layer + '.' + nd.location + '.' + nd.sublocation;
      if (grp !== prev) {
        prev = grp;
        el('line', {x1: 0, x2: L + t * cw, y1: 1 + r * rh, y2: 1 + r * rh, stroke: '#ccc'}, svg);
        var lt = el('text', {x: 2, y: 10 + r * rh, 'font-size': 9, fill: '#666'}, svg);
        lt.textContent = grp;
      }
      v.forEach(function (val, i) {
        if (val !== 0) el('rect', {x: L + 1 + i * cw, y: 1 + r * rh, width: cw, height: rh, fill: colour(val, x.s)}, g);
      });
      var hit = el('rect', {x: L + 1, y: 1 + r * rh, width: t * cw, height: rh, fill: 'transparent'}, g);
      var ti = el('title', {}, hit);
      ti.textContent = nd.id + (nd.label ? ' ' + nd.label : '');
      hit.addEventListener('click', function () { select(nd.id); });
      if (n && nd.id === n.id) el('rect', {'class': 'ex-sel', x: L + 0.5, y: 0.5 + r * rh, width: t * cw + 1, height: rh}, svg);
    });
  }
  function show(n) {
    cur = n || null;
    showExamples(cur);
    showPrompt(cur);
  }
  buildPromptView();
  return {show: show};
})();
