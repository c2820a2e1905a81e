package sparsecircuits.model.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser over a whole text. See {@link Json#parse(String)} for what it returns
 * and what it refuses. One instance parses one text; not thread-safe.
 */
final class JsonParser {
    private final String s;
    private final int maxDepth;
    private int pos;
    private int depth;

    JsonParser(String text, int maxDepth) {
        if (text == null) {
            throw new IllegalArgumentException("JSON text must not be null");
        }
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be >= 1, got " + maxDepth);
        }
        this.s = text;
        this.maxDepth = maxDepth;
    }

    Object parseDocument() {
        if (!s.isEmpty() && s.charAt(0) == '\uFEFF') {
            throw error(0, "byte order mark (U+FEFF) before the JSON text; save the file as UTF-8 without BOM");
        }
        skipWhitespace();
        if (pos == s.length()) {
            throw error(pos, "empty input: expected a JSON value");
        }
        Object value = parseValue();
        skipWhitespace();
        if (pos != s.length()) {
            throw error(pos, "unexpected " + describe(pos) + " after the JSON value; a document holds exactly one value");
        }
        return value;
    }

    private Object parseValue() {
        if (pos >= s.length()) {
            throw error(pos, "unexpected end of input: expected a value");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return parseObject();
            case '[':
                return parseArray();
            case '"':
                return parseString();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return parseNumber();
                }
                throw error(pos, "unexpected " + describe(pos) + ": expected a value (object, array, string, number, true, false or null)");
        }
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, pos)) {
            throw error(pos, "unexpected " + describe(pos) + ": expected a value (did you mean '" + word + "'?)");
        }
        pos += word.length();
        return value;
    }

    private Map<String, Object> parseObject() {
        int start = pos;
        enter(start);
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                if (peek() == '}') {
                    throw error(pos, "trailing comma before '}'; remove the last ','");
                }
                throw error(pos, "unexpected " + describe(pos) + ": expected a member name in double quotes");
            }
            int keyPos = pos;
            String key = parseString();
            if (map.containsKey(key)) {
                throw error(keyPos, "duplicate member name " + quote(key) + " in the object; each name may appear once");
            }
            skipWhitespace();
            if (peek() != ':') {
                throw error(pos, "unexpected " + describe(pos) + ": expected ':' after member name " + quote(key));
            }
            pos++;
            skipWhitespace();
            map.put(key, parseValue());
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                depth--;
                return Collections.unmodifiableMap(map);
            } else {
                throw error(pos, "unexpected " + describe(pos) + ": expected ',' or '}' in the object that starts at "
                        + position(start));
            }
        }
    }

    private List<Object> parseArray() {
        int start = pos;
        enter(start);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWhitespace();
            if (peek() == ']') {
                throw error(pos, "trailing comma before ']'; remove the last ','");
            }
            list.add(parseValue());
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                depth--;
                return Collections.unmodifiableList(list);
            } else {
                throw error(pos, "unexpected " + describe(pos) + ": expected ',' or ']' in the array that starts at "
                        + position(start));
            }
        }
    }

    private void enter(int at) {
        if (++depth > maxDepth) {
            throw error(at, "nesting deeper than " + maxDepth + " levels");
        }
    }

    private String parseString() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= s.length()) {
                throw error(start, "unterminated string: no closing '\"'");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String result = sb == null ? s.substring(runStart, pos) : sb.append(s, runStart, pos).toString();
                pos++;
                return result;
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, runStart, pos);
                parseEscape(sb);
                runStart = pos;
            } else if (c < 0x20) {
                throw error(pos, "control character " + codePoint(c) + " inside a string; write it as an escape such as \\n or \\u"
                        + String.format("%04x", (int) c));
            } else if (Character.isHighSurrogate(c)) {
                if (pos + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(pos + 1))) {
                    throw error(pos, "unpaired surrogate " + codePoint(c) + " inside a string (not valid Unicode)");
                }
                pos += 2;
            } else if (Character.isLowSurrogate(c)) {
                throw error(pos, "unpaired surrogate " + codePoint(c) + " inside a string (not valid Unicode)");
            } else {
                pos++;
            }
        }
    }

    /** At a backslash: appends the escaped character(s) and moves past the escape. */
    private void parseEscape(StringBuilder sb) {
        int at = pos;
        if (pos + 1 >= s.length()) {
            throw error(at, "unterminated escape at the end of input");
        }
        char e = s.charAt(pos + 1);
        pos += 2;
        switch (e) {
            case '"': sb.append('"'); return;
            case '\\': sb.append('\\'); return;
            case '/': sb.append('/'); return;
            case 'b': sb.append('\b'); return;
            case 'f': sb.append('\f'); return;
            case 'n': sb.append('\n'); return;
            case 'r': sb.append('\r'); return;
            case 't': sb.append('\t'); return;
            case 'u': break;
            default:
                throw error(at, "invalid escape '\\" + printable(e) + "'; JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX");
        }
        char u = hex4(at);
        if (Character.isHighSurrogate(u)) {
            if (pos + 1 < s.length() && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
                int lowAt = pos;
                pos += 2;
                char low = hex4(lowAt);
                if (!Character.isLowSurrogate(low)) {
                    throw error(lowAt, "escape \\u" + hex(u) + " (a high surrogate) must be followed by a low surrogate escape, got \\u" + hex(low));
                }
                sb.append(u).append(low);
                return;
            }
            throw error(at, "escape \\u" + hex(u) + " is an unpaired high surrogate (not valid Unicode)");
        }
        if (Character.isLowSurrogate(u)) {
            throw error(at, "escape \\u" + hex(u) + " is an unpaired low surrogate (not valid Unicode)");
        }
        sb.append(u);
    }

    private char hex4(int escapeAt) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = pos + i < s.length() ? hexDigit(s.charAt(pos + i)) : -1;
            if (d < 0) {
                throw error(pos + i, "invalid \\u escape at " + position(escapeAt) + ": expected 4 hex digits, got " + describe(pos + i));
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object parseNumber() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        char c = peek();
        if (c == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error(start, "leading zeros are not allowed in numbers");
            }
        } else if (isDigit(c)) {
            while (isDigit(peek())) pos++;
        } else {
            throw error(pos, "unexpected " + describe(pos) + ": expected a digit in the number");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw error(pos, "unexpected " + describe(pos) + ": expected a digit after the decimal point");
            }
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) {
                throw error(pos, "unexpected " + describe(pos) + ": expected a digit in the exponent");
            }
            while (isDigit(peek())) pos++;
        }
        String text = s.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException tooBig) {
                // beyond the long range: read as a double below
            }
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            throw error(start, "number " + abbreviate(text) + " is out of the double range");
        }
        return d;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    /** The character at pos, or 0 at the end (0 never starts or continues any token). */
    private char peek() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    private String describe(int at) {
        if (at >= s.length()) {
            return "end of input";
        }
        char c = s.charAt(at);
        if (c < 0x20 || c == 0x7f) {
            return "control character " + codePoint(c);
        }
        if (Character.isSurrogate(c)) {
            return "character " + codePoint(s.codePointAt(at));
        }
        return "'" + c + "'";
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? codePoint(c) : String.valueOf(c);
    }

    private static String codePoint(int c) {
        return String.format("U+%04X", c);
    }

    private static String hex(char c) {
        return String.format("%04x", (int) c);
    }

    private static String quote(String key) {
        return "\"" + abbreviate(key) + "\"";
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    private String position(int at) {
        int[] lc = lineColumn(at);
        return "line " + lc[0] + ", column " + lc[1];
    }

    private JsonException error(int at, String problem) {
        int[] lc = lineColumn(at);
        return new JsonException(lc[0], lc[1], problem);
    }

    /** Line and column (1-based) of offset {@code at}; CR LF, LF and CR each end a line. */
    private int[] lineColumn(int at) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(at, s.length());
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'))) {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, at - lineStart + 1};
    }
}
