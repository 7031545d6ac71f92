package resnet.kernel;

import java.io.PrintStream;
import java.nio.charset.Charset;
import org.rapaio.jupyter.kernel.MainApp;

/**
 * Starts rapaio-jupyter-kernel 3.0.1 ({@code MainApp}) with the two start-up lines per class-path
 * entry that it prints on its standard output ("Parsing classpath: ..." and "Add JAR to
 * classpath", 35 lines for this project's target/lib) left out: they land in the console of the
 * notebook server, where the reader looks for errors. Everything else the process prints passes.
 * The kernelspec that bin/install-kernel writes names this class as the kernel's main class.
 */
public final class QuietStart {

    private QuietStart() {}

    public static void main(String[] args) throws Exception {
        PrintStream original = System.out;
        System.setOut(new PrintStream(original, true, Charset.defaultCharset()) {
            @Override
            public void println(String line) {
                if (line != null && (line.startsWith("Parsing classpath: ")
                        || (line.startsWith("Add ") && line.endsWith(" to classpath")))) {
                    return;
                }
                super.println(line);
            }
        });
        MainApp.main(args);
    }
}
