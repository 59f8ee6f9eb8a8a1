"""``edi-gateway x12 to-json`` on a large Amazon 850, whole process, beside pyx12's bare reader.

    .venv/bin/python bench/to_json_bench.py [--lines 200000] [--repeat 3]

Writes one Amazon-style 850 with ``--lines`` PO1 lines (``x12_bench.generate_850``) to a
temporary file, then times, each in a fresh process and one after the other ``--repeat``
times:

- baseline: a Python process that imports ``pyx12.x12file`` and iterates its ``X12Reader``
  over the file (reading only: no translation, no output);
- ``edi-gateway x12 to-json FILE`` with its output to /dev/null (the console script next
  to this interpreter, so the project's environment).

Each figure is the best run: wall time from start to exit, CPU (user + system) and peak
RSS, from ``os.wait4`` on that child alone. Then one more to-json run writes to a file,
which is parsed to check that it is one JSON array holding every line. The target
(issue 19) is to-json at least 1.5x faster than the baseline; it is reported, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from x12_bench import generate_850  # bench/ is on sys.path when this script runs

BARE_PYX12 = """
import sys
import pyx12.x12file
reader = pyx12.x12file.X12Reader(sys.argv[1])
for segment in reader:
    pass
reader.cleanup()
"""

TARGET = 1.5


def edi_gateway() -> list[str]:
    """The console script of this interpreter's environment, or ``python -m gateway.cli``."""
    script = Path(sys.executable).with_name("edi-gateway")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gateway.cli"]


def run(command: list[str], output: int | object = subprocess.DEVNULL) -> tuple[float, float, float]:
    """Wall s, CPU s and peak RSS MiB of ``command`` run to its end (exit 0 required)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=output, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command} exited with {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000, help="PO1 lines in the generated 850")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command; the best one counts")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="to-json-bench-") as folder:
        edi = Path(folder) / "850.edi"
        edi.write_text(generate_850(args.lines), encoding="latin-1")
        rows = {
            "baseline: pyx12.x12file.X12Reader, read only": [sys.executable, "-c", BARE_PYX12, str(edi)],
            "edi-gateway x12 to-json > /dev/null": [*edi_gateway(), "x12", "to-json", str(edi)],
        }
        best: dict[str, tuple[float, float, float]] = {}
        for _ in range(args.repeat):  # interleaved, so a slower minute weighs on both
            for name, command in rows.items():
                figures = run(command)
                best[name] = min(best.get(name, figures), figures)

        print(f"850 with {args.lines:,} PO1 lines ({edi.stat().st_size:,} bytes), "
              f"each command in a fresh process, best of {args.repeat}")
        print()
        print(f"{'command':<48}{'wall s':>9}{'CPU s':>9}{'peak RSS MiB':>14}")
        for name, (wall, cpu, rss) in best.items():
            print(f"{name:<48}{wall:>9.2f}{cpu:>9.2f}{rss:>14.0f}")
        (base_wall, *_), (ours_wall, *_) = best.values()
        ratio = base_wall / ours_wall
        print()
        print(f"to-json is {ratio:.2f}x as fast as the baseline (wall); "
              f"target >= {TARGET}x: {'met' if ratio >= TARGET else 'not met'}")

        output = Path(folder) / "850.json"
        with open(output, "wb") as handle:
            run(rows["edi-gateway x12 to-json > /dev/null"], handle)
        entries = json.loads(output.read_bytes())
        lines = len(entries[0]["document"]["lines"])
        print(f"checked: {output.stat().st_size:,} bytes of JSON, {len(entries)} set(s), {lines:,} lines"
              + ("" if lines == args.lines else f" -- expected {args.lines:,}"))


if __name__ == "__main__":
    main()
