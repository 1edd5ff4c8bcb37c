"""Making one file's thumbnails in a fresh process, to measure its memory honestly: the
process's resident high-water mark (reset just before) above its resident size then."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

_CHILD = r"""
import json, sys
from pathlib import Path

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

from portfolio.imaging import ImageRejected, make_thumbnails

data = Path(sys.argv[1]).read_bytes()
Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts from here
base = status("VmRSS")
try:
    made = make_thumbnails(data)
    outcome = {"status": "ready", "edges": [thumbnail.spec.edge for thumbnail in made.thumbnails]}
except ImageRejected as rejected:
    outcome = {"status": "failed", "reason": str(rejected)}
print(json.dumps({**outcome, "base_mb": base, "peak_mb": status("VmHWM")}))
"""


def thumbnails_in_a_fresh_process(path: Path, *, timeout_s: float | None = None) -> dict[str, Any]:
    """The outcome (``status``, ``edges`` or ``reason``) and ``peak_above_base_mb``."""
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    ).stdout
    result: dict[str, Any] = json.loads(output)
    result["peak_above_base_mb"] = float(result["peak_mb"]) - float(result["base_mb"])
    return result
