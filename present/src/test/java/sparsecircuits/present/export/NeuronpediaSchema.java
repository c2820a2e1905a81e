package sparsecircuits.present.export;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.SchemaRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Neuronpedia's attribution-graph schema ({@code neuronpedia-graph-schema.json} beside this class in the test
 * resources; source, commit and licence in the README there) as a draft-07 validator, for any test that writes a graph.
 */
public final class NeuronpediaSchema {
    static final String FILE = "neuronpedia-graph-schema.json";
    /** Where the schema lives upstream; its base IRI here (its "$id": "root" is relative; nothing is fetched). */
    static final String BASE = "https://github.com/hijohnnylin/neuronpedia/blob/main/apps/webapp/app/api/graph/graph-schema.json";
    private static final Schema SCHEMA = load();

    private NeuronpediaSchema() {
    }

    private static Schema load() {
        try (InputStream in = NeuronpediaSchema.class.getResourceAsStream(FILE)) {
            if (in == null) throw new IllegalStateException(FILE + " is missing from the test resources");
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(SchemaLocation.of(BASE), in, InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema's errors for the JSON text {@code json} (empty: valid). */
    public static List<Error> errors(String json) {
        return SCHEMA.validate(json, InputFormat.JSON);
    }

    /** The errors one per line. */
    public static String show(List<Error> errors) {
        StringBuilder b = new StringBuilder();
        for (Error e : errors) b.append(e).append('\n');
        return b.toString();
    }
}
