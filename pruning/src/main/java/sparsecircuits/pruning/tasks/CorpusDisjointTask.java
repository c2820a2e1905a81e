package sparsecircuits.pruning.tasks;

import java.util.ArrayList;
import java.util.List;
import sparsecircuits.model.corpus.CorpusStrings;

/**
 * A task whose pairs never occur verbatim in a corpus (issue 17 §5): a model trained on real code must not have read
 * a held-out prompt with its answer. A pair occurs when its prompt followed by its target (either side) is a substring
 * of a corpus document; such pairs are left out and, for a generator, replaced by the next ones it makes (the paper
 * tasks' generator gives the same first pairs for any count, so the kept pairs stay deterministic in the seed). A
 * finite task (a JSONL file) just has fewer pairs.
 */
public final class CorpusDisjointTask implements Task {
    private final Task inner;
    private final CorpusStrings corpus;

    private CorpusDisjointTask(Task inner, CorpusStrings corpus) {
        this.inner = inner;
        this.corpus = corpus;
    }

    public static CorpusDisjointTask of(Task inner, CorpusStrings corpus) {
        return new CorpusDisjointTask(inner, corpus);
    }

    /** The pairs kept, and those left out on the way because they occur in the corpus. */
    public record Selection(List<Pair> kept, List<Pair> excluded) {
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public boolean singleTarget() {
        return inner.singleTarget();
    }

    @Override
    public List<Pair> pairs(Split split, int count, long seed) {
        return select(split, count, seed).kept();
    }

    /** Up to {@code count} pairs of {@code split} that do not occur in the corpus, and the ones that did. */
    public Selection select(Split split, int count, long seed) {
        int ask = count;
        while (true) {
            List<Pair> all = inner.pairs(split, ask, seed);
            List<String> texts = new ArrayList<>(2 * all.size());
            for (Pair p : all) {
                texts.add(p.promptA() + p.targetA());
                texts.add(p.singleTarget() ? "" : p.promptB() + p.targetB());
            }
            boolean[] occurs = corpus.occurring(texts);
            List<Pair> kept = new ArrayList<>(), excluded = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                boolean inCorpus = occurs[2 * i] || !all.get(i).singleTarget() && occurs[2 * i + 1];
                (inCorpus ? excluded : kept).add(all.get(i));
            }
            boolean exhausted = all.size() < ask; // a finite task has no more to give
            boolean givingUp = ask >= 4L * count + 64; // a task made of the corpus's own strings: say so by returning fewer
            if (kept.size() >= count || exhausted || givingUp) {
                return new Selection(List.copyOf(kept.subList(0, Math.min(count, kept.size()))), List.copyOf(excluded));
            }
            ask += count - kept.size();
        }
    }
}
