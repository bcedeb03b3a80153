"""Write a notebook of "race" cells for the Deno kernel: N pairs of a busy loop ending in a log line
and a bare result, the outputs Deno 2.9.6 often sends after its idle status (see README,
Notebooks). Standard library only; the same cells as the runner's and the JupyterLab test's.

Usage: python3 lib/bench/race_notebook.py OUT.ipynb [N=8]
"""
import json
import sys


def race_notebook(n):
    cells = []
    for i in range(n):
        cells.append(f'let s{i} = 0; for (let k = 0; k < 1e6; k++) s{i} += k; console.log("log {i}")')
        cells.append(f'"result {i}"')
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "deno", "display_name": "Deno", "language": "typescript"},
            "language_info": {"name": "typescript"},
        },
        "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": src,
                   "outputs": [], "execution_count": None} for i, src in enumerate(cells)],
    }


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(race_notebook(int(sys.argv[2]) if len(sys.argv) == 3 else 8), f, indent=1)
