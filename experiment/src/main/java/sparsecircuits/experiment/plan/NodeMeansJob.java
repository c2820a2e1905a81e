package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.nodes.PretrainingMeans;

/** A model's node means over its pretraining tokens ({@code models/ID/node-means.safetensors}), which mean ablation needs. */
final class NodeMeansJob implements Job {
    final TrainModelJob model;

    NodeMeansJob(TrainModelJob model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "means " + model.spec.id();
    }

    @Override
    public String kind() {
        return "means";
    }

    @Override
    public List<Job> after() {
        return List.of(model);
    }

    @Override
    public Map<String, Object> inputs(Finished finished) {
        Map<String, Object> m = new LinkedHashMap<>();
        model.identify(m, finished);
        return m;
    }

    @Override
    public Result run(JobContext ctx) throws IOException {
        Path dir = ctx.committed(model.spec.directory());
        Gpt g = ModelDirectory.model(dir);
        NodeMeans means = PretrainingMeans.compute(g, ModelDirectory.tokenizer(dir, g), ModelDirectory.trainConfig(dir), ctx.kernels(),
                (done, batches, tokens) -> ctx.progress("batch " + done + "/" + batches + ", " + tokens + " tokens"));
        String out = model.spec.directory() + "/" + NodeMeans.FILE;
        Path staged = java.nio.file.Files.createDirectories(ctx.staging().resolve(model.spec.directory()));
        means.save(staged);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokens", means.tokens());
        return new Result(m, List.of(out));
    }
}
