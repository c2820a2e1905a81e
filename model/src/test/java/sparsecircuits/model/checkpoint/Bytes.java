package sparsecircuits.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds safetensors files byte by byte, per the format spec, for tests. */
final class Bytes {
    private Bytes() {
    }

    /** 8-byte little-endian length of the header, the header (UTF-8, unpadded), the buffer. */
    static byte[] file(String header, byte[] buffer) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, buffer);
    }

    /** A file whose length prefix says {@code n}, whatever follows. */
    static byte[] file(long n, byte[] header, byte[] buffer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(n));
        out.writeBytes(header);
        out.writeBytes(buffer);
        return out.toByteArray();
    }

    static byte[] le(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putInt(Float.floatToRawIntBits(f));
        return b.array();
    }

    static byte[] u16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
