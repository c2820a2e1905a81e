package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.TokenizerJson;
import sparsecircuits.pruning.tasks.PaperTaskTargets;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;

class TasksCommandTest {
    @TempDir
    Path tmp;


    @Test
    void listsTheTwentyTasks() {
        MainTest.Run r = MainTest.run("tasks");
        assertEquals(0, r.status(), r.toString());
        for (Task t : PaperTasks.all()) {
            assertTrue(r.out().contains(t.name() + " "), t.name());
            assertTrue(r.out().contains(t.description()), t.description());
        }
        assertTrue(r.out().contains("var_swap") && r.out().contains("single"), r.out());
        assertTrue(MainTest.run("--help").out().contains("\n  tasks "), "in the command list");
        MainTest.Run help = MainTest.run("tasks", "--help");
        assertTrue(help.out().startsWith("Usage: sparse-circuits tasks [list | show NAME|FILE] [--task NAME|FILE]"), help.out());
        assertEquals(r.out(), MainTest.run("tasks", "list").out(), "'tasks list' is 'tasks'");
    }

    @Test
    void showsPairsWithAQuicklyTrainedTokenizerAndSaysSo() {
        MainTest.Run r = MainTest.run("tasks", "--task", "single_double_quote", "--count", "2", "--seed", "4");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("a tokenizer trained now"), r.out());
        assertTrue(r.out().contains("pair 2"), r.out());
        assertFalse(r.out().contains("pair 3"), r.out());
        assertTrue(r.out().contains("target  token ") && r.out().contains("\"\\\")\"") && r.out().contains("\"')\""), r.out());
        assertEquals(r.out(), MainTest.run("tasks", "--task", "single_double_quote", "--count", "2", "--seed", "4").out(), "deterministic");
        assertEquals(r.out(), MainTest.run("tasks", "show", "single_double_quote", "--count", "2", "--seed", "4").out(), "'tasks show X' is 'tasks --task X'");
    }

    @Test
    void showsAJsonlTaskWithAModelsTokenizer() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        List<String> docs = new ArrayList<>();
        Iterator<String> it = Corpus.synthetic(0).train().iterator();
        for (int i = 0; i < 40; i++) docs.add(it.next());
        ByteLevelBpe bpe = new BpeTrainer(320, PaperTaskTargets.all()).train(docs);
        TokenizerJson.save(bpe, model.resolve("tokenizer.json"));
        ModelFiles.save(new Gpt(GptConfig.builder().vocabSize(320).nLayer(1).dModel(32).dMlp(64).blockSize(16).build(), 1), model);
        Path file = Files.writeString(tmp.resolve("swap.jsonl"),
                "{\"prompt_a\": \"a, b = b,\", \"target_a\": \" a\"}\n{\"prompt_a\": \"c, d = d,\", \"target_a\": \" c\"}\n"
                        + "{\"prompt_a\": \"e, f = f,\", \"target_a\": \" e\"}\n");
        MainTest.Run r = MainTest.run("tasks", "--task", file.toString(), "--model", model.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("swap (single-target)"), r.out());
        assertTrue(r.out().contains(model.resolve("tokenizer.json").toString()), r.out());
        assertTrue(r.out().contains("pair 2") && !r.out().contains("pair 3"), "2 of 3 pairs are the training split: " + r.out());
        assertFalse(r.out().contains("  B prompt"), r.out());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        MainTest.assertOneLineError(MainTest.run("tasks", "--task", "single_double_quotes"), "did you mean 'single_double_quote'");
        MainTest.assertOneLineError(MainTest.run("tasks", "--count", "2"), "--count needs --task");
        MainTest.assertOneLineError(MainTest.run("tasks", "--task", "for_while", "--count", "1.5"), "whole number");
        MainTest.assertOneLineError(MainTest.run("tasks", "lits"), "unexpected argument 'lits'");
        MainTest.assertOneLineError(MainTest.run("tasks", "show"), "tasks show needs a task");
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), "{\"prompt_a\": \"x\", \"target_a\": \"y\"}\n{\"prompt_a\": 1}\n");
        MainTest.assertOneLineError(MainTest.run("tasks", "--task", bad.toString()), bad + ":2: ");
        Path clash = Files.writeString(tmp.resolve("clash.jsonl"), "{\"prompt_a\": \"x\", \"target_a\": \"ab\", \"prompt_b\": \"y\", \"target_b\": \"ac\"}\n"
                + "{\"prompt_a\": \"z\", \"target_a\": \"ab\", \"prompt_b\": \"w\", \"target_b\": \"ac\"}\n");
        MainTest.assertOneLineError(MainTest.run("tasks", "--task", clash.toString(), "--count", "5"), "task clash, pair 1");
    }
}
