#!/usr/bin/env python3
"""Starts the "java" kernel again and again through a Jupyter notebook server, as a browser does.

Each round is a cold start, a new kernel process: POST /api/kernels, then the browser's websocket
to the kernel's channels. The classic notebook server (6.x) answers that websocket only after the
kernel has replied to the one kernel_info_request the server sends on connecting (it waits
kernel_info_timeout, 60 s by default, then goes on without a reply: the reader sees "Kernel
starting, please wait..." all that time). Then a kernel_info_request of our own goes over the
websocket, its reply is awaited, and the kernel is shut down.

    /usr/bin/python3 scripts/kernel_cold_starts.py                 # 20 starts, each within 10 s
    /usr/bin/python3 scripts/kernel_cold_starts.py --starts 40 --limit 10 --log target/starts.log

The kernelspec comes from the Jupyter data folder (JUPYTER_DATA_DIR), as bin/install-kernel wrote
it. Prints one line per start and a summary; exits 1 when any start took longer than --limit
seconds or when the server's log shows a lost kernel_info request.
"""
import argparse
import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from tornado import gen, httpclient, ioloop, websocket


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, token, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": "token " + token,
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


def wait_for_server(base, token, server, deadline):
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("the notebook server exited with status %d" % server.returncode)
        try:
            api(base, token, "GET", "/api/status")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the notebook server did not answer within 60 s")


def kernel_info_message(session):
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "kernel_info_request", "username": "test",
                   "session": session, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": [],
    }


@gen.coroutine
def one_start(base, ws_base, token, kernel, timeout):
    """Returns (seconds to the websocket, seconds to our kernel_info_reply, kernel id)."""
    start = time.monotonic()
    model = api(base, token, "POST", "/api/kernels", {"name": kernel})
    session = uuid.uuid4().hex
    url = "%s/api/kernels/%s/channels?session_id=%s" % (ws_base, model["id"], session)
    request = httpclient.HTTPRequest(url, headers={"Authorization": "token " + token},
                                     connect_timeout=timeout, request_timeout=timeout)
    connection = yield websocket.websocket_connect(request)
    connected = time.monotonic() - start
    message = kernel_info_message(session)
    yield connection.write_message(json.dumps(message))
    replied = None
    while replied is None:
        remaining = timeout - (time.monotonic() - start)
        if remaining <= 0:
            break
        try:
            text = yield gen.with_timeout(datetime.timedelta(seconds=remaining), connection.read_message())
        except gen.TimeoutError:
            break
        if text is None:
            break
        reply = json.loads(text)
        if (reply.get("msg_type") == "kernel_info_reply"
                and reply.get("parent_header", {}).get("msg_id") == message["header"]["msg_id"]):
            replied = time.monotonic() - start
    connection.close()
    yield gen.sleep(0.1)  # lets the connection's reader see the close before the loop stops
    return connected, replied, model["id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=20, help="cold starts in a row (default 20)")
    parser.add_argument("--limit", type=float, default=10.0,
                        help="seconds a start may take, from POST to the kernel_info reply (default 10)")
    parser.add_argument("--kernel", default="java", help="kernelspec name (default java)")
    parser.add_argument("--kernel-info-timeout", type=float, default=60.0,
                        help="the server's wait for its own kernel_info reply (its default: 60)")
    parser.add_argument("--log", help="write the notebook server's log here (default: a temporary file)")
    args = parser.parse_args()
    if args.starts < 1 or args.limit <= 0:
        parser.error("--starts must be at least 1 and --limit positive")

    port = free_port()
    token = uuid.uuid4().hex
    workdir = tempfile.mkdtemp(prefix="kernel-starts-")
    log_path = args.log or os.path.join(workdir, "server.log")
    if os.path.dirname(log_path):
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
    command = [sys.executable, "-m", "notebook", "--no-browser", "--port", str(port), "--ip", "127.0.0.1",
               "--NotebookApp.token=" + token, "--notebook-dir", workdir,
               "--MappingKernelManager.kernel_info_timeout=%g" % args.kernel_info_timeout]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(log_path, "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d" % port
    ws_base = "ws://127.0.0.1:%d" % port
    times = []
    slow = 0
    try:
        wait_for_server(base, token, server, time.time() + 60)
        version = subprocess.run([sys.executable, "-c", "import notebook; print(notebook.__version__)"],
                                 capture_output=True, text=True).stdout.strip()
        print("notebook server %s on port %d, kernel '%s', limit %.0f s per start, load average %s"
              % (version, port, args.kernel, args.limit, " ".join("%.2f" % x for x in os.getloadavg())))
        loop = ioloop.IOLoop.current()
        for i in range(1, args.starts + 1):
            connected, replied, kernel_id = loop.run_sync(
                lambda: one_start(base, ws_base, token, args.kernel, args.kernel_info_timeout + 30))
            ok = replied is not None and replied <= args.limit
            slow += 0 if ok else 1
            times.append(replied if replied is not None else float("inf"))
            print("start %2d: websocket open after %5.2f s, kernel_info reply after %s  %s"
                  % (i, connected, "%5.2f s" % replied if replied is not None else "none", "ok" if ok else "SLOW"),
                  flush=True)
            api(base, token, "DELETE", "/api/kernels/" + kernel_id)
            deadline = time.time() + 30
            while time.time() < deadline and any(k["id"] == kernel_id for k in api(base, token, "GET", "/api/kernels")):
                time.sleep(0.2)
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    with open(log_path) as f:
        server_log = f.read()
    lost = server_log.count("Timeout waiting for kernel_info reply")
    unhandled = server_log.count("Unhandled message")
    finite = [t for t in times if t != float("inf")]
    print("%d starts: kernel_info reply median %.2f s, min %.2f s, max %s; %d over %.0f s; server log: %d"
          " 'Timeout waiting for kernel_info reply', %d 'Unhandled message' (log: %s); load average %s"
          % (len(times), statistics.median(finite) if finite else float("nan"), min(finite) if finite else float("nan"),
             "%.2f s" % max(times) if max(times) != float("inf") else "none", slow, args.limit, lost, unhandled,
             log_path, " ".join("%.2f" % x for x in os.getloadavg())))
    return 1 if slow or lost or unhandled else 0


if __name__ == "__main__":
    sys.exit(main())
