"""Every file of the bad-image corpus is handled in bounded memory, and handling ends: each is
opened and (when it is an image) turned into thumbnails in a fresh process, whose peak
resident set (VmHWM) above what it held before is the measure, as in test_imaging_memory.py.
Bounds, not times: the time per file is measured in docs/images.md's table, not asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bad_images import CORPUS, BadUpload
from tests.support.thumbnail_memory import thumbnails_in_a_fresh_process

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


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.name for bad in CORPUS])
def test_each_bad_file_is_handled_in_bounded_memory_and_handling_ends(bad: BadUpload, tmp_path: Path) -> None:
    # Given a file of the corpus
    path = tmp_path / bad.key.rpartition("/")[2]
    path.write_bytes(bad.make())
    # When a fresh process opens it and makes its thumbnails
    result = thumbnails_in_a_fresh_process(path, timeout_s=HANG_GUARD_S)
    # Then it ends with the promised outcome (no hang, no crash)...
    assert result["status"] == bad.status, result
    if bad.reason is not None:
        assert str(result["reason"]).startswith(bad.reason)
    # ...holding little memory: a refused file is refused from its header or its first
    # broken bytes, an accepted one decoded once, its first frame only
    peak = result["peak_above_base_mb"]
    assert peak < (BAD_FILE_BOUND_MB if bad.status == "ready" else REFUSED_FILE_BOUND_MB), f"{peak:.1f} MB"
