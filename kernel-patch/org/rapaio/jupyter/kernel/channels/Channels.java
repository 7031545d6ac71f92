package org.rapaio.jupyter.kernel.channels;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * methods. It changes one thing, the order in which {@link #connect(RapaioKernel)} works.
 *
 * <p>The original binds the five sockets first, which starts the shell and control threads, and
 * only then registers the kernel and fills the table of message handlers. A request that reaches
 * the shell thread in that window finds no handler and is logged as "Unhandled message" and lost.
 * Jupyter's notebook server sends a single {@code kernel_info_request} when a browser connects and
 * waits 60 s for the reply, so a lost one is a minute of "Kernel starting, please wait..."
 * (kernel-patch/README.md). Here the kernel and every handler are in place before the first
 * socket is bound: the threads that {@code bind} starts see them from their first message on.
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
    private final Deque<Runnable> afterActions = new ArrayDeque<>();

    // Written once in connect() before any channel thread starts; Thread.start() publishes it.
    private volatile Map<MessageType<?>, MessageHandler> handlers = Map.of();
    private volatile MessageId<?> msgId;
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
        handlers = Map.copyOf(table);
        for (AbstractChannel channel : all) {
            channel.bind(connection);
            if (channel == iopub) {
                iopub.sendMessage(new Message<>(MessageType.IOPUB_STATUS, IOPubStatus.STARTING));
            }
        }
        connected = true;
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
        return msgId != null;
    }

    public void setMsgId(MessageId<?> msgId) {
        this.msgId = msgId;
    }

    public void freeMsgId() {
        this.msgId = null;
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
        return stdin.getInput(msgId, "", false);
    }

    public <T extends ContentType<T>> void publish(T content) {
        iopub.sendMessage(new Message<>(msgId, content.type(), content));
    }

    public <T extends ContentType<T>> void reply(T content) {
        shell.sendMessage(new Message<>(msgId, content.type(), content));
    }

    public void replyError(MessageType<?> type, ErrorReply error) {
        shell.sendMessage(new Message(msgId, type, error));
    }

    /** Runs after the current handler, the last scheduled first (as the original's stack). */
    public void scheduleAfter(Runnable action) {
        synchronized (afterActions) {
            afterActions.push(action);
        }
    }

    public void runAfterActions() {
        while (true) {
            Runnable next;
            synchronized (afterActions) {
                next = afterActions.poll();
            }
            if (next == null) {
                return;
            }
            next.run();
        }
    }

    public void busyThenIdle() {
        publish(IOPubStatus.BUSY);
        scheduleAfter(() -> publish(IOPubStatus.IDLE));
    }
}
