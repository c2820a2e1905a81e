package sparsecircuits.present.report;

import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Control;
import sparsecircuits.pruning.compare.Experiment.Controls;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.Pairing;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static sparsecircuits.present.report.ReportFormat.count;
import static sparsecircuits.present.report.ReportFormat.duration;
import static sparsecircuits.present.report.ReportFormat.esc;
import static sparsecircuits.present.report.ReportFormat.list;
import static sparsecircuits.present.report.ReportFormat.loss;
import static sparsecircuits.present.report.ReportFormat.model;
import static sparsecircuits.present.report.ReportFormat.name;
import static sparsecircuits.present.report.ReportFormat.orNa;
import static sparsecircuits.present.report.ReportFormat.percent;
import static sparsecircuits.present.report.ReportFormat.plain;
import static sparsecircuits.present.report.ReportFormat.ratioText;
import static sparsecircuits.present.report.ReportFormat.seed;
import static sparsecircuits.present.report.ReportFormat.tasks;

/**
 * The frontier report: one self-contained HTML5 page (inline CSS, inline SVG plots drawn by {@link Svg}, no scripts,
 * no fonts, no network) that opens from file:// and prints. The page is also well-formed XML, so tests and tools can
 * parse it. Sections: header and settings, headline ratio and notes, models, Fig. 3 (the frontier,
 * {@link FrontierFigures}), Fig. 2 per pairing, the tasks solved, the loss-matching gap, the seed spread (with more
 * than one seed), training curves and L0 schedule ({@link TrainingFigures}), controls.
 */
public final class ReportHtml {
    /** A sparse model and its partner whose validation losses differ by more than this share are loosely matched. */
    static final double LOOSE_GAP = 0.02;

    private ReportHtml() {
    }

    /**
     * One job of the run, for the page's last section: where it ran and on which kernels, and its time.
     *
     * @param where   host and runner ("vm (spark executor 1)")
     * @param kernels provider and vector width ("vector 512-bit")
     */
    public record JobRun(String name, String where, String kernels, double seconds) {
    }

    /** The whole page. Never throws on empty, partial or non-finite data. */
    public static String render(Experiment experiment) {
        return render(experiment, List.of());
    }

    /** The whole page, ending with where each of {@code jobs} ran. */
    public static String render(Experiment experiment, List<JobRun> jobs) {
        Experiment e = withoutNulls(experiment);
        StringBuilder h = new StringBuilder(1 << 16);
        String title = e.title() == null || e.title().isBlank() ? "Sparse vs dense circuits" : e.title();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>")
                .append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        header(h, e, title);
        headline(h, e);
        models(h, e);
        FrontierFigures.frontier(h, e);
        FrontierFigures.perPairing(h, e);
        solvedGrid(h, e);
        lossGap(h, e);
        seedSpread(h, e);
        TrainingFigures.curves(h, e);
        TrainingFigures.l0(h, e);
        controls(h, e);
        jobs(h, jobs);
        h.append("<footer>Written by sparse-circuits. This page is self-contained: no scripts, no network.</footer>\n")
                .append("</body>\n</html>\n");
        return h.toString();
    }

