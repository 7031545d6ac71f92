package resnet.viz;

import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import resnet.train.EpochRecord;
import resnet.train.FitListener;
import resnet.train.History;

/**
 * Loss and accuracy curves that redraw themselves in one notebook output after every epoch.
 *
 * <p>The library must not depend on a kernel, so the notebook hands in the kernel's two display
 * functions. rapaio, IJava and JJava all offer {@code String display(Object)} (shows an object and
 * returns the id of its output) and {@code updateDisplay(String id, Object)} (replaces that output):
 *
 * <pre>{@code
 * LiveChart live = new LiveChart(image -> display(image), (id, image) -> updateDisplay(id, image));
 * History history = new Fit(model, data, config).listen(live).run();
 * }</pre>
 *
 * <p>The first call shows an empty chart; each epoch replaces it with the curves so far.
 */
public final class LiveChart implements FitListener {

    private final Function<Object, String> display;
    private final BiConsumer<String, Object> updateDisplay;
    private final String title;
    private String id;
    private int updates;

    /**
     * @param display the kernel's {@code display(Object)}, returning the output's id
     * @param updateDisplay the kernel's {@code updateDisplay(String, Object)}
     */
    public LiveChart(Function<Object, String> display, BiConsumer<String, Object> updateDisplay) {
        this(display, updateDisplay, "");
    }

    /** With a title over the curves. */
    public LiveChart(Function<Object, String> display, BiConsumer<String, Object> updateDisplay, String title) {
        this.display = Objects.requireNonNull(display, "display");
        this.updateDisplay = Objects.requireNonNull(updateDisplay, "updateDisplay");
        this.title = title;
    }

    @Override
    public void onStart(int firstEpoch, int epochs) {
        show(Charts.curves(new History(), title));
    }

    @Override
    public void onEpoch(EpochRecord record, History history) {
        show(Charts.curves(history, title));
    }

    private void show(BufferedImage image) {
        if (id == null) {
            id = display.apply(image);
            if (id == null || id.isBlank()) {
                throw new IllegalStateException("display(...) returned no output id, so the chart cannot be updated in place;"
                        + " pass the kernel's display function, which returns the id");
            }
        } else {
            updateDisplay.accept(id, image);
            updates++;
        }
    }

    /** The id of the output, once shown. */
    public String displayId() {
        return id;
    }

    /** How many times the chart was replaced. */
    public int updates() {
        return updates;
    }
}
