"""Thumbnail budget: our pipeline against the naive one, on images this script makes itself.

    .venv/bin/python benchmarks/thumbnails.py [--runs 5]     (``make bench`` runs ``main()``)

For a 24-megapixel JPEG with EXIF orientation 6 and a 12-megapixel RGBA PNG it prints:

- wall time and peak memory of making the four encoded thumbnails (1080, 512, 128, 64),
  from the bytes already in memory, with ``portfolio.imaging.make_thumbnails``;
- the same for the naive approach (per size: open, ``ImageOps.exif_transpose``,
  ``thumbnail()``, save), encoding with the same options as the pipeline;
- the ratio naive / pipeline;
- each thumbnail's PSNR against an exact one-step resize of the full image (full decode,
  EXIF transposition, one LANCZOS resize to the same size; alpha compared premultiplied,
  see ``psnr``). The budget is on the resized pixels (the pipeline's resize quality); the
  PSNR after encoding (JPEG quality 85 costs every method alike) is printed for reference.

Each timing runs in a fresh Python process (median of ``--runs``; pipeline and naive runs
alternate, so that both meet the same load on a shared machine), so that peak memory is
the process's own high-water mark (``VmHWM``, reset just before the work): "peak" is that
mark minus the RSS when the work began (interpreter, Pillow and the input bytes, printed as
"base"). Plugins are warmed on a tiny image of the same format first in both cases.

Budget: pipeline >= 6x naive with peak < 100 MB on the JPEG, >= 2x on the PNG, PSNR >= 40 dB
on every thumbnail. ``main()`` returns 1 when a budget fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageOps, ImageStat

JPEG_SPEEDUP_BUDGET = 6.0
JPEG_PEAK_BUDGET_MB = 100.0
PNG_SPEEDUP_BUDGET = 2.0
PSNR_BUDGET_DB = 40.0
JPEG_SIZE = (6000, 4000)  # 24 MP, stored landscape, displayed portrait (orientation 6)
PNG_SIZE = (4000, 3000)  # 12 MP


@dataclass(frozen=True, slots=True)
class Measurement:
    wall_s: float
    cpu_s: float
    peak_mb: float
    base_mb: float


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    path: Path
    speedup_budget: float
    peak_budget_mb: float | None


# --- test images ---------------------------------------------------------------------------


def _photo_like(size: tuple[int, int], seed_sigma: float) -> Image.Image:
    """Smooth gradients, shapes and sensor-like noise: compresses and resizes like a photo."""
    width, height = size
    horizontal = Image.linear_gradient("L").rotate(90).resize(size)
    vertical = Image.linear_gradient("L").resize(size)
    radial = Image.radial_gradient("L").resize(size)
    noise = Image.effect_noise(size, seed_sigma)
    red = Image.blend(horizontal, noise, 0.25)
    green = Image.blend(vertical, radial, 0.5)
    blue = ImageChops.add(radial.point(lambda v: v // 2), noise.point(lambda v: v // 4))
    image = Image.merge("RGB", (red, green, blue))
    # Hard edges: text-like bars and blocks, where a poor resize shows first.
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    step = max(width // 40, 8)
    for index in range(0, width, step):
        draw.rectangle((index, height // 3, index + step // 3, height // 3 + step * 4), fill=(20, 20, 20))
    draw.ellipse((width // 4, height // 2, width // 2, height - step), fill=(250, 200, 40))
    return image


def make_jpeg(path: Path) -> None:
    image = _photo_like(JPEG_SIZE, 48)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image.save(path, "JPEG", quality=90, exif=exif)


def make_png(path: Path) -> None:
    image = _photo_like(PNG_SIZE, 24)
    alpha = Image.linear_gradient("L").resize(PNG_SIZE).point(lambda v: 64 + v * 3 // 4)
    image.putalpha(alpha)
    image.save(path, "PNG")


# --- one measurement (in a fresh process) ----------------------------------------------------


def _naive(data: bytes) -> list[bytes]:
    from portfolio.imaging.thumbnails import ENCODINGS, THUMBNAIL_EDGES, THUMBNAIL_ENCODING_FOR

    outputs = []
    for edge in THUMBNAIL_EDGES:
        image = Image.open(io.BytesIO(data))
        encoding = ENCODINGS[THUMBNAIL_ENCODING_FOR[str(image.format)]]
        image = ImageOps.exif_transpose(image)
        image.thumbnail((edge, edge))
        buffer = io.BytesIO()
        image.save(buffer, encoding.format, **encoding.options)
        outputs.append(buffer.getvalue())
    return outputs


def _pipeline(data: bytes) -> list[bytes]:
    from portfolio.imaging import make_thumbnails

    return [thumbnail.data for thumbnail in make_thumbnails(data).thumbnails]


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    """Make the high-water mark the current RSS (Linux >= 4.0), so that a peak measured next
    is the work's own. (ru_maxrss cannot be used: Linux carries it over fork and exec, so a
    child would start with its parent's peak.)"""
    Path("/proc/self/clear_refs").write_text("5")


def measure_once(kind: str, path: Path) -> Measurement:
    run = _pipeline if kind == "pipeline" else _naive
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as probe:
        tiny = io.BytesIO()
        probe_format = str(probe.format)
        Image.new(probe.mode, (32, 24)).save(tiny, probe_format)
    run(tiny.getvalue())  # load the plugins and the code path before measuring
    _reset_peak()
    base = _status_mb("VmRSS")
    start, start_cpu = time.perf_counter(), time.process_time()
    run(data)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return Measurement(wall_s=wall, cpu_s=cpu, peak_mb=_status_mb("VmHWM") - base, base_mb=base)


