package sparsecircuits.model.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writes a tree of plain Java values as JSON, compact or pretty. See {@link Json#write(Object)} for
 * the accepted types and the exact format. Stateless apart from one call's settings.
 */
final class JsonWriter {
    private final Appendable out;
    private final boolean pretty;
    private final int maxDepth;

    JsonWriter(Appendable out, boolean pretty, int maxDepth) {
        this.out = out;
        this.pretty = pretty;
        this.maxDepth = maxDepth;
    }

    /** Where a value sits in the tree, for error messages: {@code $.bench.spmm[2].gflops}. */
    private static final class Path {
        final Path parent;
        final String key;
        final int index;

        Path(Path parent, String key, int index) {
            this.parent = parent;
            this.key = key;
            this.index = index;
        }

        @Override
        public String toString() {
            if (parent == null) {
                return "$";
            }
            String p = parent.toString();
            if (key == null) {
                return p + "[" + index + "]";
            }
            boolean plain = !key.isEmpty() && key.chars().allMatch(c -> c == '_' || c == '-' || Character.isLetterOrDigit(c));
            return plain ? p + "." + key : p + "[" + Json.write(key) + "]";
        }
    }

    void writeDocument(Object value) {
        try {
            value(value, new Path(null, null, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void value(Object v, Path path, int depth) throws IOException {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String) {
            string((String) v, path);
        } else if (v instanceof Boolean) {
            out.append(v.toString());
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            out.append(v.toString());
        } else if (v instanceof Double) {
            out.append(finite((Double) v, path));
        } else if (v instanceof Float) {
            float f = (Float) v;
            if (!Float.isFinite(f)) {
                throw notFinite(f, path);
            }
            out.append(Float.toString(f));
        } else if (v instanceof Map) {
            object((Map<?, ?>) v, path, depth + 1);
        } else if (v instanceof List) {
            array((List<?>) v, path, depth + 1);
        } else if (v instanceof float[]) {
            float[] a = (float[]) v;
            Object[] boxed = new Object[a.length];
            for (int i = 0; i < a.length; i++) boxed[i] = a[i];
            array(List.of(boxed), path, depth + 1);
        } else if (v instanceof double[]) {
            double[] a = (double[]) v;
            Object[] boxed = new Object[a.length];
            for (int i = 0; i < a.length; i++) boxed[i] = a[i];
            array(List.of(boxed), path, depth + 1);
        } else if (v instanceof int[]) {
            int[] a = (int[]) v;
            Object[] boxed = new Object[a.length];
            for (int i = 0; i < a.length; i++) boxed[i] = a[i];
            array(List.of(boxed), path, depth + 1);
        } else if (v instanceof long[]) {
            long[] a = (long[]) v;
            Object[] boxed = new Object[a.length];
            for (int i = 0; i < a.length; i++) boxed[i] = a[i];
            array(List.of(boxed), path, depth + 1);
        } else {
            String hint = v instanceof Collection ? " (use a List: a JSON array needs a stable order)" : "";
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON at " + path
                    + hint + "; use Map, List, String, Boolean, Integer, Long, Double, Float, a primitive number array or null");
        }
    }

    private static String finite(double d, Path path) {
        if (!Double.isFinite(d)) {
            throw notFinite(d, path);
        }
        return Double.toString(d); // always a valid JSON number for a finite double (e.g. 1.0E-5)
    }

    private static IllegalArgumentException notFinite(double d, Path path) {
        return new IllegalArgumentException("cannot write " + d + " at " + path + ": JSON has no NaN or Infinity");
    }

    private void object(Map<?, ?> map, Path path, int depth) throws IOException {
        checkDepth(depth, path);
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new IllegalArgumentException("cannot write a map key of type "
                        + (e.getKey() == null ? "null" : e.getKey().getClass().getName()) + " at " + path + ": JSON member names are strings");
            }
            String key = (String) e.getKey();
            Path child = new Path(path, key, -1);
            if (!first) {
                out.append(',');
            }
            first = false;
            newline(depth);
            string(key, child);
            out.append(pretty ? ": " : ":");
            value(e.getValue(), child, depth);
        }
        newline(depth - 1);
        out.append('}');
    }

    private void array(List<?> list, Path path, int depth) throws IOException {
        checkDepth(depth, path);
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        boolean flat = true; // pretty mode keeps arrays of scalars on one line
        for (Object o : list) {
            if (o instanceof Map || o instanceof List || (o != null && o.getClass().isArray())) {
                flat = false;
                break;
            }
        }
        out.append('[');
        int i = 0;
        for (Object o : list) {
            if (i > 0) {
                out.append(pretty && flat ? ", " : ",");
            }
            if (!flat) {
                newline(depth);
            }
            value(o, new Path(path, null, i), depth);
            i++;
        }
        if (!flat) {
            newline(depth - 1);
        }
        out.append(']');
    }

    private void checkDepth(int depth, Path path) {
        if (depth > maxDepth) {
            throw new IllegalArgumentException("cannot write JSON nested deeper than " + maxDepth + " levels at " + path
                    + " (is there a cycle?)");
        }
    }

    private void newline(int depth) throws IOException {
        if (pretty) {
            out.append('\n');
            for (int i = 0; i < depth; i++) out.append("  ");
        }
    }

    private void string(String s, Path path) throws IOException {
        out.append('"');
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc;
            if (c == '"') {
                esc = "\\\"";
            } else if (c == '\\') {
                esc = "\\\\";
            } else if (c < 0x20) {
                switch (c) {
                    case '\b': esc = "\\b"; break;
                    case '\f': esc = "\\f"; break;
                    case '\n': esc = "\\n"; break;
                    case '\r': esc = "\\r"; break;
                    case '\t': esc = "\\t"; break;
                    default: esc = String.format("\\u%04x", (int) c);
                }
            } else if (c == '\u2028' || c == '\u2029') {
                esc = String.format("\\u%04x", (int) c); // legal in JSON, but not in older JavaScript string literals
            } else if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    throw new IllegalArgumentException("cannot write a string with an unpaired surrogate U+"
                            + String.format("%04X", (int) c) + " at index " + i + " at " + path + " (not valid Unicode)");
                }
                i++; // keep the pair as is
                continue;
            } else {
                continue;
            }
            out.append(s, run, i).append(esc);
            run = i + 1;
        }
        out.append(s, run, s.length()).append('"');
    }
}
