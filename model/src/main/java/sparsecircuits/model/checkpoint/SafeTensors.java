package sparsecircuits.model.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;

/**
 * Reader and writer of the Hugging Face safetensors format.
 *
 * <h2>Format</h2>
 * An 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON,
 * {@code {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [BEGIN, END]}, ..., "__metadata__": {"k": "v"}}};
 * then the byte buffer. Offsets are relative to the buffer start, data is little-endian and
 * row-major, and the tensors cover the buffer exactly (no gaps, no overlap, nothing after the last).
 *
 * <h2>Writing</h2>
 * {@link #write(Path, List, Map)} stores every tensor as F32, in the order given, contiguously; the
 * header lists {@code __metadata__} first (when there is any metadata, its keys sorted) and then the
 * tensors in that order, and is padded with spaces so that {@code N} is a multiple of 8 (as the
 * reference library does, so that the buffer is 8-byte aligned). The same tensors and metadata give
 * the same bytes in every JVM: a {@code Map.of} or {@code HashMap} iterates in an order that may
 * change from one JVM to the next, so metadata keys are always sorted, and the map writer sorts the
 * tensors of a map that has no order of its own. The file is written atomically ({@link AtomicFiles}).
 *
 * <h2>Reading</h2>
 * F32, F16 and BF16 (and F64, I64, I32, I16, I8, U64, U32, U16, U8, BOOL) are converted to float on
 * load; F8 tensors are refused. The reader trusts nothing in the file: every inconsistency (header
 * length beyond the file or above {@link #MAX_HEADER_BYTES}, header not UTF-8 JSON, missing, unknown
 * or ill-typed fields, bad shapes, offsets out of the buffer, overlapping or leaving gaps,
 * byte counts that do not match dtype and shape, a truncated file) is a {@link CheckpointException}
 * whose one-line message names the file, the tensor and the problem. Memory allocated is bounded by
 * the file size (times 4 for 1-byte dtypes).
 */
