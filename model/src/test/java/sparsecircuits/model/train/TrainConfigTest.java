package sparsecircuits.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sparsecircuits.model.json.Json;

class TrainConfigTest {

    /** A non-default value in every field. */
    static TrainConfig everyFieldSet() {
        return TrainConfig.builder().sparse(false).pfrac(0.125).baseWidth(32).minPerNeuron(1).lr(5e-3).steps(1234).batch(8).ctx(128)
                .seed(7).warmupFrac(0.02).annealStartFrac(0.05).annealStopFrac(0.75).weightDecay(0.2).evalEvery(10).evalBatches(3)
                .checkpointEvery(25).patternGradEvery(5).corpus("/data/py").corpusSeed(9).build();
    }

    @Test
    void defaultsAreTheSmallLaptopRun() {
        TrainConfig d = TrainConfig.defaults();
        assertEquals(List.of(true, 0.25, 64, 2, 1e-2, 600L, 16, 64, 0L, 0.01, 0.01, 0.5, 0.1, 50, 8, 100, 0, "synthetic", 0L),
                List.of(d.sparse(), d.pfrac(), d.baseWidth(), d.minPerNeuron(), d.lr(), d.steps(), d.batch(), d.ctx(), d.seed(),
                        d.warmupFrac(), d.annealStartFrac(), d.annealStopFrac(), d.weightDecay(), d.evalEvery(), d.evalBatches(),
                        d.checkpointEvery(), d.patternGradEvery(), d.corpus(), d.corpusSeed()));
        assertEquals(d, TrainConfig.builder().build());
        assertEquals(d.toBuilder().sparse(false).lr(5e-3).build(), TrainConfig.denseDefaults());
    }

    /** The scalable recipe writes schema 2 with its two settings; the paper recipe's file stays schema 1. */
    @Test
    void theScalableRecipeIsStoredUnderSchemaTwo() {
        TrainConfig c = TrainConfig.builder().recipe(TrainConfig.Recipe.SCALABLE).regrowEvery(50).build();
        Map<String, Object> json = c.toJson();
        assertEquals(TrainConfig.SCHEMA_2, json.get("schema"));
        assertEquals("scalable", json.get("recipe"));
        assertEquals(50, ((Number) json.get("regrow_every")).intValue());
        assertEquals(c, TrainConfig.fromJson(asMap(Json.parse(Json.write(json)))));
        Map<String, Object> paper = TrainConfig.defaults().toJson();
        assertEquals(TrainConfig.SCHEMA, paper.get("schema"));
        assertTrue(!paper.containsKey("recipe") && !paper.containsKey("regrow_every"));
        assertEquals("recipe", assertThrows(SettingException.class,
                () -> TrainConfig.builder().sparse(false).recipe(TrainConfig.Recipe.SCALABLE).build()).setting());
        assertEquals("regrow_every", assertThrows(SettingException.class, () -> TrainConfig.builder().regrowEvery(0).build()).setting());
        assertEquals("recipe", assertThrows(SettingException.class, () -> TrainConfig.Recipe.of("fast")).setting());
    }

    /** The JSON the positional record wrote before the builder, byte for byte: existing runs load and resume unchanged. */
    @Test
    void trainConfigJsonIsUnchanged() {
        String defaults = """
                {
                  "schema": "sparse-circuits/train-config/1",
                  "mode": "sparse",
                  "pfrac": 0.25,
                  "base_width": 64,
                  "min_per_neuron": 2,
                  "lr": 0.01,
                  "steps": 600,
                  "batch": 16,
                  "ctx": 64,
                  "seed": 0,
                  "warmup_frac": 0.01,
                  "anneal_start_frac": 0.01,
                  "anneal_stop_frac": 0.5,
                  "weight_decay": 0.1,
                  "eval_every": 50,
                  "eval_batches": 8,
                  "checkpoint_every": 100,
                  "pattern_grad_every": 0,
                  "corpus": "synthetic",
                  "corpus_seed": 0
                }""";
        assertEquals(defaults, Json.writePretty(TrainConfig.defaults().toJson()));
        String set = """
                {
                  "schema": "sparse-circuits/train-config/1",
                  "mode": "dense",
                  "pfrac": 0.125,
                  "base_width": 32,
                  "min_per_neuron": 1,
                  "lr": 0.005,
                  "steps": 1234,
                  "batch": 8,
                  "ctx": 128,
                  "seed": 7,
                  "warmup_frac": 0.02,
                  "anneal_start_frac": 0.05,
                  "anneal_stop_frac": 0.75,
                  "weight_decay": 0.2,
                  "eval_every": 10,
                  "eval_batches": 3,
                  "checkpoint_every": 25,
                  "pattern_grad_every": 5,
                  "corpus": "/data/py",
                  "corpus_seed": 9
                }""";
        assertEquals(set, Json.writePretty(everyFieldSet().toJson()));
    }

    @Test
    void jsonRoundTripsEveryField() {
        for (TrainConfig c : List.of(TrainConfig.defaults(), everyFieldSet())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> back = (Map<String, Object>) Json.parse(Json.writePretty(c.toJson()));
            assertEquals(c, TrainConfig.fromJson(back));
        }
    }

    @Test
    void toBuilderChangesOnlyWhatItIsTold() {
        TrainConfig c = everyFieldSet();
        assertEquals(c, c.toBuilder().build());
        TrainConfig longer = c.withSteps(2000);
        assertEquals(2000, longer.steps());
        assertEquals(c, longer.toBuilder().steps(c.steps()).build());
        assertNotEquals(c, longer);
    }

    @Test
    void refusalsNameTheSettingByItsJsonKey() {
        SettingException pfrac = assertThrows(SettingException.class, () -> TrainConfig.builder().pfrac(0).build());
        assertEquals("pfrac", pfrac.setting());
        assertEquals("pfrac must be > 0, got 0.0", pfrac.getMessage());
        assertEquals("ctx", assertThrows(SettingException.class, () -> TrainConfig.builder().ctx(1).build()).setting());
        assertEquals("anneal_stop_frac", assertThrows(SettingException.class, () -> TrainConfig.builder().annealStopFrac(0.005).build()).setting());
        SettingException e = assertThrows(SettingException.class, () -> TrainConfig.defaults().expansion(48));
        assertEquals("base_width", e.setting());
        // every key a refusal names is a key of train-config.json
        Map<String, Object> json = TrainConfig.defaults().toJson();
        for (SettingException s : List.of(pfrac, e)) assertTrue(json.containsKey(s.setting()), s.setting());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }
}
