package resnet.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * An operating-system lock on a run folder, held while one run writes into it, so that a second
 * run started into the same folder is refused instead of overwriting the first one's checkpoints
 * and history file by file.
 *
 * <p>The lock is the kernel's ({@code fcntl}, through {@link FileChannel#tryLock()}) on the file
 * {@value #FILE} in the folder: it is released when the lock is closed and also when the process
 * ends in any way, {@code kill -9} and a power cut included, so a stale lock never blocks the next
 * run. The file holds the process id of the holder, which the refusal names; it stays in the folder
 * after the run (removing it would race with a run that is just taking it).
 *
 * <p>Within one process the lock may be taken again by the thread that holds it (the command line
 * takes it before its checks and {@link Fit} takes it for the run); another thread is refused as
 * another process would be.
 *
 * <pre>{@code
 * try (RunLock lock = RunLock.acquire(Path.of("runs/resnet20"))) {
 *     // write checkpoints
 * }
 * }</pre>
 */
public final class RunLock implements AutoCloseable {

    /** The lock file in a run folder. */
    public static final String FILE = ".lock";

    private static final Map<Path, RunLock> HELD = new HashMap<>();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Thread owner;
    private int holds = 1;

    private RunLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.owner = Thread.currentThread();
    }

    /**
     * Creates {@code dir} when needed and locks it.
     *
     * @throws RunFolderException when {@code dir} cannot be a folder (a file is in the way, no
     *     permission) or another run holds it: the message names the folder and the holder's process id
     */
    public static RunLock acquire(Path dir) throws IOException {
        Path folder = dir.toAbsolutePath().normalize();
        synchronized (HELD) {
            RunLock held = HELD.get(folder);
            if (held != null) {
                if (held.owner == Thread.currentThread()) {
                    held.holds++;
                    return held;
                }
                throw busy(dir, ProcessHandle.current().pid() + ", this process");
            }
            createFolder(dir);
            Path file = folder.resolve(FILE);
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new RunFolderException("cannot write into the run folder " + dir + " (" + describe(e)
                        + "); choose a folder you can write to");
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException e) {
                channel.close();
                throw new RunFolderException("cannot lock the run folder " + dir + " (" + describe(e)
                        + "): its file system does not take locks; write the run to a local folder");
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw busy(dir, holder);
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(false);
            RunLock runLock = new RunLock(folder, channel, lock);
            HELD.put(folder, runLock);
            return runLock;
        }
    }

    /** The locked folder (absolute). */
    public Path folder() {
        return dir;
    }

    /** Releases the lock (the last of this thread's holds, when taken again). */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (holds == 0 || --holds > 0) {
                return;
            }
            HELD.remove(dir);
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    /**
     * Makes {@code dir} a folder, or says why it cannot be one.
     *
     * @throws RunFolderException naming the path: a file where the folder should be, a file among its
     *     parents, no permission
     */
    public static void createFolder(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new RunFolderException(dir + " is a file, not a folder; a run needs a folder for its outputs");
        }
        for (Path parent = dir.toAbsolutePath().getParent(); parent != null; parent = parent.getParent()) {
            if (Files.exists(parent) && !Files.isDirectory(parent)) {
                throw new RunFolderException("cannot make the run folder " + dir + ": " + parent + " is a file, not a folder");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw new RunFolderException("cannot make the run folder " + dir + ": " + e.getFile() + " is not a folder");
        } catch (IOException e) {
            throw new RunFolderException("cannot make the run folder " + dir + " (" + describe(e) + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new RunFolderException("cannot write into the run folder " + dir + " (permission denied)");
        }
    }

    private static RunFolderException busy(Path dir, String holder) {
        return new RunFolderException("the run folder " + dir + " is in use: another run (process " + holder
                + ") is writing into it; wait for it to end, or give this run another folder (--out)");
    }

    /** The process id written by the holder; it may be a moment late after the holder locked the file. */
    private static String holder(FileChannel channel) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
            if (text.matches("\\d+")) {
                return text;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "id unknown";
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** A run folder that cannot be used: the message names it and what is wrong. */
    public static final class RunFolderException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public RunFolderException(String message) {
            super(message);
        }
    }
}
