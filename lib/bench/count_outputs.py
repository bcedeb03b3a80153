"""Count the outputs of executed notebooks: how many each code cell has, and which code cells
(not tagged "no-output", not empty) have none. Used to measure how many outputs stock
nbclient/nbconvert lose with the Deno kernel (see README, Notebooks). Standard library only.

Usage: python3 lib/bench/count_outputs.py EXECUTED.ipynb...
Prints one JSON line per notebook: {"notebook", "code_cells", "outputs", "silent": [cell numbers],
"per_cell": [outputs of each code cell]}; cell numbers count all cells from 1, as the runner's.
"""
import json
import sys


def count(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    per_cell, silent = [], []
    for i, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        outputs = cell.get("outputs", [])
        per_cell.append(len(outputs))
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        tags = cell.get("metadata", {}).get("tags", [])
        if not outputs and source.strip() and "no-output" not in tags:
            silent.append(i)
    return {"notebook": path, "code_cells": len(per_cell), "outputs": sum(per_cell),
            "silent": silent, "per_cell": per_cell}


def main(argv):
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in argv:
        print(json.dumps(count(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
