package sparsecircuits.model.json;

/**
 * Malformed JSON text: says what is wrong and where, as {@code line L, column C: problem}.
 * Lines and columns count from 1; a column counts UTF-16 characters (a tab is one column).
 */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String problem;

    public JsonException(int line, int column, String problem) {
        super("line " + line + ", column " + column + ": " + problem);
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    /** 1-based line of the offending character. */
    public int line() {
        return line;
    }

    /** 1-based column of the offending character. */
    public int column() {
        return column;
    }

    /** What is wrong, without the position. */
    public String problem() {
        return problem;
    }
}
