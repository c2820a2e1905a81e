package sparsecircuits.experiment.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;

/**
 * A job for runner and store tests: writes {@code out/NAME.txt} holding its setting plus what it read from the jobs
 * before it, and counts its runs. {@code fail} makes it throw.
 */
public final class FakeJob implements Job {
    final String name;
    final List<Job> after;
    String setting;
    boolean fail;
    final AtomicInteger runs = new AtomicInteger();

    public FakeJob(String name, String setting, Job... after) {
        this.name = name;
        this.setting = setting;
        this.after = List.of(after);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "fake";
    }

    @Override
    public List<Job> after() {
        return after;
    }

    @Override
    public Map<String, Object> inputs(Finished finished) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("setting", setting);
        List<Object> ids = new ArrayList<>();
        for (Job j : after) ids.add(finished.of(j).id());
        m.put("after", ids);
        return m;
    }

    @Override
    public Result run(JobContext ctx) throws IOException {
        runs.incrementAndGet();
        if (fail) throw new IllegalStateException(name + " failed on purpose");
        StringBuilder text = new StringBuilder(setting);
        for (Job j : after) text.append('+').append(Files.readString(ctx.committed(file(j.name()))));
        Path out = ctx.staging().resolve(file(name));
        Files.createDirectories(out.getParent());
        Files.writeString(out, text.toString());
        ctx.progress("wrote " + file(name));
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("text", text.toString());
        return new Result(values, List.of(file(name)));
    }

    static String file(String name) {
        return "out/" + name + ".txt";
    }

    public int runs() {
        return runs.get();
    }
}
