#!/usr/bin/env python3
"""Executes notebooks headless through Jupyter (nbclient) against the installed `java` kernel.

    python3 scripts/run_notebooks.py [--out DIR] [--logs DIR] [--cell-timeout S] [--startup-timeout S] NOTEBOOK...

--cell-timeout defaults to 600 s with RESNET_QUICK=1 and to 7200 s without it (full mode).

Each notebook is executed top to bottom in a fresh kernel; the executed copy is written to
--out (default target/notebooks), never over the original unless --out names its folder (how the
stored full-mode outputs are refreshed); each kernel's console goes to --logs (default target/notebooks). The run fails, naming the notebook
and the cell (its number and first lines), when a notebook's kernelspec is not `java`, when a
cell produces an error output, or when a cell runs past its timeout. Exit status: 0 when every
notebook passed, 1 otherwise.

Quick mode and offline mode are the caller's choice, through the environment the kernel
inherits (RESNET_QUICK=1, DJL_OFFLINE=true); the notebook test sets both.
"""

import argparse
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

KERNEL = "java"


def cell_label(nb, index):
    """'cell 7 (code cell 4): first line of its source' for a notebook cell index."""
    cell = nb.cells[index]
    code_number = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
    lines = [line for line in cell.source.splitlines() if line.strip()]
    head = lines[0].strip() if lines else "(empty)"
    if len(head) > 100:
        head = head[:97] + "..."
    return f"cell {index + 1} (code cell {code_number}): {head}"


def first_error(nb):
    """(cell index, ename, evalue, traceback) of the first error output, or None."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, output.get("ename", ""), output.get("evalue", ""), output.get("traceback", [])
    return None


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def describe_error(ename, evalue, traceback):
    """The exception as the reader saw it: the first lines of the traceback (the Java kernel puts
    the exception and message, or the compiler's complaint, there), else ename: evalue."""
    lines = [ANSI.sub("", line).strip() for line in traceback or []]
    lines = [line for line in lines if line]
    if len(lines) > 3:
        # first the exception or "Compile error", then the complaint, which comes last
        lines = lines[:1] + ["..."] + lines[-2:]
    if lines:
        return " | ".join(lines)
    return f"{ename}: {evalue}"


# An object shown through Object.toString(), e.g. java.io.PrintStream@1b6d3586 after a cell that
# ends in printf(...): noise for the reader, so the test treats it as a defect.
DEFAULT_TO_STRING = re.compile(r"^\s*[a-zA-Z_$][\w$]*(\.[a-zA-Z_$][\w$]*)+@[0-9a-f]{4,}\s*$")


def default_to_string(nb):
    """(cell index, text) of the first result shown as ClassName@hash, or None."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("execute_result", "display_data"):
                continue
            for mime in ("text/plain", "text/html"):
                text = output.get("data", {}).get(mime)
                if isinstance(text, list):
                    text = "".join(text)
                if text and DEFAULT_TO_STRING.match(text):
                    return index, text.strip()
    return None


def coalesce_streams(nb):
    """Joins consecutive stdout (or stderr) outputs of a cell into one, as a live Jupyter front
    end shows them; the Java kernel sends each print (even each printf field) on its own."""
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.get("outputs"):
            continue
        merged = []
        for output in cell.outputs:
            if (output.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream" and merged[-1].get("name") == output.get("name")):
                merged[-1]["text"] = merged[-1]["text"] + output["text"]
            else:
                merged.append(output)
        cell.outputs = merged


def running_cell(nb):
    """Index of the last code cell that started executing (has an execution count or outputs)."""
    last = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.get("execution_count") or cell.get("outputs")):
            last = index
    return last


def execute(path, out_dir, log_dir, cell_timeout, startup_timeout):
    """Runs one notebook; returns None on success or a message that names the notebook and cell."""
    name = os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != KERNEL:
        return f"{name}: kernelspec is {kernel!r}, expected {KERNEL!r} (set it in the notebook's metadata)"

    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=cell_timeout,
        startup_timeout=startup_timeout,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    problem = None
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, os.path.splitext(name)[0] + ".kernel.log")
    started = time.monotonic()
    try:
        # The kernel's own console (class path lines, its log) goes to a file, not the test output.
        with open(log_path, "w", encoding="utf-8") as log:
            client.execute(stdout=log, stderr=log)
    except CellTimeoutError:
        index = running_cell(nb)
        where = cell_label(nb, index) if index is not None else "a cell"
        problem = f"{name}: {where} ran past its timeout of {cell_timeout} s"
    except DeadKernelError as e:
        index = running_cell(nb)
        where = cell_label(nb, index) if index is not None else "a cell"
        problem = f"{name}: the kernel died while running {where}: {e}"
    except CellExecutionError as e:
        found = first_error(nb)
        if found:
            index, ename, evalue, traceback = found
            problem = f"{name}: {cell_label(nb, index)} raised {describe_error(ename, evalue, traceback)}"
        else:
            problem = f"{name}: a cell failed: {str(e).strip()[:2000]}"
    except Exception as e:  # kernel that never starts, missing kernelspec, ...
        problem = f"{name}: could not execute: {type(e).__name__}: {e} (kernel log: {log_path})"
    seconds = time.monotonic() - started

    # A cell can produce an error output without failing the execute_reply; that fails too.
    if problem is None:
        found = first_error(nb)
        if found:
            index, ename, evalue, traceback = found
            problem = f"{name}: {cell_label(nb, index)} produced an error output: {describe_error(ename, evalue, traceback)}"
    if problem is None:
        found = default_to_string(nb)
        if found:
            index, text = found
            problem = (f"{name}: {cell_label(nb, index)} shows {text!r}, an object's default toString; "
                       "end the cell with a statement (e.g. println) or a value worth showing")

    coalesce_streams(nb)

    target = os.path.join(out_dir, name)
    nbformat.write(nb, target)
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    status = "FAILED" if problem else "ok"
    print(f"executed {name}: {code_cells} code cells in {seconds:.1f} s -> {target} [{status}]", flush=True)
    return problem


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--out", default="target/notebooks")
    parser.add_argument("--logs", default="target/notebooks")
    # quick mode: 10 minutes a cell, so a hung kernel fails the test soon; full mode: 2 hours, since
    # a full-mode training cell (notebook 06's nine runs) took 15 minutes on a busy two-core
    # machine, and an earlier single run 18 minutes on a quiet one and over 40 on a busy one
    quick = os.environ.get("RESNET_QUICK", "").strip().lower() in ("1", "true", "yes", "on")
    parser.add_argument("--cell-timeout", type=int, default=600 if quick else 7200)
    parser.add_argument("--startup-timeout", type=int, default=180)
    args = parser.parse_args()

    failures = []
    for path in args.notebooks:
        if not os.path.isfile(path):
            failures.append(f"{path}: no such notebook")
            continue
        problem = execute(path, args.out, args.logs, args.cell_timeout, args.startup_timeout)
        if problem:
            failures.append(problem)
    for failure in failures:
        print("NOTEBOOK FAILED: " + failure, file=sys.stderr, flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
