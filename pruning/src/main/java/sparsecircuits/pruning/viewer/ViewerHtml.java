package sparsecircuits.pruning.viewer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.export.CircuitGraph;

/**
 * The circuit viewer: one self-contained HTML page (INTERP.md §3) with the circuit as one inline JSON blob in a
 * {@code <script type="application/json" id="data">}, inline CSS and inline vanilla JS that draws it. No libraries,
 * no network: the page opens from {@code file://}. Panels: run header, layered circuit graph (SVG), node inspector,
 * loss-at-k plot, controls, search, edge |weight| threshold; the selected node and threshold live in the URL hash.
 *
 * <p>Element ids for tests: {@code graph} (the svg), {@code g.node[data-id]}, {@code path.edge[data-source][data-target]},
 * {@code inspector}, {@code threshold}, {@code search}, {@code node-count}, {@code edge-count}.
 */
public final class ViewerHtml {
    /** The id of the JSON data block. */
    public static final String DATA_ID = "data";
    /** The id of the live-ablation JSON block ({@link ModelJs}). */
    public static final String LIVE_ID = "live";

    private ViewerHtml() {
    }

    /**
     * The page of {@code g}.
     *
     * @param run         circuit.json's "run" object (task, ablation, k, losses, bisection, controls...; may be empty)
     * @param modelFile   the model's file name as shown (may be null)
     * @param modelSha256 the model's SHA-256 (may be null)
     */
    public static String render(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256) {
        return render(g, run, modelFile, modelSha256, ModelJs.off("the viewer was not given the model and the task's prompts"));
    }

