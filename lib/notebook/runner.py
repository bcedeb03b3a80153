#!/usr/bin/env python3
"""Execute Jupyter notebooks headless with the Deno kernel and export them to HTML.

Started by `deno task notebooks` (lib/cli/notebooks.ts), which prepares the kernelspec
(JUPYTER_PATH) and the environment. Needs Debian's python3-nbclient, python3-nbformat,
jupyter-client and jupyter-nbconvert.

The Deno 2.9 kernel may report a cell `idle` before its outputs arrive; stock nbclient stops
reading at idle and drops them. This client keeps reading the cell's iopub messages until they
have been quiet for a short period, and attaches any later message to the cell it belongs to.

Rules checked for each notebook:
  * no cell may raise an error;
  * every non-empty code cell must produce at least one output (stream, display or result)
    unless it carries the tag "no-output".
Writes OUT/<name>.ipynb (executed) and OUT/<name>.html, and OUT/summary.json for all notebooks.
Exit status 1 when any notebook fails, 2 on bad arguments.
"""
import argparse
import asyncio
import json
import os
import queue
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, CellTimeoutError
from nbclient.util import ensure_async

NO_OUTPUT_TAG = "no-output"
OUTPUT_TYPES = {"stream", "display_data", "execute_result"}


class RaceTolerantClient(NotebookClient):
    """nbclient that keeps collecting a cell's outputs for `quiet` seconds after idle."""

    def __init__(self, nb, quiet=0.5, **kw):
        super().__init__(nb, **kw)
        self.quiet = quiet
        self.cells_by_msg = {}
        self.late_outputs = 0

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        self.cells_by_msg[parent_msg_id] = (cell, cell_index)
        idle = False
        while True:
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=self.quiet if idle else None)
                )
            except queue.Empty:
                return
            parent = msg["parent_header"].get("msg_id")
            target = self.cells_by_msg.get(parent)
            if target is None:
                continue
            if idle or parent != parent_msg_id:
                if msg["msg_type"] in OUTPUT_TYPES | {"update_display_data", "error"}:
                    self.late_outputs += 1
            try:
                self.process_message(msg, target[0], target[1])
            except CellExecutionComplete:
                if parent == parent_msg_id:
                    idle = True


def atomic_write(path, text):
    """Write text to path via a temp file and rename."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def check_outputs(nb):
    """Problems of an executed notebook: error outputs and code cells without output."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        where = f"cell {i + 1} ({first_line(cell.source)!r})"
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            e = errors[0]
            problems.append(f"{where}: {e.get('ename', 'Error')}: {e.get('evalue', '')}")
            rest = [c for c in nb.cells[i + 1:] if c.cell_type == "code" and c.source.strip()]
            if rest:
                problems.append(f"{len(rest)} code cell(s) after cell {i + 1} were not run")
            break
        tags = cell.get("metadata", {}).get("tags", [])
        if NO_OUTPUT_TAG in tags:
            continue
        if not any(o.get("output_type") in OUTPUT_TYPES for o in cell.get("outputs", [])):
            problems.append(
                f"{where}: produced no output (tag the cell \"{NO_OUTPUT_TAG}\" if that is intended)"
            )
    return problems


def export_html(nb):
    """HTML export. nbconvert 6.5 (Debian 12) passes SVG outputs through lxml's clean_html,
    which strips every SVG element (blank plots); our outputs come from our own code, so the
    export keeps them as they are."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(filters={"clean_html": lambda html: html})
    body, _ = exporter.from_notebook_node(nb)
    return body


def run_notebook(path, args):
    """Execute one notebook; returns its summary record."""
    name = os.path.splitext(os.path.basename(path))[0]
    started = time.time()
    nb = nbformat.read(path, as_version=4)
    client = RaceTolerantClient(
        nb,
        quiet=args.quiet,
        timeout=int(args.timeout),
        kernel_name=args.kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        iopub_timeout=int(max(4, args.quiet * 4 + 1)),
    )
    problems = []
    try:
        client.execute()
    except CellTimeoutError as e:
        problems.append(f"timeout after {args.timeout} s: {str(e).splitlines()[0]}")
    except CellExecutionError:
        pass  # reported from the cell's error output below
    except Exception as e:  # kernel failed to start or died
        problems.append(f"kernel failure: {type(e).__name__}: {e}")
    problems = check_outputs(nb) + problems
    record = {
        "notebook": os.path.basename(path),
        "ok": not problems,
        "problems": problems,
        "seconds": round(time.time() - started, 2),
        "code_cells": sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip()),
        "late_outputs": client.late_outputs,
    }
    target = path if args.inplace else os.path.join(args.out, name + ".ipynb")
    atomic_write(target, nbformat.writes(nb) + "\n")
    record["executed"] = target
    if args.html:
        html_path = os.path.join(args.out, name + ".html")
        try:
            atomic_write(html_path, export_html(nb))
            record["html"] = html_path
        except Exception as e:
            record["ok"] = False
            problems.append(f"HTML export failed: {type(e).__name__}: {e}")
    return record


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--out", required=True)
    p.add_argument("--kernel", default="deno")
    p.add_argument("--timeout", type=int, default=1800)
    p.add_argument("--quiet", type=float, default=0.5,
                   help="seconds of iopub silence after idle before a cell counts as done")
    p.add_argument("--inplace", action="store_true")
    p.add_argument("--no-html", dest="html", action="store_false")
    args = p.parse_args()
    if sys.platform != "win32":
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    records = []
    for path in args.notebooks:
        print(f"running {os.path.basename(path)} ...", flush=True)
        rec = run_notebook(path, args)
        records.append(rec)
        status = "ok" if rec["ok"] else "FAILED"
        print(f"{status} {rec['notebook']} ({rec['code_cells']} code cells, {rec['seconds']} s, "
              f"{rec['late_outputs']} late outputs collected)", flush=True)
        for prob in rec["problems"]:
            print(f"  {rec['notebook']}: {prob}", flush=True)
    atomic_write(os.path.join(args.out, "summary.json"), json.dumps(records, indent=2) + "\n")
    return 0 if all(r["ok"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
