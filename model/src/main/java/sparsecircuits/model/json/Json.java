package sparsecircuits.model.json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's small, strict JSON reader and writer (RFC 8259), with no dependencies.
 *
 * <h2>The value tree</h2>
 * JSON maps to plain Java values, both ways:
 * <table>
 *   <caption>JSON and Java</caption>
 *   <tr><th>JSON</th><th>parse returns</th><th>write accepts</th></tr>
 *   <tr><td>object</td><td>unmodifiable {@code Map<String, Object>} in document order</td>
 *       <td>any {@code Map} with {@code String} keys, written in its iteration order (use
 *       {@link java.util.LinkedHashMap} for a stable order)</td></tr>
 *   <tr><td>array</td><td>unmodifiable {@code List<Object>}</td>
 *       <td>any {@code List}; {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]}</td></tr>
 *   <tr><td>string</td><td>{@code String}</td><td>{@code String} (valid UTF-16: no unpaired surrogates)</td></tr>
 *   <tr><td>number</td><td>{@code Long} when written without fraction and exponent and within the
 *       long range, else {@code Double}</td><td>{@code Integer}, {@code Long}, {@code Short}, {@code Byte},
 *       and finite {@code Double} and {@code Float} (NaN and infinities are refused)</td></tr>
 *   <tr><td>true / false</td><td>{@code Boolean}</td><td>{@code Boolean}</td></tr>
 *   <tr><td>null</td><td>{@code null}</td><td>{@code null}</td></tr>
 * </table>
 * A {@code Double} is written with {@link Double#toString(double)} (so {@code 3.0} stays {@code 3.0}
 * and reads back as a {@code Double}); a {@code Float} with {@link Float#toString(float)}, the
 * shortest text that reads back to the same float. So for every value tree of the types parse
 * returns, {@code parse(write(v)).equals(v)}.
 *
 * <h2>Output format</h2>
 * Compact: no whitespace at all. Pretty: two-space indentation, {@code "name": value}, one member or
 * element per line, except that an array holding no object or array stays on one line
 * ({@code [1, 2, 3]}); empty containers are {@code {}} and {@code []}. Neither form ends with a newline.
 * Strings escape {@code "} and {@code \}, control characters (as {@code \n}, {@code \t}, ... or
 * {@code \}{@code u00XX}) and U+2028/U+2029; everything else is written as is.
 *
 * <h2>Strictness of the parser</h2>
 * Exactly one value per document; whitespace is only space, tab, LF and CR; no comments, no trailing
 * commas, no single quotes, no leading zeros or {@code +} signs, no NaN/Infinity, no numbers beyond
 * the double range, no raw control characters or unpaired surrogates in strings, no duplicate member
 * names in an object, no byte order mark, and nesting at most {@link #DEFAULT_MAX_DEPTH} levels (or
 * the limit given). Every refusal is a {@link JsonException} whose message says where
 * ({@code line L, column C}) and what is wrong.
 */
public final class Json {
    /** Default nesting limit of parse and write. */
    public static final int DEFAULT_MAX_DEPTH = 256;

    private Json() {
    }

    /** Parses one JSON document; see the class comment for the value tree and the rules. */
    public static Object parse(String text) {
        return new JsonParser(text, DEFAULT_MAX_DEPTH).parseDocument();
    }

    /** Parses one JSON document allowing at most {@code maxDepth} nested objects/arrays. */
    public static Object parse(String text, int maxDepth) {
        return new JsonParser(text, maxDepth).parseDocument();
    }

    /**
     * Reads and parses a UTF-8 file. Malformed UTF-8 is a {@link JsonException} too.
     * @throws IOException when the file cannot be read
     */
    public static Object read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chars = CharBuffer.allocate(bytes.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult r = decoder.decode(in, chars, true);
        if (!r.isError()) {
            r = decoder.flush(chars);
        }
        if (r.isError()) {
            String before = chars.flip().toString();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < before.length(); i++) {
                char c = before.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 >= before.length() || before.charAt(i + 1) != '\n'))) {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new JsonException(line, before.length() - lineStart + 1, "invalid UTF-8 byte sequence at byte offset "
                    + in.position() + " of " + file + "; save the file as UTF-8");
        }
        String text = chars.flip().toString();
        return parse(text);
    }

    /** What a parsed value is, for error messages: "null", "a string", "an object", "an array", "a boolean", "a number". */
    public static String kind(Object v) {
        if (v == null) return "null";
        if (v instanceof String) return "a string";
        if (v instanceof java.util.Map) return "an object";
        if (v instanceof java.util.List) return "an array";
        if (v instanceof Boolean) return "a boolean";
        return "a number";
    }

    /** The compact JSON text of {@code value}. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb, false, DEFAULT_MAX_DEPTH).writeDocument(value);
        return sb.toString();
    }

    /** The pretty (indented) JSON text of {@code value}, without a trailing newline. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb, true, DEFAULT_MAX_DEPTH).writeDocument(value);
        return sb.toString();
    }

    /**
     * Appends the JSON text of {@code value} to {@code out}.
     * @throws IllegalArgumentException for a value JSON cannot hold (NaN, an unsupported type, ...),
     *         naming where in the tree it is; {@code out} may then hold a partial text
     * @throws java.io.UncheckedIOException when {@code out} fails
     */
    public static void write(Object value, Appendable out, boolean pretty) {
        new JsonWriter(out, pretty, DEFAULT_MAX_DEPTH).writeDocument(value);
    }
}
