package sparsecircuits.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Elements scanned by a benchmark call: JMH reports this counter (row {@code :element}) as time per element. */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ElementCounter {
    public long element;

    @Setup(Level.Iteration)
    public void reset() {
        element = 0;
    }
}
