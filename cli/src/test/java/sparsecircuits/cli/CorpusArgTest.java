package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A corpus directory is stored absolute, inside a mix too, so a run resumes from any working directory. */
class CorpusArgTest {
    @Test
    void directoriesBecomeAbsolute() {
        String here = Path.of("lib").toAbsolutePath().normalize().toString();
        assertEquals("synthetic", CorpusArg.absolute("synthetic"));
        assertEquals(here, CorpusArg.absolute("lib"));
        assertEquals("mix:" + here + ":0.25", CorpusArg.absolute("mix:lib:0.25"));
        assertEquals("mix:" + Path.of("a:b").toAbsolutePath().normalize() + ":0.5", CorpusArg.absolute("mix:a:b:0.5"), "the share follows the last ':'");
        org.junit.jupiter.api.Assertions.assertThrows(sparsecircuits.model.train.SettingException.class, () -> CorpusArg.absolute("mix:0.5"),
                "no directory: the library's refusal");
    }
}
