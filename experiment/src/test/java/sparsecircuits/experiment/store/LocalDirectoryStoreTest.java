package sparsecircuits.experiment.store;

import java.io.IOException;
import java.nio.file.Path;

/** The result store contract on a local directory. */
class LocalDirectoryStoreTest extends ResultStoreContract {
    @Override
    protected ResultStore open(Path dir) throws IOException {
        return new LocalDirectoryStore(dir);
    }
}
