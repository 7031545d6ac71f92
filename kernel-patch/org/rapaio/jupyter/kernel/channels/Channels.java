package org.rapaio.jupyter.kernel.channels;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.RapaioKernel;
import org.rapaio.jupyter.kernel.message.ContentType;
import org.rapaio.jupyter.kernel.message.HMACDigest;
import org.rapaio.jupyter.kernel.message.Message;
import org.rapaio.jupyter.kernel.message.MessageId;
import org.rapaio.jupyter.kernel.message.MessageType;
import org.rapaio.jupyter.kernel.message.messages.ErrorReply;
import org.rapaio.jupyter.kernel.message.messages.IOPubStatus;
import org.rapaio.jupyter.kernel.message.messages.IOPubStream;
import org.rapaio.org.zeromq.ZMQ;

/**
 * A drop-in replacement for rapaio-jupyter-kernel 3.0.1's {@code Channels}, put ahead of the
 * kernel's jar on its class path by {@code bin/install-kernel}; same constructor and public
 * methods. It changes two things (kernel-patch/README.md).
 *
 * <p>The order in which {@link #connect(RapaioKernel)} works. The original binds the five sockets
 * first, which starts the shell and control threads, and only then registers the kernel and fills
 * the table of message handlers. A request that reaches the shell thread in that window finds no
 * handler and is logged as "Unhandled message" and lost. Jupyter's notebook server sends a single
 * {@code kernel_info_request} when a browser connects and waits 60 s for the reply, so a lost one is
 * a minute of "Kernel starting, please wait...". Here the kernel and every handler are in place
 * before the first socket is bound: the threads that {@code bind} starts see them from their first
 * message on.
 *
 * <p>One message at a time. The shell and the control thread both handle messages, and the
 * original keeps the message being answered (whose id and sender every reply and status carries)
 * and the actions to run after it in one field and one stack for both. When the server's "nudge"
 * sends {@code kernel_info_request} on shell and control at once, as it does right after a browser
 * connects, one thread's reply can leave with the other's sender and be dropped by the socket. Here
 * every handler but the interrupt runs under one lock, with its own message id; the interrupt, which
 * must not wait for the execution it interrupts, keeps its id and its after-actions to its thread.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
public final class Channels {

    private final ConnectionProperties connection;
    private final ZMQ.Context context;
    private final HeartbeatChannel heartbeat;
    private final ShellChannel shell;
    private final ControlChannel control;
    private final StdinChannel stdin;
    private final IOPubChannel iopub;
    private final List<AbstractChannel> all;
    private final ThreadLocal<Deque<Runnable>> afterActions = ThreadLocal.withInitial(ArrayDeque::new);
    private final ReentrantLock handling = new ReentrantLock();

    // Written once in connect() before any channel thread starts; Thread.start() publishes it.
    private volatile Map<MessageType<?>, MessageHandler> handlers = Map.of();
    // The message being answered under the lock (also what other threads' output is sent for) ...
    private volatile MessageId<?> msgId;
    // ... and the one a thread answers without the lock (the interrupt), while another holds it.
    private final ThreadLocal<MessageId<?>> ownMsgId = new ThreadLocal<>();
    private volatile boolean shutdownRequested;
    private boolean connected;

    public Channels(ConnectionProperties connection) throws NoSuchAlgorithmException, InvalidKeyException {
        this.connection = connection;
        this.context = ZMQ.context(1);
        HMACDigest digest = connection.createHMACDigest();
        heartbeat = new HeartbeatChannel(this, context, digest);
        shell = new ShellChannel(this, context, digest, this);
        control = new ControlChannel(this, context, digest);
        stdin = new StdinChannel(this, context, digest);
        iopub = new IOPubChannel(this, context, digest);
        // IOPub first, so that the "starting" status below has a bound socket; shell and control last.
        all = List.of(iopub, heartbeat, stdin, control, shell);
    }

    public synchronized void connect(RapaioKernel kernel) {
        if (connected) {
            return;
        }
        kernel.registerChannels(this);
        Map<MessageType<?>, MessageHandler> table = new HashMap<>();
        table.put(MessageType.SHELL_EXECUTE_REQUEST, (MessageHandler) kernel::handleExecuteRequest);
        table.put(MessageType.SHELL_INSPECT_REQUEST, (MessageHandler) kernel::handleInspectRequest);
        table.put(MessageType.SHELL_COMPLETE_REQUEST, (MessageHandler) kernel::handleCompleteRequest);
        table.put(MessageType.SHELL_HISTORY_REQUEST, (MessageHandler) kernel::handleHistoryRequest);
        table.put(MessageType.SHELL_IS_COMPLETE_REQUEST, (MessageHandler) kernel::handleIsCompleteRequest);
        table.put(MessageType.SHELL_KERNEL_INFO_REQUEST, (MessageHandler) kernel::handleKernelInfoRequest);
        table.put(MessageType.SHELL_COMM_INFO_REQUEST, (MessageHandler) kernel::handleCommInfoRequest);
        table.put(MessageType.CONTROL_SHUTDOWN_REQUEST, (MessageHandler) kernel::handleShutdownRequest);
        table.put(MessageType.CONTROL_INTERRUPT_REQUEST, (MessageHandler) kernel::handleInterruptRequest);
        table.put(MessageType.CUSTOM_COMM_OPEN, (MessageHandler) kernel::handleCommOpenCommand);
        table.put(MessageType.CUSTOM_COMM_MSG, (MessageHandler) kernel::handleCommMsgCommand);
        table.put(MessageType.CUSTOM_COMM_CLOSE, (MessageHandler) kernel::handleCommCloseCommand);
        for (Map.Entry<MessageType<?>, MessageHandler> entry : table.entrySet()) {
            if (entry.getKey() != MessageType.CONTROL_INTERRUPT_REQUEST) {
                entry.setValue(oneAtATime(entry.getValue()));
            }
        }
        handlers = Map.copyOf(table);
        for (AbstractChannel channel : all) {
            channel.bind(connection);
            if (channel == iopub) {
                iopub.sendMessage(new Message<>(MessageType.IOPUB_STATUS, IOPubStatus.STARTING));
            }
        }
        connected = true;
    }

    /** The handler run under the lock, with its own message id, its after-actions run before the lock is let go. */
    private MessageHandler oneAtATime(MessageHandler handler) {
        return message -> {
            handling.lock();
            try {
                ownMsgId.remove();
                msgId = message.getId();
                handler.handle(message);
            } finally {
                try {
                    runAfterActions();
                } finally {
                    handling.unlock();
                }
            }
        };
    }

    /** The message the current thread answers. */
    private MessageId<?> current() {
        MessageId<?> own = ownMsgId.get();
        return own != null && !handling.isHeldByCurrentThread() ? own : msgId;
    }

    public <T> MessageHandler<T> getHandler(MessageType<T> type) {
        return handlers.get(type);
    }

    public void close() {
        all.forEach(AbstractChannel::close);
        context.close();
    }

    public void joinUntilClose() {
        all.forEach(AbstractChannel::joinUntilClose);
    }

    public boolean hasMsgId() {
        return current() != null;
    }

    /** Called by the channel threads before each handler; it must not overwrite the id of a message being answered. */
    public void setMsgId(MessageId<?> msgId) {
        if (handling.isLocked() && !handling.isHeldByCurrentThread()) {
            ownMsgId.set(msgId);
        } else {
            ownMsgId.remove();
            this.msgId = msgId;
        }
    }

    public void freeMsgId() {
        if (ownMsgId.get() != null && !handling.isHeldByCurrentThread()) {
            ownMsgId.remove();
        } else {
            this.msgId = null;
        }
    }

    public void markForShutdown() {
        shutdownRequested = true;
    }

    public boolean isMarkedForShutdown() {
        return shutdownRequested;
    }

    public void writeToStdOut(String text) {
        publish(new IOPubStream(IOPubStream.StreamName.OUT, text));
    }

    public void writeToStdErr(String text) {
        publish(new IOPubStream(IOPubStream.StreamName.ERR, text));
    }

    public String readFromStdIn() {
        return stdin.getInput(current(), "", false);
    }

    public <T extends ContentType<T>> void publish(T content) {
        iopub.sendMessage(new Message<>(current(), content.type(), content));
    }

    public <T extends ContentType<T>> void reply(T content) {
        shell.sendMessage(new Message<>(current(), content.type(), content));
    }

    public void replyError(MessageType<?> type, ErrorReply error) {
        shell.sendMessage(new Message(current(), type, error));
    }

    /** Runs after the current thread's handler, the last scheduled first (as the original's stack). */
    public void scheduleAfter(Runnable action) {
        afterActions.get().push(action);
    }

    public void runAfterActions() {
        Deque<Runnable> actions = afterActions.get();
        for (Runnable next = actions.poll(); next != null; next = actions.poll()) {
            next.run();
        }
    }

    public void busyThenIdle() {
        publish(IOPubStatus.BUSY);
        scheduleAfter(() -> publish(IOPubStatus.IDLE));
    }
}
