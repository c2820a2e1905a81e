package sparsecircuits.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-tokenisation of the reference "tinypython_2k" tokenizer (SPEC §3.2): text is cut into
 * pieces by {@link #REGEX}, and BPE merges never cross a piece boundary.
 *
 * <p>The pattern is compiled with {@link Pattern#UNICODE_CHARACTER_CLASS}, so {@code \s} is Unicode
 * white space (U+00A0, U+2028, U+3000, ...) as in the Python {@code regex}/Rust engines that the
 * reference and Hugging Face {@code tokenizers} use; {@code \p{L}} and {@code \p{N}} are Unicode
 * categories either way. Java matches a surrogate pair as one code point, so pieces never split a
 * supplementary character. Every character of the input belongs to exactly one piece (the last
 * alternative {@code \s+} and the punctuation alternative cover everything the others leave).
 */
public final class PreTokenizer {
    /** The pre-tokenisation regex, exactly as in SPEC §3.2 and in the exported {@code tokenizer.json}. */
    public static final String REGEX =
            "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static final Pattern PATTERN = Pattern.compile(REGEX, Pattern.UNICODE_CHARACTER_CLASS);

    private PreTokenizer() {
    }

    /** The pieces of {@code text}, in order; their concatenation is {@code text}. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PATTERN.matcher(text);
        int pos = 0;
        while (m.find()) {
            if (m.start() > pos) out.add(text.substring(pos, m.start())); // defensive: never happens
            out.add(m.group());
            pos = m.end();
        }
        if (pos < text.length()) out.add(text.substring(pos));
        return out;
    }
}
