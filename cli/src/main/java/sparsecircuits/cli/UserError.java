package sparsecircuits.cli;

/**
 * Bad input from the user (an unknown command or option, a bad value, a missing file): the CLI
 * prints {@code sparse-circuits: <problem>; <fix>} on one line and exits with status 2, with no
 * stack trace (DESIGN.md decision 10).
 */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String fix;

    /**
     * @param problem what is wrong, e.g. {@code "--seconds must be a number, got 'ten'"}
     * @param fix     how to fix it, e.g. {@code "give seconds as a number, e.g. --seconds 5"}
     */
    public UserError(String problem, String fix) {
        super(problem + "; " + fix);
        this.problem = problem;
        this.fix = fix;
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }
}