public final class SafeTensors {
    /** Largest header accepted, as in the reference library (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Header key of the optional string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** Largest element count of one loaded tensor (a Java array bound). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final int CHUNK_BYTES = 1 << 20;
    private static final Map<String, Integer> DTYPE_SIZES = new LinkedHashMap<>();

    static {
        for (String d : List.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3")) DTYPE_SIZES.put(d, 1);
        for (String d : List.of("I16", "U16", "F16", "BF16")) DTYPE_SIZES.put(d, 2);
        for (String d : List.of("I32", "U32", "F32")) DTYPE_SIZES.put(d, 4);
        for (String d : List.of("I64", "U64", "F64")) DTYPE_SIZES.put(d, 8);
    }

    private static final Set<String> CONVERTIBLE = Set.of("BOOL", "U8", "I8", "I16", "U16", "F16", "BF16",
            "I32", "U32", "F32", "I64", "U64", "F64");

    private SafeTensors() {
    }

    /**
     * A tensor as float values, row-major. {@code dtype} is how it was stored in the file it was
     * read from ({@code "F32"} for tensors made here); the writer stores every tensor as F32. The
     * arrays are not copied.
     */
    public record Tensor(String name, String dtype, int[] shape, float[] data) {
        public Tensor {
            if (name == null || dtype == null || shape == null || data == null) {
                throw new IllegalArgumentException("tensor name, dtype, shape and data must not be null");
            }
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension in " + Arrays.toString(shape));
                }
                n *= d;
                if (n > MAX_ELEMENTS) n = MAX_ELEMENTS + 1;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape) + " ("
                        + n + " elements) but " + data.length + " values");
            }
        }

        /** An F32 tensor. */
        public static Tensor f32(String name, int[] shape, float[] data) {
            return new Tensor(name, "F32", shape, data);
        }

        @Override
        public String toString() {
            return "Tensor[" + name + ", " + dtype + " " + Arrays.toString(shape) + "]";
        }
    }

    /**
     * A tensor to be written whose values are made only when the writer reaches it, so that a file of many
     * tensors built on demand (a held parameter's dense copy) never needs more than one of them in memory.
     * {@code values} must return {@code numel(shape)} floats.
     */
    public record Pending(String name, int[] shape, Supplier<float[]> values) {
        long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    /** What the header says about one tensor; {@code begin} and {@code end} are relative to the buffer. */
    public record TensorInfo(String name, String dtype, int[] shape, long begin, long end) {
        /** Number of elements (the product of the shape; 1 for a scalar). */
        public long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        @Override
        public String toString() {
            return name + ": " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + "]";
        }
    }

    /**
     * A validated header: {@code headerLength} is N, the buffer starts at byte {@code 8 + N}; tensors
     * in header order.
     */
    public record Header(Path file, long headerLength, long bufferLength,
                         Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        public long bufferStart() {
            return 8 + headerLength;
        }
    }

    /** The tensors of a file, in header order, and its metadata (empty when it has none). */
    public record Loaded(Path file, LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        /**
         * The tensor called {@code name}.
         * @throws CheckpointException naming the file and the tensor when there is none
         */
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new CheckpointException(file + ": missing tensor '" + name + "'");
            }
            return t;
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} (values keyed by their names) and {@code metadata}; see {@link #write(Path, List, Map)}.
     * A {@link LinkedHashMap} or {@link SortedMap} keeps its order; any other map is written sorted by name.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException("key '" + e.getKey() + "' holds tensor '" + e.getValue().name() + "'");
            }
        }
        List<Tensor> list = new ArrayList<>(tensors.values());
        if (!(tensors instanceof LinkedHashMap || tensors instanceof SortedMap)) list.sort(Comparator.comparing(Tensor::name));
        write(file, list, metadata);
    }

    /**
     * Atomically writes {@code tensors} as F32 in the given order, with {@code metadata} (may be
     * null or empty: then there is no {@code __metadata__} entry).
     * @throws IllegalArgumentException for duplicate names, a tensor named {@code __metadata__} or a
     *         null metadata key or value
     * @throws CheckpointException when the file cannot be written
     */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) {
        writePending(file, tensors.stream().map(t -> new Pending(t.name(), t.shape(), t::data)).toList(), metadata);
    }

    /**
     * As {@link #write(Path, List, Map)}, asking each tensor for its values only when it is written and
     * dropping them before the next.
     * @throws IllegalArgumentException also when a tensor's values do not match its shape
     */
    public static void writePending(Path file, List<Pending> tensors, Map<String, String> metadata) {
        byte[] header = headerBytes(tensors, metadata);
        AtomicFiles.write(file, out -> writeTo(out, header, tensors));
    }

    /** The header bytes (JSON padded with spaces to a multiple of 8), without the length prefix. */
    static byte[] headerBytes(List<Pending> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            Map<String, Object> meta = new TreeMap<>(); // sorted: the caller's map may iterate differently in another JVM
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null");
                }
                meta.put(e.getKey(), e.getValue());
            }
            header.put(METADATA_KEY, meta);
        }
        long offset = 0;
        Set<String> seen = new HashSet<>();
        for (Pending t : tensors) {
            if (t.name().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be called " + METADATA_KEY);
            }
            if (!seen.add(t.name())) {
                throw new IllegalArgumentException("two tensors are called '" + t.name() + "'");
            }
            long end = offset + 4L * t.numel();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, end});
            header.put(t.name(), info);
            offset = end;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeTo(OutputStream out, byte[] header, List<Pending> tensors) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(0, header.length);
        out.write(chunk.array(), 0, 8);
        out.write(header);
        int perChunk = CHUNK_BYTES / 4;
        for (Pending t : tensors) {
            float[] data = t.values().get();
            if (data.length != t.numel()) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape()) + " but "
                        + data.length + " values");
            }
            for (int i = 0; i < data.length; i += perChunk) {
                int n = Math.min(perChunk, data.length - i);
                chunk.clear();
                chunk.asFloatBuffer().put(data, i, n);
                out.write(chunk.array(), 0, 4 * n);
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads and validates the header only, without loading tensor data. */
    public static Header readHeader(Path file) {
        try (FileChannel ch = open(file)) {
            return readHeader(file, ch);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + AtomicFiles.describe(e) + ")", e);
        }
    }

    /** Reads every tensor (converted to float) and the metadata. */
    public static Loaded read(Path file) {
        try (FileChannel ch = open(file)) {
            Header h = readHeader(file, ch);
            for (TensorInfo info : h.tensors().values()) {
                checkLoadable(file, info);
            }
            LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(8, h.bufferLength())))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo info : h.tensors().values()) {
                out.put(info.name(), new Tensor(info.name(), info.dtype(), info.shape(), load(file, ch, h, info, chunk)));
            }
            return new Loaded(file, out, h.metadata());
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + AtomicFiles.describe(e) + ")", e);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    private static void checkLoadable(Path file, TensorInfo info) {
        if (!CONVERTIBLE.contains(info.dtype())) {
            throw new CheckpointException(file + ": tensor '" + info.name() + "' has dtype " + info.dtype()
                    + ", which this reader cannot convert to float (it reads F32, F16, BF16, F64, integers and BOOL)");
        }
        if (info.numel() > MAX_ELEMENTS) {
            throw new CheckpointException(file + ": tensor '" + info.name() + "' has " + info.numel()
                    + " elements, more than one Java array can hold (" + MAX_ELEMENTS + ")");
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new CheckpointException(file + ": file is " + size + " bytes, too short for a safetensors header length (8 bytes); truncated or not a safetensors file");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > size - 8) {
            throw new CheckpointException(file + ": header length " + Long.toUnsignedString(n) + " is beyond the file size of "
                    + size + " bytes; truncated or not a safetensors file");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new CheckpointException(file + ": header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n < 2) {
            throw new CheckpointException(file + ": header length " + n + " is too small for a JSON object");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBuf, 8);
        headerBuf.flip();
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBuf);
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file + ": header is not valid UTF-8", e);
        }
        Object parsed;
        try {
            parsed = Json.parse(text, 8);
        } catch (JsonException e) {
            throw new CheckpointException(file + ": header is not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!(parsed instanceof Map)) {
            throw new CheckpointException(file + ": header is JSON but not an object");
        }
        long bufferLength = size - 8 - n;
        Map<String, String> metadata = Collections.emptyMap();
        LinkedHashMap<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed).entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                tensors.put(name, tensorInfo(file, name, e.getValue(), bufferLength));
            }
        }
        checkLayout(file, tensors, bufferLength);
        return new Header(file, n, bufferLength, Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> metadata(Path file, Object value) {
        if (!(value instanceof Map)) {
            throw new CheckpointException(file + ": " + METADATA_KEY + " is " + Json.kind(value) + ", not an object of strings");
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new CheckpointException(file + ": " + METADATA_KEY + " entry '" + e.getKey() + "' is "
                        + Json.kind(e.getValue()) + ", not a string");
            }
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo tensorInfo(Path file, String name, Object value, long bufferLength) {
        String where = file + ": tensor '" + name + "'";
        if (!(value instanceof Map)) {
            throw new CheckpointException(where + " is described by " + Json.kind(value) + ", not an object");
        }
        Map<?, ?> m = (Map<?, ?>) value;
        for (Object key : m.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new CheckpointException(where + " has an unknown field '" + key + "' (expected dtype, shape, data_offsets)");
            }
        }
        Object dtypeValue = m.get("dtype");
        if (!(dtypeValue instanceof String)) {
            throw new CheckpointException(where + (dtypeValue == null ? " has no dtype" : " has a dtype that is " + Json.kind(dtypeValue) + ", not a string"));
        }
        String dtype = (String) dtypeValue;
        Integer elementSize = DTYPE_SIZES.get(dtype);
        if (elementSize == null) {
            throw new CheckpointException(where + " has unknown dtype '" + dtype + "' (known: " + String.join(", ", DTYPE_SIZES.keySet()) + ")");
        }
        Object shapeValue = m.get("shape");
        if (!(shapeValue instanceof List)) {
            throw new CheckpointException(where + (shapeValue == null ? " has no shape" : " has a shape that is " + Json.kind(shapeValue) + ", not an array"));
        }
        List<?> shapeList = (List<?>) shapeValue;
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            Object d = shapeList.get(i);
            if (!(d instanceof Long)) {
                throw new CheckpointException(where + " has shape " + Json.write(shapeList) + " with a dimension that is not an integer: " + Json.write(d));
            }
            long v = (Long) d;
            if (v < 0) {
                throw new CheckpointException(where + " has shape " + Json.write(shapeList) + " with a negative dimension");
            }
            if (v > Integer.MAX_VALUE) {
                throw new CheckpointException(where + " has shape " + Json.write(shapeList) + " with a dimension above " + Integer.MAX_VALUE);
            }
            shape[i] = (int) v;
            if (!overflow) {
                try {
                    numel = Math.multiplyExact(numel, v);
                } catch (ArithmeticException ex) {
                    overflow = true;
                }
            }
        }
        long bytes = 0;
        if (!overflow) {
            try {
                bytes = Math.multiplyExact(numel, (long) elementSize);
            } catch (ArithmeticException ex) {
                overflow = true;
            }
        }
        if (overflow && numel != 0) {
            // a zero dimension makes the product 0 whatever the others are; only overflow without one counts
            boolean hasZero = false;
            for (int d : shape) hasZero |= d == 0;
            if (!hasZero) {
                throw new CheckpointException(where + " has shape " + Arrays.toString(shape) + " whose element count overflows 64 bits");
            }
            numel = 0;
            bytes = 0;
        }
        Object offValue = m.get("data_offsets");
        if (!(offValue instanceof List)) {
            throw new CheckpointException(where + (offValue == null ? " has no data_offsets" : " has data_offsets that are " + Json.kind(offValue) + ", not an array"));
        }
        List<?> offs = (List<?>) offValue;
        if (offs.size() != 2 || !(offs.get(0) instanceof Long) || !(offs.get(1) instanceof Long)) {
            throw new CheckpointException(where + " has data_offsets " + Json.write(offs) + "; expected two integers [begin, end]");
        }
        long begin = (Long) offs.get(0);
        long end = (Long) offs.get(1);
        String offText = "data_offsets [" + begin + ", " + end + "]";
        if (begin < 0 || end < begin) {
            throw new CheckpointException(where + " has " + offText + "; expected 0 <= begin <= end");
        }
        if (end > bufferLength) {
            throw new CheckpointException(where + " has " + offText + " beyond the data buffer of " + bufferLength
                    + " bytes; the file is truncated or corrupt");
        }
        if (end - begin != bytes) {
            throw new CheckpointException(where + " has " + offText + " but " + dtype + " " + Arrays.toString(shape)
                    + " needs " + bytes + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** Tensors must cover the buffer exactly: sorted by offset, each begins where the previous ended. */
    private static void checkLayout(Path file, Map<String, TensorInfo> tensors, long bufferLength) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort((a, b) -> a.begin() != b.begin() ? Long.compare(a.begin(), b.begin()) : Long.compare(a.end(), b.end()));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < expected) {
                throw new CheckpointException(file + ": tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlapping tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > expected) {
                throw new CheckpointException(file + ": tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end()
                        + "], leaving a gap of " + (t.begin() - expected) + " bytes before it in the data buffer");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != bufferLength) {
            throw new CheckpointException(file + ": " + (bufferLength - expected) + " bytes after the last tensor's data"
                    + " (the tensors cover " + expected + " of " + bufferLength + " buffer bytes)");
        }
    }

    private static float[] load(Path file, FileChannel ch, Header h, TensorInfo info, ByteBuffer chunk) throws IOException {
        int numel = (int) info.numel();
        float[] out = new float[numel];
        int size = DTYPE_SIZES.get(info.dtype());
        int perChunk = chunk.capacity() / size;
        long pos = h.bufferStart() + info.begin();
        for (int i = 0; i < numel; i += perChunk) {
            int n = Math.min(perChunk, numel - i);
            chunk.clear().limit(n * size);
            readFully(file, ch, chunk, pos);
            pos += (long) n * size;
            chunk.flip();
            convert(info.dtype(), chunk, out, i, n);
        }
        return out;
    }

    private static void convert(String dtype, ByteBuffer b, float[] out, int off, int n) {
        switch (dtype) {
            case "F32" -> b.asFloatBuffer().get(out, off, n);
            case "F16" -> {
                for (int i = 0; i < n; i++) out[off + i] = halfToFloat(b.getShort(2 * i));
            }
            case "BF16" -> {
                for (int i = 0; i < n; i++) out[off + i] = bfloat16ToFloat(b.getShort(2 * i));
            }
            case "F64" -> {
                for (int i = 0; i < n; i++) out[off + i] = (float) b.getDouble(8 * i);
            }
            case "I64" -> {
                for (int i = 0; i < n; i++) out[off + i] = (float) b.getLong(8 * i);
            }
            case "U64" -> {
                for (int i = 0; i < n; i++) {
                    long v = b.getLong(8 * i);
                    out[off + i] = v >= 0 ? (float) v : (float) (v >>> 1 | (v & 1)) * 2f;
                }
            }
            case "I32" -> {
                for (int i = 0; i < n; i++) out[off + i] = (float) b.getInt(4 * i);
            }
            case "U32" -> {
                for (int i = 0; i < n; i++) out[off + i] = (float) Integer.toUnsignedLong(b.getInt(4 * i));
            }
            case "I16" -> {
                for (int i = 0; i < n; i++) out[off + i] = b.getShort(2 * i);
            }
            case "U16" -> {
                for (int i = 0; i < n; i++) out[off + i] = b.getShort(2 * i) & 0xffff;
            }
            case "I8" -> {
                for (int i = 0; i < n; i++) out[off + i] = b.get(i);
            }
            case "U8" -> {
                for (int i = 0; i < n; i++) out[off + i] = b.get(i) & 0xff;
            }
            case "BOOL" -> {
                for (int i = 0; i < n; i++) out[off + i] = b.get(i) != 0 ? 1f : 0f;
            }
            default -> throw new IllegalStateException("unconvertible dtype " + dtype);
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new CheckpointException(file + ": unexpected end of file at byte " + pos + "; the file is truncated"
                        + " (or changed while being read)");
            }
            pos += r;
        }
    }

    // ------------------------------------------------------------------ half precision

    /** IEEE 754 binary16 bits (low 16 bits of {@code h}) to float, exactly: subnormals, signed zeros, infinities, NaN payloads. */
    public static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24, exact in float
            float f = mant * 0x1p-24f;
            return sign != 0 ? -f : f;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** bfloat16 bits (low 16 bits of {@code b}) to float: the upper half of a float, exactly. */
    public static float bfloat16ToFloat(int b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