def _measure_in_fresh_process(kind: str, path: Path) -> Measurement:
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Measurement(**json.loads(output))


def _median(results: list[Measurement]) -> Measurement:
    return Measurement(
        wall_s=statistics.median(m.wall_s for m in results),
        cpu_s=statistics.median(m.cpu_s for m in results),
        peak_mb=statistics.median(m.peak_mb for m in results),
        base_mb=statistics.median(m.base_mb for m in results),
    )


def measure_both(path: Path, runs: int) -> tuple[Measurement, Measurement]:
    """Median pipeline and naive measurements of ``runs`` fresh processes each, interleaved
    (pipeline, naive, pipeline...) so that both meet the same machine load."""
    pipeline, naive = [], []
    for _ in range(runs):
        pipeline.append(_measure_in_fresh_process("pipeline", path))
        naive.append(_measure_in_fresh_process("naive", path))
    return _median(pipeline), _median(naive)


# --- quality ---------------------------------------------------------------------------------


_PREMULTIPLIED = {"RGBA": "RGBa", "LA": "La"}


def psnr(image: Image.Image, reference: Image.Image) -> float:
    """Peak signal-to-noise ratio over every band, in dB (inf when identical).

    Images with alpha are compared premultiplied (colour x alpha, and alpha): what shows
    when they are drawn. Unpremultiplied, a nearly transparent pixel's colour cannot be kept
    to 8 bits by any resize (at alpha 1 it is 0 or 255), and such invisible differences
    would dominate the figure.
    """
    if image.size != reference.size or image.mode != reference.mode:
        raise ValueError(f"cannot compare {image.mode} {image.size} with {reference.mode} {reference.size}")
    if image.mode in _PREMULTIPLIED:
        image, reference = (
            image.convert(_PREMULTIPLIED[image.mode]),
            reference.convert(_PREMULTIPLIED[image.mode]),
        )
    squares = ImageStat.Stat(ImageChops.difference(image, reference)).sum2
    mse = sum(squares) / (image.width * image.height * len(squares))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def quality(path: Path) -> list[tuple[int, float, float]]:
    """(edge, PSNR of the resized pixels, PSNR after encoding) for every thumbnail."""
    from portfolio.imaging import render_thumbnails
    from portfolio.imaging.thumbnails import encode

    data = path.read_bytes()
    rendered = render_thumbnails(data)
    full = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    rows = []
    for spec, image in rendered.images:
        reference = full.convert(image.mode).resize(image.size, Image.Resampling.LANCZOS)
        encoded = Image.open(io.BytesIO(encode(image, rendered.encoding))).convert(image.mode)
        rows.append((spec.edge, psnr(image, reference), psnr(encoded, reference)))
    return rows


# --- report ------------------------------------------------------------------------------------


def run_case(case: Case, runs: int) -> bool:
    pipeline, naive = measure_both(case.path, runs)
    speedup = naive.wall_s / pipeline.wall_s
    rows = quality(case.path)
    ok_speed = speedup >= case.speedup_budget
    ok_peak = case.peak_budget_mb is None or pipeline.peak_mb < case.peak_budget_mb
    ok_psnr = all(resized >= PSNR_BUDGET_DB for _, resized, _ in rows)
    size_mb = case.path.stat().st_size / 2**20
    print(f"{case.name} ({size_mb:.1f} MB file), median of {runs} fresh processes:")
    for label, measured in (("pipeline", pipeline), ("naive", naive)):
        print(
            f"  {label:<8}  {measured.wall_s * 1000:6.0f} ms wall  {measured.cpu_s * 1000:6.0f} ms CPU"
            f"  peak {measured.peak_mb:6.1f} MB  (base {measured.base_mb:.0f} MB)"
        )
    peak_text = "" if case.peak_budget_mb is None else f", peak < {case.peak_budget_mb:.0f} MB"
    verdict = "ok" if ok_speed and ok_peak else "OVER BUDGET"
    print(f"  ratio     {speedup:6.1f}x  (budget >= {case.speedup_budget:.0f}x{peak_text}: {verdict})")
    for edge, resized, encoded in rows:
        flag = "ok" if resized >= PSNR_BUDGET_DB else "BELOW BUDGET"
        print(f"  PSNR {edge:>4}  resized {resized:5.1f} dB ({flag}), encoded {encoded:5.1f} dB")
    return ok_speed and ok_peak and ok_psnr


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (``argv``: this script's options; None means the defaults, so that
    ``benchmarks/__main__.py`` can call ``main()`` whatever its own command line is)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per measurement (median)")
    parser.add_argument("--measure", choices=("pipeline", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("image", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else [])
    if args.measure:
        measurement = measure_once(args.measure, args.image)
        print(json.dumps(dataclasses.asdict(measurement)))
        return 0
    print("Thumbnails (1080, 512, 128, 64), encoded, from bytes in memory")
    with tempfile.TemporaryDirectory(prefix="thumbnail-bench-") as folder:
        jpeg, png = Path(folder) / "photo-24mp-exif6.jpg", Path(folder) / "rgba-12mp.png"
        make_jpeg(jpeg)
        make_png(png)
        cases = (
            Case("24-MP JPEG, EXIF orientation 6", jpeg, JPEG_SPEEDUP_BUDGET, JPEG_PEAK_BUDGET_MB),
            Case("12-MP RGBA PNG", png, PNG_SPEEDUP_BUDGET, None),
        )
        results = [run_case(case, max(args.runs, 1)) for case in cases]
    ok = all(results)
    print("thumbnail budget: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