    /**
     * The page of {@code g} with live what-if ablation (issue 6 §3): {@code live} is {@link ModelJs#data} (or
     * {@link ModelJs#off}), held in a second JSON block {@code <script type="application/json" id="live">}; the page
     * exposes {@code window.liveAblation(ablatedNodeIds)} and shows the result in {@code live-loss} / {@code live-logits}.
     */
    public static String render(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256, Map<String, Object> live) {
        String data = json(data(g, run, modelFile, modelSha256));
        String title = "circuit " + String.valueOf(run.getOrDefault("task", "")) + " — sparse-circuits viewer";
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title) + "</title>\n"
                + "<style>\n" + CSS + "</style>\n</head>\n<body>\n" + BODY
                + "<script type=\"application/json\" id=\"" + DATA_ID + "\">" + data + "</script>\n"
                + "<script type=\"application/json\" id=\"" + LIVE_ID + "\">" + json(live) + "</script>\n"
                + "<script>\n" + JS.replace("/*__LIVE__*/", LIVE_JS) + "</script>\n</body>\n</html>\n";
    }

    /** The data blob as a Java object (what the page's JSON block holds). */
    public static Map<String, Object> data(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256) {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("file", modelFile);
        model.put("sha256", modelSha256);
        GptConfig c = g.config();
        model.put("n_layer", (long) c.nLayer());
        model.put("d_model", (long) c.dModel());
        model.put("n_head", (long) c.nHead());
        model.put("d_head", (long) c.dHead());
        model.put("d_mlp", (long) c.dMlp());
        model.put("vocab_size", (long) c.vocabSize());
        model.put("block_size", (long) c.blockSize());
        d.put("model", model);
        d.put("run", clean(run));
        List<Object> nodes = new ArrayList<>(g.nodes().size());
        for (CircuitGraph.Node n : g.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id());
            m.put("layer", (long) n.layer());
            m.put("location", n.location());
            m.put("sublocation", n.sublocation());
            m.put("channel", (long) n.channel());
            m.put("head", (long) n.head());
            m.put("mean", num(n.mean()));
            m.put("delta", num(n.delta()));
            m.put("label", n.label());
            nodes.add(m);
        }
        d.put("nodes", nodes);
        List<Object> links = new ArrayList<>(g.links().size());
        for (CircuitGraph.Link l : g.links()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", l.source());
            m.put("target", l.target());
            m.put("weight", num(l.weight()));
            m.put("type", l.type());
            links.add(m);
        }
        d.put("links", links);
        return d;
    }

    /** JSON that cannot end its script element: {@code <}, {@code >} and {@code &} as unicode escapes. */
    static String json(Object value) {
        String s = Json.write(value);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> out.append("\\u003c");
                case '>' -> out.append("\\u003e");
                case '&' -> out.append("\\u0026");
                case '\u2028' -> out.append("\\u2028");
                case '\u2029' -> out.append("\\u2029");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    /** A float as its shortest decimal double; null when not finite (JSON has no NaN). */
    private static Object num(double v) {
        if (!Double.isFinite(v)) return null;
        return v == (float) v ? Double.parseDouble(Float.toString((float) v)) : v;
    }

    /** A copy with non-finite numbers as null, so any run object can be written. */
    private static Object clean(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), clean(e.getValue()));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(clean(x));
            return out;
        }
        if (o instanceof Double v) return Double.isFinite(v) ? v : null;
        if (o instanceof Float v) return Float.isFinite(v) ? (double) v : null;
        if (o instanceof Integer v) return (long) v;
        if (o == null || o instanceof String || o instanceof Boolean || o instanceof Long) return o;
        if (o instanceof Number n) return n.doubleValue();
        return String.valueOf(o);
    }

    static String esc(String s) {
        return sparsecircuits.pruning.report.Markup.escape(s);
    }

    private static final String CSS = """
            body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
            header{padding:8px 12px;background:#fff;border-bottom:1px solid #ddd}
            header h1{font-size:16px;margin:0 0 4px}
            #header-table td{padding:0 10px 0 0;white-space:nowrap}
            .warn{color:#b00;font-weight:600}
            #bar{padding:6px 12px;display:flex;gap:16px;align-items:center;flex-wrap:wrap;background:#fff;border-bottom:1px solid #ddd}
            #main{display:flex;gap:8px;padding:8px}
            #graph-wrap{flex:1;overflow:auto;background:#fff;border:1px solid #ddd;max-height:80vh}
            #side{width:340px;display:flex;flex-direction:column;gap:8px}
            .panel{background:#fff;border:1px solid #ddd;padding:6px 8px}
            .panel h2{font-size:13px;margin:0 0 4px}
            .node circle,.node rect,.node path{stroke:#333;stroke-width:.6}
            .node{cursor:pointer}
            .node.sel circle,.node.sel rect,.node.sel path{stroke:#000;stroke-width:2.5}
            .node.hit circle,.node.hit rect,.node.hit path{stroke:#e60;stroke-width:2.5}
            .node.dim{opacity:.25}
            .edge{fill:none;opacity:.55}
            .edge.hl{opacity:1}
            .rowlab{font-size:10px;fill:#666}
            .nb{cursor:pointer;color:#05a}
            .nb:hover{text-decoration:underline}
            table.kv td{padding:0 6px 0 0;vertical-align:top}
            #empty{padding:24px;font-size:15px}
            code{font-size:12px}
            """;

    private static final String BODY = """
            <header><h1 id="title">circuit</h1><table id="header-table"><tbody id="header-body"></tbody></table></header>
            <div id="bar">
            <span>nodes: <b id="node-count">0</b></span><span>edges: <b id="edge-count">0</b> (<span id="edge-shown">0</span> shown)</span>
            <label>search <input id="search" type="search" placeholder="e.g. 0.attn.q or :5"></label>
            <label>|weight| &ge; <input id="threshold" type="range" min="0" max="1" step="0.001" value="0"> <span id="threshold-value">0</span></label>
            </div>
            <div id="main">
            <div id="graph-wrap"><svg id="graph" xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg><div id="empty" hidden>This circuit has no nodes.</div></div>
            <div id="side">
            <div class="panel" id="inspector"><h2>Node inspector</h2><div id="inspector-body">Click a node.</div></div>
            <div class="panel"><h2>Task loss at k (bisection)</h2><svg id="loss-plot" xmlns="http://www.w3.org/2000/svg" width="320" height="180"></svg></div>
            <div class="panel" id="live-panel"><h2>Live what-if ablation</h2><div id="live-status">off</div><div>task loss: <b id="live-loss">-</b></div><div id="live-logits"></div></div>
            <div class="panel" id="controls"><h2>Controls</h2><div id="controls-body">none recorded</div></div>
            </div>
            </div>
            """;

    private static final String JS = """
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
              if (!state.node) { body.textContent = 'Click a node.'; writeHash(); return; }
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
            function fromHash() {
              var s = readHash();
              state.thr = Math.max(0, s.thr); thr.value = String(state.thr); applyThreshold();
              select(s.node);
            }
            window.addEventListener('hashchange', fromHash);
            fromHash();
            })();
            """;

    /**
     * The live what-if ablation (issue 6 §3): {@link sparsecircuits.model.gpt.Gpt#forward}'s math in float64 over the
     * embedded CSR weights, one prompt at a time, nodes ablated to their means after AbsTopK as
     * {@link sparsecircuits.pruning.nodes.NodeMask}, the task loss as {@link sparsecircuits.pruning.loss.TaskLoss}.
     */
    private static final String LIVE_JS = """
            var LIVE = (function () {
              var L = JSON.parse(document.getElementById('live').textContent);
              var api = {enabled: !!L.enabled, toggled: {}, toggle: function () {}};
              var st = $('live-status');
              if (!L.enabled) { st.textContent = 'live ablation is off: ' + (L.reason || 'no model embedded'); return api; }
              function bytes(b64) {
                var s = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('binary');
                var u = new Uint8Array(s.length);
                for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
                return u.buffer;
              }
              function f32(b64) { return new Float32Array(bytes(b64)); }
              function i32(b64) { return new Int32Array(bytes(b64)); }
              var C = L.config, K = C.keep, P = {}, MEANS = {};
              Object.keys(L.params).forEach(function (k) {
                var t = L.params[k];
                P[k] = t.dense != null ? {shape: t.shape, dense: f32(t.dense)} : {shape: t.shape, ptr: i32(t.ptr), idx: i32(t.idx), val: f32(t.val)};
              });
              Object.keys(L.means).forEach(function (k) { MEANS[k] = f32(L.means[k]); });
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
              function topk(x, keep) {
                var n = x.length;
                if (keep >= n) return x;
                var ix = [];
                for (var i = 0; i < n; i++) ix.push(i);
                ix.sort(function (p, q) { return Math.abs(x[q]) - Math.abs(x[p]) || p - q; }); // ties: the lower channel
                var y = new Float64Array(n);
                for (var j = 0; j < keep; j++) y[ix[j]] = x[ix[j]];
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
              function lastLogits(tokens, ab) {
                var toks = tokens.length > C.block_size ? tokens.slice(tokens.length - C.block_size) : tokens, T = toks.length;
                var xs = toks.map(function (tok, i) {
                  var x = row(P['transformer.wte.weight'], tok);
                  if (C.learned_positions) add(x, row(P['transformer.wpe.weight'], i));
                  return x;
                });
                for (var l = 0; l < C.n_layer; l++) {
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
              function liveAblation(ablatedNodeIds) {
                var ab = {};
                (ablatedNodeIds || []).forEach(function (id) {
                  var i = id.lastIndexOf(':');
                  (ab[id.slice(0, i)] = ab[id.slice(0, i)] || []).push(parseInt(id.slice(i + 1), 10));
                });
                var loss = 0, logitA = null, logitB = null;
                L.prompts.forEach(function (p, i) {
                  var x = lastLogits(p.tokens, ab);
                  loss += seqLoss(x, p.correct, p.other);
                  if (i === 0) { logitA = p.correct >= 0 ? x[p.correct] : null; logitB = p.other >= 0 ? x[p.other] : null; }
                });
                return {loss: loss / L.prompts.length, logitA: logitA, logitB: logitB};
              }
              window.liveAblation = liveAblation;
              // the page's baseline is the circuit: every node outside it at its mean; toggling ablates circuit nodes too
              var inCircuit = {}, outside = [];
              nodes.forEach(function (n) { inCircuit[n.id] = 1; });
              for (var l = 0; l < C.n_layer; l++) {
                ROWS.forEach(function (loc) {
                  var w = /attn\\.[qkv]$/.test(loc) ? A : loc === 'mlp.post_act' ? C.d_mlp : C.d_model;
                  for (var c = 0; c < w; c++) { var id = l + '.' + loc + ':' + c; if (!inCircuit[id]) outside.push(id); }
                });
              }
              var base = null;
              api.toggle = function (id) {
                if (api.toggled[id]) delete api.toggled[id]; else api.toggled[id] = 1;
                if (!base) base = liveAblation(outside);
                var extra = Object.keys(api.toggled), r = liveAblation(outside.concat(extra));
                $('live-loss').textContent = fmt(r.loss) + ' (circuit ' + fmt(base.loss) + ')';
                var p0 = L.prompts[0];
                $('live-logits').textContent = 'first prompt: logit[' + p0.correct + '] ' + fmt(r.logitA) + ', logit[' + p0.other + '] ' + fmt(r.logitB)
                  + ' (circuit ' + fmt(base.logitA) + ', ' + fmt(base.logitB) + ')';
                st.textContent = extra.length + ' circuit node(s) ablated: ' + extra.join(', ');
                return r;
              };
              st.textContent = 'on (' + L.prompts.length + ' prompts, ' + L.nonzeros + ' nonzeros): toggle a node in the inspector';
              return api;
            })();
            """;
}
