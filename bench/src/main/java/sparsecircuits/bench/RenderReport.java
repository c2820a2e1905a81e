package sparsecircuits.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.pruning.compare.ExperimentJson;
import sparsecircuits.present.report.ReportHtml;

/**
 * Draws an experiment's {@code report.html} again from its {@code experiment.json}, with the engine's own renderer
 * ({@link ExperimentJson#read}, then {@link ReportHtml#render}), so committed results keep the JSON and not the page.
 * Run by bench/regenerate-pages.sh. Usage: {@code RenderReport IN.json OUT.html [IN.json OUT.html ...]}; every page is
 * written atomically. Exits 2 on a bad argument list or an input that cannot be read or parsed, 1 when a page cannot be
 * written; the other pages are still drawn.
 */
public final class RenderReport {
    private RenderReport() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args.length % 2 != 0) {
            System.err.println("RenderReport: usage: RenderReport IN.json OUT.html [IN.json OUT.html ...]");
            System.exit(2);
        }
        int exit = 0;
        for (int i = 0; i < args.length; i += 2) {
            Path in = Path.of(args[i]), out = Path.of(args[i + 1]);
            String html;
            try {
                html = ReportHtml.render(ExperimentJson.read(Files.readString(in, StandardCharsets.UTF_8)));
            } catch (NoSuchFileException e) {
                System.err.println("RenderReport: error: " + in + ": no such file");
                exit = 2;
                continue;
            } catch (IOException | RuntimeException e) {
                // unreadable, malformed JSON (JsonException: line and column) or a missing/mistyped member (its $.path)
                System.err.println("RenderReport: error: " + in + ": " + e.getMessage());
                exit = 2;
                continue;
            }
            try {
                AtomicFiles.writeString(out, html);
                System.out.println("wrote " + out);
            } catch (RuntimeException e) {
                System.err.println("RenderReport: error: " + e.getMessage());
                exit = Math.max(exit, 1);
            }
        }
        System.exit(exit);
    }
}
