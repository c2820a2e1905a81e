package sparsecircuits.model.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import sparsecircuits.autograd.param.HeldEntries;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.CheckpointException;

/**
 * {@code train-state.bin}: everything a bit-exact resume needs in one atomically written file: the step, and for
 * every parameter its dense values, kept set and Adam moments, plus the final logits bias. It is self-contained
 * (model.safetensors is the export for other tools), so a kill between two file writes cannot pair a state
 * with a model from another step. A CRC-32 trailer catches truncation and corruption.
 *
 * <p>Version 3 (written when some weight is held by the scalable recipe) adds, after each parameter's name and size, a
 * flag: a held weight stores its held entries (indices, values, both moments), its kept positions, its kept cap,
 * candidate count and dense-over-held Σg² ratio instead of dense arrays. A run without held weights writes version 1,
 * as before. Version 2 (the scalable recipe before its gradient scale followed the dense gradient) is refused.
 */
public final class TrainState {
    private static final int MAGIC = 0x53435453; // "SCTS"
    private static final int VERSION = 1;
    private static final int VERSION_HELD = 3;
    private static final int VERSION_HELD_BEFORE_RATIO = 2;

    private TrainState() {
    }

    /** Writes the state after {@code step} optimizer steps. */
    public static void save(Path file, long step, List<Parameter> params, float[] finalLogitsBias) {
        AtomicFiles.write(file, raw -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
            boolean anyHeld = params.stream().anyMatch(Parameter::isHeld);
            out.writeInt(MAGIC);
            out.writeInt(anyHeld ? VERSION_HELD : VERSION);
            out.writeLong(step);
            out.writeInt(params.size());
            for (Parameter p : params) {
                out.writeUTF(p.name());
                out.writeInt(p.numel());
                if (anyHeld) out.writeBoolean(p.isHeld());
                if (p.isHeld()) {
                    writeHeld(out, p);
                    continue;
                }
                writeFloats(out, p.value());
                int[] kept = p.isSparse() && p.nnz() < p.numel() ? p.keptIndices() : null;
                out.writeInt(kept == null ? -1 : kept.length);
                if (kept != null) for (int i : kept) out.writeInt(i);
                out.writeBoolean(p.hasMoments());
                if (p.hasMoments()) {
                    writeFloats(out, p.m());
                    writeFloats(out, p.v());
                }
            }
            writeFloats(out, finalLogitsBias);
            out.flush();
            raw.write(intBytes((int) crc.getValue()));
        });
    }

    /** Restores values, kept sets, moments and the logits bias into {@code params}; returns the step. */
    public static long load(Path file, List<Parameter> params, float[] finalLogitsBias) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CRC32 crc = new CRC32();
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            if (in.readInt() != MAGIC) throw bad(file, "not a sparse-circuits training state");
            int version = in.readInt();
            if (version == VERSION_HELD_BEFORE_RATIO) {
                throw bad(file, "written by an earlier build of the scalable recipe (state version 2), whose gradient scale this "
                        + "build no longer reproduces");
            }
            if (version != VERSION && version != VERSION_HELD) {
                throw bad(file, "version " + version + ", this build reads " + VERSION + " and " + VERSION_HELD);
            }
            long step = in.readLong();
            int n = in.readInt();
            if (n != params.size()) throw bad(file, n + " parameters, the model has " + params.size());
            for (Parameter p : params) {
                String name = in.readUTF();
                int numel = in.readInt();
                if (!name.equals(p.name()) || numel != p.numel()) {
                    throw bad(file, "holds " + name + " (" + numel + " values) where the model has " + p.name() + " (" + p.numel() + ")");
                }
                if (version == VERSION_HELD && in.readBoolean()) {
                    readHeld(in, p);
                    continue;
                }
                readFloats(in, p.value());
                int k = in.readInt();
                if (k < -1 || k > numel) throw bad(file, p.name() + ": kept count " + k + " out of range");
                if (k >= 0) {
                    int[] kept = new int[k];
                    for (int i = 0; i < k; i++) kept[i] = in.readInt();
                    p.restoreKept(kept);
                }
                if (in.readBoolean()) {
                    readFloats(in, p.m());
                    readFloats(in, p.v());
                }
            }
            readFloats(in, finalLogitsBias);
            int expect = (int) crc.getValue();
            byte[] tail = raw.readNBytes(4);
            if (tail.length != 4 || bytesInt(tail) != expect) throw bad(file, "checksum mismatch (truncated or corrupt)");
            if (raw.read() != -1) throw bad(file, "trailing bytes after the checksum");
            return step;
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": missing; resume needs the train-state.bin of a run made by 'train'");
        } catch (EOFException e) {
            throw bad(file, "truncated");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
    }

    private static void writeHeld(DataOutputStream out, Parameter p) throws IOException {
        HeldEntries h = p.held();
        out.writeInt(p.heldKeptCap());
        out.writeInt(p.candidateCount());
        out.writeDouble(p.denseOverHeldSquares());
        out.writeInt(h.size());
        for (int q = 0; q < h.size(); q++) out.writeInt(h.flat()[q]);
        writeFloats(out, java.util.Arrays.copyOf(h.value(), h.size()));
        writeFloats(out, java.util.Arrays.copyOf(h.m(), h.size()));
        writeFloats(out, java.util.Arrays.copyOf(h.v(), h.size()));
        int[] kept = h.keptPositions();
        out.writeInt(kept.length);
        for (int q : kept) out.writeInt(q);
    }

    private static void readHeld(DataInputStream in, Parameter p) throws IOException {
        int cap = in.readInt(), candidates = in.readInt();
        double ratio = in.readDouble();
        int size = in.readInt();
        if (size < 0 || size > p.numel() || cap < 0 || candidates < 0) throw new IllegalArgumentException(p.name() + ": held sizes out of range");
        int[] flat = new int[size];
        for (int q = 0; q < size; q++) flat[q] = in.readInt();
        float[] value = new float[size], m = new float[size], v = new float[size];
        readFloats(in, value);
        readFloats(in, m);
        readFloats(in, v);
        int k = in.readInt();
        if (k < 0 || k > size) throw new IllegalArgumentException(p.name() + ": kept count " + k + " out of range");
        int[] kept = new int[k];
        for (int q = 0; q < k; q++) kept[q] = in.readInt();
        p.restoreHeld(HeldEntries.restore(p.rows(), p.cols(), flat, value, m, v, kept), cap, candidates);
        p.setDenseOverHeldSquares(ratio);
    }

    private static CheckpointException bad(Path file, String what) {
        return new CheckpointException(file + ": " + what + "; the run cannot resume from it (start again with 'train')");
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        byte[] buf = new byte[Math.min(a.length, 1 << 14) * 4];
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, buf.length / 4);
            for (int j = 0; j < n; j++) {
                int b = Float.floatToRawIntBits(a[i + j]);
                buf[4 * j] = (byte) (b >>> 24); buf[4 * j + 1] = (byte) (b >>> 16);
                buf[4 * j + 2] = (byte) (b >>> 8); buf[4 * j + 3] = (byte) b;
            }
            out.write(buf, 0, 4 * n);
            i += n;
        }
    }

    private static void readFloats(DataInputStream in, float[] a) throws IOException {
        byte[] buf = new byte[Math.min(a.length, 1 << 14) * 4];
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, buf.length / 4);
            in.readFully(buf, 0, 4 * n);
            for (int j = 0; j < n; j++) a[i + j] = Float.intBitsToFloat(bytesInt(buf, 4 * j));
            i += n;
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static int bytesInt(byte[] b) {
        return bytesInt(b, 0);
    }

    private static int bytesInt(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }
}
