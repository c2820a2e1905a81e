package sparsecircuits.model.corpus;

import java.math.BigDecimal;
import java.util.Iterator;

/**
 * Documents of two corpora interleaved so that a fixed share of the <b>characters</b> comes from the first (a
 * directory, typically) and the rest from the second (the synthetic generator, typically).
 *
 * <ul>
 *   <li>Before each document the mix takes it from the side whose running character count is furthest below its
 *       target ({@code share} of all characters so far for the first side, {@code 1 − share} for the second); ties go
 *       to the first side, so the mix starts with it. After n documents the first side's share of the characters is
 *       off by at most one document's length over the characters so far.</li>
 *   <li>{@link #train()} mixes the two training sequences and {@link #validation()} the two validation sequences, so
 *       the two stay disjoint whenever each side's are.</li>
 *   <li>A side that runs out (a directory) starts over from its first document, so the mix is unbounded
 *       ({@link #isFinite()} is false) and never drifts from its share; every {@code iterator()} starts the same
 *       sequence again.</li>
 * </ul>
 */
public final class MixedCorpus implements Corpus {

    private final Corpus first;
    private final Corpus second;
    private final double share;

    private MixedCorpus(Corpus first, Corpus second, double share) {
        this.first = first;
        this.second = second;
        this.share = share;
    }

    /**
     * @param share the share of characters from {@code first}, strictly between 0 and 1
     * @throws IllegalArgumentException when the share is out of range, or a side has no training or no validation
     *         document (it could never give its share)
     */
    public static MixedCorpus of(Corpus first, Corpus second, double share) {
        if (first == null || second == null) throw new IllegalArgumentException("a mixed corpus needs two corpora, got null");
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException("the share of a mixed corpus must be strictly between 0 and 1, got " + share
                    + ": use the corpus alone for 0 or 1");
        }
        requireDocuments(first);
        requireDocuments(second);
        return new MixedCorpus(first, second, share);
    }

    private static void requireDocuments(Corpus c) {
        if (!c.train().iterator().hasNext()) {
            throw new IllegalArgumentException(c.describe() + " has no training document, so it cannot take a share of a mix: add documents to it");
        }
        if (!c.validation().iterator().hasNext()) {
            throw new IllegalArgumentException(c.describe() + " has no validation document, so it cannot take a share of a mix: add documents to it");
        }
    }

    /** The share of characters from the first corpus. */
    public double share() {
        return share;
    }

    public Corpus first() {
        return first;
    }

    public Corpus second() {
        return second;
    }

    @Override
    public Iterable<String> train() {
        Iterable<String> a = first.train(), b = second.train();
        return () -> new Mix(a, b, share);
    }

    @Override
    public Iterable<String> validation() {
        Iterable<String> a = first.validation(), b = second.validation();
        return () -> new Mix(a, b, share);
    }

    @Override
    public boolean isFinite() {
        return false;
    }

    @Override
    public String describe() {
        BigDecimal s = BigDecimal.valueOf(share);
        return "a mix by characters of " + s.toPlainString() + " " + first.describe() + " and "
                + BigDecimal.ONE.subtract(s).toPlainString() + " " + second.describe();
    }

    /** The interleaving: pick the side furthest below its target share of the characters so far. */
    private static final class Mix implements Iterator<String> {
        private final Side a, b;
        private final double share;
        private long charsA, charsB;

        Mix(Iterable<String> a, Iterable<String> b, double share) {
            this.a = new Side(a);
            this.b = new Side(b);
            this.share = share;
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public String next() {
            // first side's deficit share·n − charsA; the second side's is its negation, so one comparison decides
            boolean takeA = charsA <= share * (charsA + charsB);
            String doc = (takeA ? a : b).next();
            if (takeA) charsA += doc.length();
            else charsB += doc.length();
            return doc;
        }
    }

    /** One side's documents, starting over when they run out. */
    private static final class Side {
        private final Iterable<String> docs;
        private Iterator<String> it;
        private long charsThisPass;

        Side(Iterable<String> docs) {
            this.docs = docs;
            this.it = docs.iterator();
        }

        String next() {
            if (!it.hasNext()) {
                // a pass of nothing but empty documents would keep the side below its share forever
                if (charsThisPass == 0) throw new IllegalStateException("a side of a mixed corpus has only empty documents");
                it = docs.iterator();
                charsThisPass = 0;
                if (!it.hasNext()) throw new IllegalStateException("a side of a mixed corpus has no documents left on a second pass");
            }
            String d = it.next();
            charsThisPass += d.length();
            return d;
        }
    }
}
