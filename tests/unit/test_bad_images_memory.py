"""Every file of the bad-image corpus is handled in bounded memory, and handling ends: each is
opened and (when it is an image) turned into thumbnails in a fresh process, whose peak
resident set (VmHWM) above what it held before is the measure, as in test_imaging_memory.py.
Bounds, not times: the time per file is measured in docs/images.md's table, not asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bad_images import CORPUS, BadUpload

pytestmark = [pytest.mark.unit, pytest.mark.slow]

# Measured on this machine (docs/images.md): ~33 MB for the 1,000-frame GIF (its 4-MP first
# frame, decoded and converted), ~5 MB for the JPEG with a ZIP appended; at most ~4 MB for a
# refused file (Pillow's plugins loading, a truncated file's partial decode). The function has
# 2048 MB.
BAD_FILE_BOUND_MB = 64
REFUSED_FILE_BOUND_MB = 8
# A hang guard only (the child would otherwise block the suite): a file takes well under a
# second. Never a budget.
HANG_GUARD_S = 300

_CHILD = r"""
import json, resource, sys
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


def _handle_in_a_fresh_process(path: Path) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
    ).stdout
    result: dict[str, object] = json.loads(output)
    return result


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.name for bad in CORPUS])
def test_each_bad_file_is_handled_in_bounded_memory_and_handling_ends(bad: BadUpload, tmp_path: Path) -> None:
    # Given a file of the corpus
    path = tmp_path / bad.key.rpartition("/")[2]
    path.write_bytes(bad.make())
    # When a fresh process opens it and makes its thumbnails
    result = _handle_in_a_fresh_process(path)
    # Then it ends with the promised outcome (no hang, no crash)...
    assert result["status"] == bad.status, result
    if bad.reason is not None:
        assert str(result["reason"]).startswith(bad.reason)
    # ...holding little memory: a refused file is refused from its header or its first
    # broken bytes, an accepted one decoded once, its first frame only
    peak = float(result["peak_mb"]) - float(result["base_mb"])  # type: ignore[arg-type]
    assert peak < (BAD_FILE_BOUND_MB if bad.status == "ready" else REFUSED_FILE_BOUND_MB), f"{peak:.1f} MB"
