package sparsecircuits.cli;

import java.nio.file.Path;
import java.util.Arrays;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Sampler;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

/** {@code sample}: continue a prompt with the model. */
final class SampleCommand implements Command {
    static final int DEFAULT_TOKENS = 100;

    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String summary() {
        return "continue a prompt with a model (greedy or temperature/top-k sampling)";
    }

    @Override
    public String description() {
        return "Encodes the prompt with the model directory's tokenizer and samples up to --tokens new tokens, each\n"
                + "from softmax(logits / temperature) over the --top-k most likely tokens; --temperature 0 is greedy.\n"
                + "The model sees the last block-size tokens; generation stops at <|endoftext|>. The same seed gives the\n"
                + "same text. Prints the prompt followed by the completion. An empty prompt starts a new document.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--model", "DIR", "the model directory (config.json, model.safetensors, tokenizer.json; required)")
                .option("--prompt", "TEXT", "the text to continue (required; may be empty: --prompt '')")
                .number("--tokens", "N", "new tokens at most (default 100)", 0, 100_000, "100")
                .number("--temperature", "T", "softmax temperature; 0 = greedy (default 1)", 0, 100, "0.8")
                .number("--top-k", "K", "sample among the K most likely tokens; 0 = all (default 0)", 0, 1e6, "20")
                .number("--seed", "S", "random seed (default 0)", 0, 9.007199254740991e15, "0");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
        if (!o.has("--prompt")) throw new UserError("sample needs --prompt TEXT", "give the text to continue, e.g. --prompt 'def '");
        ModelDir.wholeNumbers(o, "--tokens", "--top-k", "--seed");
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        Path dir = ModelDir.require(o, name());
        Gpt model = ModelDirectory.model(dir);
        ByteLevelBpe bpe = ModelDirectory.tokenizer(dir, model);
        String prompt = o.value("--prompt", "");
        int[] ids = bpe.encode(prompt);
        int block = model.config().blockSize();
        if (ids.length > block) {
            throw new UserError("the prompt is " + ids.length + " tokens, longer than the model's context of " + block,
                    "shorten the prompt (the model cannot see further back)");
        }
        // an empty prompt starts a document: training joins documents with <|endoftext|>
        int[] context = ids.length == 0 ? new int[] {bpe.endOfTextId()} : ids;
        Sampler sampler = new Sampler(model, new Ops(Main.kernels().kernels(), null));
        int max = (int) o.number("--tokens", DEFAULT_TOKENS);
        int[] completion = sampler.generate(context, max, o.number("--temperature", 1), (int) o.number("--top-k", 0),
                (long) o.number("--seed", 0), bpe.endOfTextId());
        int[] all = Arrays.copyOf(ids, ids.length + completion.length);
        System.arraycopy(completion, 0, all, ids.length, completion.length);
        ctx.out().println(bpe.decode(all)); // decoded together: a character split across the boundary stays whole
        if (completion.length < max) ctx.err().println("sample: stopped at <|endoftext|> after " + completion.length + " tokens");
        return 0;
    }
}
