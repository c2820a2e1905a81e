package sparsecircuits.autograd.graph;

import java.util.Arrays;
import sparsecircuits.autograd.param.Parameter;

/**
 * A row-major float tensor on the tape. The last dimension is the channel axis: {@link #rows()} ×
 * {@link #cols()} is the 2-D view every op uses (token-major activations are {@code [batch, tokens, channels]}).
 * <p>
 * A leaf either wraps a {@link Parameter} (sharing its value and gradient arrays, so backward accumulates
 * straight into the parameter) or is a plain variable/constant. Non-leaf tensors are made by {@link Ops}
 * and remember the tape node that made them.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;
    private final int cols;
    private final int rows;
    private final Parameter parameter;
    private final boolean requiresGrad;
    private float[] grad;
    private String name;
    Tape.Node creator;
    boolean needsGrad; // set by Tape while a backward pass runs
    boolean retainGrad;
    Tape owner; // a recycling tape lends this tensor's gradient buffer

    Tensor(float[] data, boolean requiresGrad, Parameter parameter, int... shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a tensor needs at least one dimension (use [1] for a scalar)");
        }
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, data has " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
        this.cols = shape[shape.length - 1];
        this.rows = cols == 0 ? 0 : (int) (n / cols);
        this.requiresGrad = requiresGrad;
        this.parameter = parameter;
        this.needsGrad = requiresGrad;
    }

    /** A constant: no gradient flows into it. */
    public static Tensor constant(float[] data, int... shape) {
        return new Tensor(data, false, null, shape);
    }

    /** A leaf whose gradient is wanted (an activation to attribute, a mask parameter, a test input). */
    public static Tensor variable(float[] data, int... shape) {
        return new Tensor(data, true, null, shape);
    }

    /**
     * A leaf over a parameter, a live view: its data and gradient are the parameter's own arrays at each call, so a
     * parameter that changes storage (the scalable recipe {@link Parameter#hold holds} only some entries and releases
     * its dense arrays) is seen as it is now. A held parameter has no dense data: the ops that take it read its held
     * entries, and {@link #data()} or {@link #grad()} throw.
     */
    public static Tensor of(Parameter p) {
        return new Tensor(p);
    }

    private Tensor(Parameter p) {
        this.data = null;
        this.shape = p.shape();
        this.cols = shape[shape.length - 1];
        this.rows = cols == 0 ? 0 : p.numel() / cols;
        this.requiresGrad = true;
        this.parameter = p;
        this.needsGrad = true;
        this.name = p.name();
    }

    /** Whether this is the leaf of a held parameter, which has no dense data. */
    public boolean held() {
        return parameter != null && parameter.isHeld();
    }

    private IllegalStateException heldError() {
        return new IllegalStateException(name + " is held (scalable recipe): it has no dense data, ops read its parameter's held entries");
    }

    /** A zero tensor of this shape, made by an op (package-private: ops own their outputs). */
    static Tensor result(boolean requiresGrad, int... shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return new Tensor(new float[Math.toIntExact(n)], requiresGrad, null, shape);
    }

    public float[] data() {
        if (parameter != null) {
            if (parameter.isHeld()) throw heldError();
            return parameter.value();
        }
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension i (negative counts from the end). */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return (int) ((long) rows * cols);
    }

    /** Product of all dimensions but the last. */
    public int rows() {
        return rows;
    }

    /** The last dimension. */
    public int cols() {
        return cols;
    }

    /** The wrapped parameter, or null. */
    public Parameter parameter() {
        return parameter;
    }

    /** Whether a gradient can flow into this tensor (a variable, a parameter, or an op on one). */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Within a backward pass: whether this tensor lies on a path to a requested target. */
    public boolean needsGrad() {
        return needsGrad;
    }

    /** The gradient buffer, allocated (zeroed) on first use. Backward rules accumulate into it. */
    public float[] grad() {
        if (parameter != null) {
            if (parameter.isHeld()) throw heldError();
            return parameter.grad();
        }
        if (grad == null) grad = owner != null ? owner.floats(data.length) : new float[data.length];
        return grad;
    }

    /**
     * The gradient buffer for a rule that writes every element of it: when none exists yet it is taken without
     * zeroing (the caller overwrites it; check {@link #hasGrad()} first, and add instead when one exists).
     */
    public float[] gradToOverwrite() {
        if (parameter != null) return grad(); // a parameter's gradient accumulates: never overwritten
        if (grad == null) grad = owner != null ? owner.floats(data.length, false) : new float[data.length];
        return grad;
    }

    /** Whether a gradient buffer exists (false until backward reached this tensor). */
    public boolean hasGrad() {
        return parameter != null ? !parameter.isHeld() : grad != null;
    }

    /** Zeroes the gradient (a parameter's shared buffer included). */
    public void zeroGrad() {
        if (parameter != null) parameter.zeroGrad();
        else if (grad != null) Arrays.fill(grad, 0f);
    }

    /**
     * Keeps this intermediate tensor's gradient after backward (by default a non-leaf's gradient is freed as
     * soon as its node has run, to save memory). Targets of a targeted backward are always retained.
     */
    public Tensor retainGrad() {
        this.retainGrad = true;
        return this;
    }

    void dropGrad() {
        if (parameter == null && creator != null && !retainGrad) grad = null;
    }

    /** A tensor sharing this data with no history: gradient stops here. */
    public Tensor detach() {
        Tensor t = new Tensor(data(), false, null, shape);
        t.name = name;
        return t;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        float[] d = data();
        if (d.length != 1) throw new IllegalStateException("item() needs a one-element tensor, shape is " + Arrays.toString(shape));
        return d[0];
    }

    /** The op that made this tensor, or null for a leaf or a tensor made without recording. */
    public String op() {
        return creator == null ? null : creator.op();
    }

    public String name() {
        return name;
    }

    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    @Override
    public String toString() {
        return (name == null ? "tensor" : name) + Arrays.toString(shape) + (creator == null ? "" : " from " + creator.op());
    }
}