    /**
     * The experiment with null lists made empty and null entries (and models or pairings without ids) dropped, so the
     * sections and {@link Comparison} can look models up by id without guarding every call.
     */
    private static Experiment withoutNulls(Experiment e) {
        if (e == null) {
            e = new Experiment(null, null, null, null, null, null, null, Double.NaN, Double.NaN, null, null);
        }
        List<Model> models = list(e.models()).stream().filter(m -> m.id() != null).toList();
        List<Pairing> pairings = list(e.pairings()).stream().filter(p -> p.sparseId() != null && p.denseId() != null).toList();
        return new Experiment(e.title(), e.createdUtc(), e.machine(), e.settings(), models, pairings, list(e.targets()),
                e.mainTarget(), e.solvedBelow(), list(e.tasks()), list(e.notes()));
    }

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;\
            max-width:1100px;margin:1.5em auto;padding:0 1em;line-height:1.45;font-size:15px}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;\
            padding-bottom:.2em}h3{font-size:1.05em;margin:1.4em 0 .3em}h3 .vs{font-weight:400;color:#666}
            .meta{color:#555;margin:.2em 0}
            table{border-collapse:collapse;margin:.6em 0;font-size:13px}
            th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}
            th{background:#f3f3f3}td.l,th.l{text-align:left}
            .scroll{overflow-x:auto}
            .main{background:#fffbe6}
            tr.sparse td:first-child{border-left:4px solid #1f6fb4}tr.dense td:first-child{border-left:4px solid #e07b00}
            tr.total td{background:#f7f7f7;font-weight:600}
            .tag{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;color:#fff;margin-left:4px}
            .tag.s{background:#1f6fb4}.tag.d{background:#e07b00}
            .headline{font-size:1.1em;background:#f5f9ff;border:1px solid #c9dcf2;padding:.6em 1em;border-radius:4px}
            .big{font-size:1.5em;font-weight:600}
            .notes{background:#fff6d6;border:1px solid #e8c85a;padding:.5em 1em;border-radius:4px;margin-top:.8em}
            #models-table td:first-child,#frontier-table td:first-child{white-space:nowrap}
            .notes h3{margin:.2em 0;font-size:1em}
            .nr{color:#999;font-style:italic}
            .bad{color:#fff;background:#c62828;font-weight:700}
            .good{color:#1b5e20}
            td.flag{background:#fde0e0}
            td.ok{color:#1b5e20;text-align:center;background:#eef7ee}td.no{color:#b71c1c;background:#fdf0f0}
            td.clash{text-align:left;color:#6d4c00;background:#fff6d6}
            td.loose{color:#b71c1c}#solved-grid td.no,#solved-grid td.nr{text-align:center}
            svg.plot{max-width:100%;height:auto;display:block;margin:.4em 0}
            .caption{color:#555;font-size:13px;max-width:860px}
            footer{margin-top:2em;color:#888;font-size:12px}
            @media print{body{max-width:none;font-size:11pt}h2{break-after:avoid}svg.plot,table{break-inside:avoid}\
            .scroll{overflow:visible}}
            """;

    // ---------------------------------------------------------------- sections

    private static void header(StringBuilder h, Experiment e, String title) {
        h.append("<header>\n<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p class=\"meta\">Finished ").append(esc(orNa(e.createdUtc()))).append(" on ")
                .append(esc(orNa(e.machine()))).append("</p>\n");
        Map<String, String> settings = e.settings() == null ? Map.of() : e.settings();
        if (!settings.isEmpty()) {
            h.append("<table class=\"settings\">\n<tr><th class=\"l\">setting</th><th class=\"l\">value</th></tr>\n");
            for (Map.Entry<String, String> s : settings.entrySet()) {
                h.append("<tr><td class=\"l\">").append(esc(s.getKey())).append("</td><td class=\"l\">")
                        .append(esc(s.getValue())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</header>\n");
    }

    private static void headline(StringBuilder h, Experiment e) {
        h.append("<section id=\"headline\">\n<h2>Headline</h2>\n<div class=\"headline\">\n");
        Pairing head = e.headline();
        double main = e.mainTarget();
        Comparison.Ratio edges = Comparison.edgeRatio(e, main), nodes = Comparison.nodeRatio(e, main);
        h.append("<p><span class=\"big\" id=\"edge-ratio\">").append(ratioText(edges.geoMean())).append("</span> ")
                .append("geometric-mean edge ratio edges(dense) / edges(sparse) at target loss ").append(esc(plain(main)));
        if (head == null) {
            h.append(": no sparse model with a loss-matched dense partner");
        } else {
            h.append(", ").append(esc(name(e, head.sparseId()))).append(" against its loss-matched partner ")
                    .append(esc(name(e, head.denseId())));
        }
        h.append(", over <span id=\"edge-ratio-tasks\">").append(edges.tasks()).append("</span> of ")
                .append(list(e.tasks()).size()).append(" tasks (those where both models reached the target).</p>\n");
        h.append("<p>Node ratio nodes(dense) / nodes(sparse): <b id=\"node-ratio\">").append(ratioText(nodes.geoMean()))
                .append("</b> over ").append(tasks(nodes.tasks())).append(".</p>\n");
        if (head != null) {
            h.append("<p class=\"caption\">The headline is the widest sparse model's pairing, where the effect should be largest.</p>\n");
            everyTarget(h, e, head);
        }
        List<Pairing> others = list(e.pairings()).stream().filter(p -> !p.equals(head)).toList();
        if (!others.isEmpty()) {
            h.append("<p>The other pairings at target loss ").append(esc(plain(main))).append(":</p>\n<ul id=\"other-pairings\">\n");
            for (Pairing p : others) {
                Comparison.Ratio er = Comparison.edgeRatio(e, p, main), nr = Comparison.nodeRatio(e, p, main);
                h.append("<li>").append(esc(name(e, p.sparseId()))).append(" vs ").append(esc(name(e, p.denseId())))
                        .append(": edge ratio <b>").append(ratioText(er.geoMean())).append("</b> over ").append(tasks(er.tasks()))
                        .append(", node ratio ").append(ratioText(nr.geoMean())).append(" over ").append(tasks(nr.tasks()))
                        .append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("</div>\n");
        notes(h, e);
        h.append("</section>\n");
    }

    /** Whether the headline's sparse circuit is smaller at every (task, target) where both models reached the target. */
    private static void everyTarget(StringBuilder h, Experiment e, Pairing p) {
        int pairs = 0;
        List<String> notSmaller = new ArrayList<>();
        for (TaskResult t : list(e.tasks())) {
            for (double target : list(e.targets())) {
                Circuit s = Comparison.at(t.circuits(p.sparseId()), target), d = Comparison.at(t.circuits(p.denseId()), target);
                if (s != null && d != null && s.reached() && d.reached()) {
                    pairs++;
                    if (s.edges() >= d.edges()) {
                        notSmaller.add(t.task() + " at " + plain(target) + " (" + count(s.edges()) + " vs " + count(d.edges()) + " edges)");
                    }
                }
            }
        }
        h.append("<p id=\"every-target\">Sparse circuit smaller than dense at every target of the sweep: ");
        if (pairs == 0) {
            h.append("<b>n/a</b> (no task and target where both models reached it).");
        } else if (notSmaller.isEmpty()) {
            h.append("<b class=\"good\">yes</b>, at all ").append(pairs).append(" task/target pairs where both reached it.");
        } else {
            h.append("<b>no</b>: not smaller at ").append(notSmaller.size()).append(" of ").append(pairs).append(" pairs: ")
                    .append(esc(String.join("; ", notSmaller))).append('.');
        }
        h.append("</p>\n");
    }

    private static void jobs(StringBuilder h, List<JobRun> jobs) {
        if (jobs.isEmpty()) return;
        long kinds = jobs.stream().map(JobRun::kernels).distinct().count();
        h.append("<section id=\"jobs\">\n<h2>Jobs</h2>\n<p class=\"caption\">Where each job of this run ran, on which kernels, and its time")
                .append(kinds > 1 ? " (<b>more than one kind of kernels</b>: see the notes)" : "").append(".</p>\n")
                .append("<table>\n<tr><th class=\"l\">job</th><th class=\"l\">where</th><th class=\"l\">kernels</th><th>time</th></tr>\n");
        for (JobRun j : jobs) {
            h.append("<tr><td class=\"l\">").append(esc(j.name())).append("</td><td class=\"l\">").append(esc(j.where()))
                    .append("</td><td class=\"l\">").append(esc(j.kernels())).append("</td><td>").append(duration(j.seconds())).append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void notes(StringBuilder h, Experiment e) {
        List<String> notes = new ArrayList<>(list(e.notes()));
        for (Pairing p : list(e.pairings())) {
            Model s = model(e, p.sparseId()), d = model(e, p.denseId());
            if (s == null || d == null) {
                notes.add("The pairing " + p.sparseId() + " with " + p.denseId() + " names a model that is not among the models.");
            } else if (!s.sparse() || d.sparse()) {
                notes.add("The pairing " + p.sparseId() + " with " + p.denseId() + " should pair a sparse model with a dense one.");
            }
        }
        h.append("<div class=\"notes\" id=\"notes\">\n<h3>Notes</h3>\n");
        if (notes.isEmpty()) {
            h.append("<p>None.</p>\n");
        } else {
            h.append("<ul>\n");
            for (String n : notes) {
                h.append("<li>").append(esc(n)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("</div>\n");
    }

    private static void models(StringBuilder h, Experiment e) {
        h.append("<section id=\"models\">\n<h2>Models</h2>\n");
        List<Model> ms = list(e.models());
        if (ms.isEmpty()) {
            h.append("<p class=\"nr\">No models.</p>\n</section>\n");
            return;
        }
        h.append("<div class=\"scroll\"><table id=\"models-table\">\n<tr><th class=\"l\">model</th><th class=\"l\">id</th>")
                .append("<th class=\"l\">mode</th><th>d_model</th><th>layers</th><th>E</th><th>seed</th><th>params</th>")
                .append("<th>nonzeros</th><th>forced share</th><th>tokens</th><th>val loss</th><th>train time</th>")
                .append("<th class=\"l\">loss-matched partner</th></tr>\n");
        Pairing head = e.headline();
        for (Model m : ms) {
            Experiment.Setup u = m.setup();
            double density = m.params() > 0 ? (double) m.nonzeros() / m.params() : Double.NaN;
            h.append("<tr class=\"").append(m.sparse() ? "sparse" : "dense").append("\"><td class=\"l\">").append(esc(m.label()))
                    .append("</td><td class=\"l\">").append(esc(m.id())).append("</td><td class=\"l\">").append(esc(m.mode()))
                    .append("</td><td>").append(m.dModel()).append("</td><td>").append(u == null ? "n/a" : Integer.toString(u.layers()))
                    .append("</td><td>").append(u == null || !m.sparse() ? "–" : esc(plain(u.expansion()))).append("</td><td>")
                    .append(u == null ? "n/a" : Long.toString(u.seed())).append("</td><td>").append(count(m.params()))
                    .append("</td><td>").append(count(m.nonzeros()));
            if (Double.isFinite(density)) {
                h.append(" (").append(String.format(Locale.ROOT, "%.3g", 100 * density)).append("%)");
            }
            h.append("</td><td>").append(u == null || !m.sparse() ? "–" : percent(u.forcedShare())).append("</td><td>")
                    .append(u == null ? "n/a" : count(u.tokens())).append("</td><td>").append(loss(m.valLoss())).append("</td><td>")
                    .append(duration(m.seconds())).append("</td><td class=\"l\">");
            List<String> partners = new ArrayList<>();
            boolean inHeadline = false;
            for (Pairing p : list(e.pairings())) {
                if (p.sparseId().equals(m.id()) || p.denseId().equals(m.id())) {
                    partners.add(name(e, p.sparseId().equals(m.id()) ? p.denseId() : p.sparseId()));
                    inHeadline |= p.equals(head);
                }
            }
            h.append(partners.isEmpty() ? "<span class=\"nr\">none</span>" : esc(String.join(", ", partners)));
            if (inHeadline) {
                h.append("<span class=\"tag ").append(m.sparse() ? "s" : "d").append("\">headline</span>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table></div>\n<p class=\"caption\">Forced share: the share of the top-k budget the minimum-per-neuron ")
                .append("rule forces (sparse models). The loss-matched partner of a sparse model is the dense model closest ")
                .append("to it in validation loss, trained with the same seed.</p>\n</section>\n");
    }

    private static void solvedGrid(StringBuilder h, Experiment e) {
        h.append("<section id=\"solved\">\n<h2>Tasks solved</h2>\n");
        List<TaskResult> ts = list(e.tasks());
        List<Model> ms = list(e.models());
        if (ts.isEmpty()) {
            h.append("<p class=\"nr\">No tasks.</p>\n</section>\n");
            return;
        }
        h.append("<p class=\"caption\">A model solves a task when its unpruned held-out loss is at most ")
                .append(esc(plain(e.solvedBelow()))).append(" (✓); an unsolved cell shows the loss. Only solved tasks are ")
                .append("pruned. A task whose prompt and target the tokenizer merges cannot be measured at all.</p>\n")
                .append("<div class=\"scroll\"><table id=\"solved-grid\">\n<tr><th class=\"l\">task</th>");
        for (Model m : ms) {
            h.append("<th>").append(esc(m.label())).append("</th>");
        }
        h.append("</tr>\n");
        int[] solved = new int[ms.size()];
        for (TaskResult t : ts) {
            h.append("<tr><td class=\"l\">").append(esc(t.task())).append("</td>");
            if (t.tokenizerClash() != null) {
                h.append("<td class=\"clash\" colspan=\"").append(Math.max(1, ms.size())).append("\">tokenizer clash: ")
                        .append(esc(t.tokenizerClash())).append("</td></tr>\n");
                continue;
            }
            for (int i = 0; i < ms.size(); i++) {
                double l = t.loss(ms.get(i).id());
                if (t.solvedBy(ms.get(i).id(), e.solvedBelow())) {
                    solved[i]++;
                    h.append("<td class=\"ok\" title=\"loss ").append(loss(l)).append("\">✓</td>");
                } else {
                    h.append(Double.isNaN(l) ? "<td class=\"nr\">n/a</td>" : "<td class=\"no\">" + loss(l) + "</td>");
                }
            }
            h.append("</tr>\n");
        }
        h.append("<tr class=\"total\"><td class=\"l\">solved</td>");
        for (int n : solved) {
            h.append("<td>").append(n).append(" of ").append(ts.size()).append("</td>");
        }
        h.append("</tr>\n</table></div>\n</section>\n");
    }

    private static void lossGap(StringBuilder h, Experiment e) {
        h.append("<section id=\"gap\">\n<h2>Loss matching</h2>\n");
        List<Pairing> pairings = list(e.pairings());
        if (pairings.isEmpty()) {
            h.append("<p class=\"nr\">No pairings.</p>\n</section>\n");
            return;
        }
        h.append("<p class=\"caption\">Gap: (partner's validation loss − sparse model's) / sparse model's. A gap beyond ")
                .append(percent(LOOSE_GAP)).append(" makes the match loose: the dense circuits then come from a model ")
                .append("noticeably better or worse at the task of predicting text.</p>\n")
                .append("<div class=\"scroll\"><table id=\"gap-table\">\n<tr><th class=\"l\">sparse model</th><th>val loss</th>")
                .append("<th class=\"l\">partner</th><th>val loss</th><th>gap</th><th class=\"l\">match</th></tr>\n");
        for (Pairing p : pairings) {
            Model s = model(e, p.sparseId()), d = model(e, p.denseId());
            double gap = gap(s, d);
            boolean loose = Math.abs(gap) > LOOSE_GAP;
            h.append("<tr><td class=\"l\">").append(esc(name(e, p.sparseId()))).append("</td><td>")
                    .append(s == null ? "n/a" : loss(s.valLoss())).append("</td><td class=\"l\">").append(esc(name(e, p.denseId())))
                    .append("</td><td>").append(d == null ? "n/a" : loss(d.valLoss())).append("</td><td")
                    .append(loose ? " class=\"loose\">" : ">").append(signedPercent(gap)).append("</td><td class=\"l\">");
            if (!Double.isFinite(gap)) {
                h.append("<span class=\"nr\">cannot tell: a validation loss is missing</span>");
            } else if (!loose) {
                h.append("matched (within ").append(percent(LOOSE_GAP)).append(')');
            } else {
                Model closest = closestDense(e, s);
                h.append("<b>loose</b>: ");
                if (closest == null || closest == d) {
                    h.append("no dense width is within ").append(percent(LOOSE_GAP)).append("; the closest is ")
                            .append(esc(name(e, p.denseId()))).append(" (the partner), ").append(percent(Math.abs(gap))).append(" away");
                } else {
                    h.append("the closest dense width is ").append(esc(closest.label())).append(", ")
                            .append(percent(Math.abs(gap(s, closest)))).append(" away, not the partner");
                }
            }
            h.append("</td></tr>\n");
        }
        h.append("</table></div>\n</section>\n");
    }

    /** The dense model of the sparse model's seed whose validation loss is closest to it, or null. */
    private static Model closestDense(Experiment e, Model sparse) {
        List<Model> dense = list(e.models()).stream()
                .filter(m -> !m.sparse() && seed(m) == seed(sparse) && Double.isFinite(m.valLoss())).toList();
        return dense.isEmpty() ? null : dense.get(Comparison.lossMatched(sparse.valLoss(), dense.stream().map(Model::valLoss).toList()));
    }

    private static double gap(Model sparse, Model dense) {
        if (sparse == null || dense == null || !(sparse.valLoss() > 0)) {
            return Double.NaN;
        }
        return (dense.valLoss() - sparse.valLoss()) / sparse.valLoss();
    }

    private static String signedPercent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%+.1f%%", 100 * share).replace('-', '−') : "n/a";
    }

    /** Models sharing a mode and width, one per seed: the spread says how much one run's numbers can be trusted. */
    private static void seedSpread(StringBuilder h, Experiment e) {
        Map<String, List<Model>> groups = new LinkedHashMap<>();
        for (Model m : list(e.models())) {
            groups.computeIfAbsent(m.mode() + " " + m.dModel(), k -> new ArrayList<>()).add(m);
        }
        groups.values().removeIf(g -> g.stream().map(ReportFormat::seed).distinct().count() < 2);
        if (groups.isEmpty()) {
            return; // one seed: nothing to spread
        }
        double main = e.mainTarget();
        h.append("<section id=\"seeds\">\n<h2>Seed spread</h2>\n<p class=\"caption\">Models of the same mode and width ")
                .append("trained with different seeds: the range of their validation losses, and for each E the range of its ")
                .append("pairings' edge ratio at target loss ").append(esc(plain(main)))
                .append(". A range wide against the effect means one seed cannot settle it.</p>\n")
                .append("<div class=\"scroll\"><table id=\"seed-table\">\n<tr><th class=\"l\">models</th><th class=\"l\">seeds</th>")
                .append("<th>val loss min – max</th><th>edge ratio min – max</th><th class=\"l\">edge ratio per seed</th></tr>\n");
        for (List<Model> g : groups.values()) {
            Model first = g.get(0);
            ReportFormat.Range losses = new ReportFormat.Range(), ratios = new ReportFormat.Range();
            TreeSet<Long> seeds = new TreeSet<>();
            List<String> perSeed = new ArrayList<>();
            for (Model m : g) {
                losses.add(m.valLoss());
                seeds.add(seed(m));
                for (Pairing p : list(e.pairings())) {
                    if (first.sparse() && p.sparseId().equals(m.id())) {
                        Comparison.Ratio r = Comparison.edgeRatio(e, p, main);
                        ratios.add(r.geoMean());
                        perSeed.add("seed " + seed(m) + ": " + ratioText(r.geoMean()) + " over " + tasks(r.tasks()));
                    }
                }
            }
            h.append("<tr class=\"").append(first.sparse() ? "sparse" : "dense").append("\"><td class=\"l\">")
                    .append(esc(groupName(first))).append("</td><td class=\"l\">").append(esc(joined(seeds))).append("</td><td>")
                    .append(losses.empty() ? "n/a" : loss(losses.lo) + " – " + loss(losses.hi)).append("</td><td>")
                    .append(!first.sparse() ? "–" : ratios.empty() ? "n/a" : ratioText(ratios.lo) + " – " + ratioText(ratios.hi))
                    .append("</td><td class=\"l\">").append(perSeed.isEmpty() ? "–" : esc(String.join("; ", perSeed)))
                    .append("</td></tr>\n");
        }
        h.append("</table></div>\n</section>\n");
    }

    /** "sparse E 4 (d256)" or "dense d128": a model's label without its seed. */
    private static String groupName(Model m) {
        Experiment.Setup u = m.setup();
        if (m.sparse() && u != null && u.expansion() > 0) {
            return "sparse E " + plain(u.expansion()) + " (d" + m.dModel() + ")";
        }
        return (m.mode() == null ? "" : m.mode() + " ") + "d" + m.dModel();
    }

    private static String joined(TreeSet<Long> seeds) {
        List<String> out = new ArrayList<>();
        seeds.forEach(s -> out.add(Long.toString(s)));
        return String.join(", ", out);
    }

    private static void controls(StringBuilder h, Experiment e) {
        h.append("<section id=\"controls\">\n<h2>Controls</h2>\n<p class=\"caption\">A circuit is <b>not trustworthy</b> ")
                .append("when the random-init, the inverted-task or the nonsense-task control (every target drawn at random) ")
                .append("reaches the target loss with at most 2× the real ")
                .append("circuit's edges: pruning then finds a circuit that small without the trained mechanism. Zero ")
                .append("ablation is shown for reference and never flags. Highlighted cells are the controls that flag.</p>\n");
        List<String> ids = new ArrayList<>(); // model by model, so each model's circuits read together
        list(e.models()).forEach(m -> ids.add(m.id()));
        for (TaskResult task : list(e.tasks())) {
            for (Controls c : list(task.controls())) {
                if (c.modelId() != null && !ids.contains(c.modelId())) {
                    ids.add(c.modelId()); // a model the experiment does not list still has its controls shown
                }
            }
        }
        int rows = 0;
        StringBuilder t = new StringBuilder();
        for (String id : ids) {
            Model m = model(e, id);
            for (TaskResult task : list(e.tasks())) {
                Controls c = task.controls(id);
                if (c == null) {
                    continue;
                }
                t.append("<tr class=\"").append(m == null ? "other" : m.sparse() ? "sparse" : "dense").append("\"><td class=\"l\">")
                        .append(esc(name(e, id)))
                        .append("</td><td class=\"l\">").append(esc(task.task())).append("</td><td>").append(count(c.edges())).append("</td>")
                        .append(controlCell(c.randomInit(), "not run"))
                        .append(controlCell(c.inverted(), "n/a (single-target)"))
                        .append(controlCell(c.nonsense(), "n/a (single-target, or not run)"))
                        .append(controlCell(c.zeroAblation(), "not run"))
                        .append(c.trustworthy() ? "<td class=\"l good verdict\">trustworthy</td>"
                                : "<td class=\"l bad verdict\">NOT TRUSTWORTHY</td>")
                        .append("</tr>\n");
                rows++;
            }
        }
        if (rows == 0) {
            h.append("<p class=\"nr\">No controls were run.</p>\n</section>\n");
            return;
        }
        h.append("<div class=\"scroll\"><table id=\"controls-table\">\n<tr><th class=\"l\">model</th><th class=\"l\">task</th>")
                .append("<th>real edges</th><th>random init</th><th>inverted task</th><th>nonsense task</th><th>zero ablation</th>")
                .append("<th class=\"l\">verdict</th></tr>\n").append(t).append("</table></div>\n</section>\n");
    }

    private static String controlCell(Control c, String absent) {
        if (c == null) {
            return "<td class=\"nr\">" + esc(absent) + "</td>";
        }
        String cls = c.flags() ? " class=\"flag\"" : "";
        String text = c.reached() ? "reached, " + count(c.nodes()) + " / " + count(c.edges())
                : "<span class=\"nr\">not reached</span>";
        return "<td" + cls + " title=\"loss " + loss(c.loss()) + ", full model " + loss(c.fullLoss()) + "\">" + text + "</td>";
    }
}
