package sparsecircuits.model.tokenizer;

/**
 * The GPT-2 table that maps each of the 256 byte values to one printable Unicode character, so that
 * a byte-level token can be written as a plain string (in {@code tokenizer.json}, for instance).
 *
 * <p>The printable Latin-1 bytes {@code '!'..'~'}, {@code '¡'..'¬'} and {@code '®'..'ÿ'} map to
 * themselves; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen, ...) map, in increasing
 * byte order, to U+0100, U+0101, ... U+0143. So space (0x20) is {@code 'Ġ'} (U+0120) and
 * line feed (0x0A) is {@code 'Ċ'} (U+010A), as in every GPT-2-style vocabulary.
 */
public final class ByteUnicode {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            char c = printable[b] ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteUnicode() {
    }

    /** The character that stands for byte {@code b} (0..255, or any byte value, taken unsigned). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte (0..255) that character {@code c} stands for, or -1 when {@code c} is not in the table. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The byte-level string of {@code bytes}: one character per byte. */
    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(out);
    }

    /**
     * The bytes a byte-level string stands for.
     * @throws IllegalArgumentException when a character is not in the table
     */
    public static byte[] decode(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            int b = byteOf(s.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException("character U+" + String.format("%04X", (int) s.charAt(i)) + " at index "
                        + i + " of \"" + s + "\" is not in the GPT-2 byte-level alphabet");
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
