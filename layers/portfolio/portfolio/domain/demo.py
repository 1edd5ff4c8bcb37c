"""A demo catalogue of the project's own, in the contract's import format.

Deterministic for a seed; shaped like a real portfolio site: a few dozen employers (some
with Persian names), tags and links, a pool of images reused across portfolios (each with
its four thumbnails), gallery images, meta values with and without files, some null fields,
and a share of Persian titles.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from portfolio.domain.rendering import human_readable_size, render_timestamp, timestamp_micros

THUMBNAIL_SIZES = (64, 128, 512, 1080)
MEDIA_BASE = "http://localhost:8000/media"

_EMPLOYERS = (
    ("digikala", "online store"),
    ("snapp", "ride hailing"),
    ("همراه اول", "mobile operator"),
    ("cafebazaar", "app store"),
    ("divar", "classified ads"),
    ("Alibaba Travel", None),
    ("Tapsi", "ride hailing"),
    ("ایرانسل", None),
    ("Moein Soft", "software studio"),
    ("Nova Labs", "product studio"),
    ("Atlas Media", "publisher"),
    ("Pars Bank", "bank"),
    ("Kian Health", "clinics"),
    ("تپسی", None),
    ("Orbit Retail", "retail chain"),
    ("Sahand Energy", "utilities"),
    ("Raha Foods", "restaurants"),
    ("Dena Insurance", None),
)
_TAGS = (
    "web",
    "mobile",
    "ui/ux",
    "django",
    "react",
    "vue",
    "flutter",
    "kotlin",
    "swift",
    "wordpress",
    "postgres",
    "aws",
    "branding",
    "e-commerce",
    "fintech",
    "طراحی",
    "اپلیکیشن",
    "analytics",
    "maps",
    "payments",
    "accessibility",
    "design system",
    "seo",
    "graphql",
)
_PRODUCTS = (
    "Online Store",
    "Driver App",
    "Booking Platform",
    "Loyalty Program",
    "Seller Center",
    "Map Explorer",
    "Survey Builder",
    "Payment Gateway",
    "Inventory Manager",
    "News Portal",
    "Fitness Tracker",
    "Photo Gallery",
    "Job Board",
    "Event Tickets",
    "Smart Home Panel",
    "Crypto Wallet",
    "Recipe App",
    "Hotel Booking",
    "E-learning Platform",
    "Marketing Site",
    "Analytics Dashboard",
    "Design System",
    "Logo Refresh",
    "Help Center",
    "Chat Widget",
)
_PERSIAN_TITLES = (
    "فروشگاه اینترنتی",
    "اپلیکیشن رزرو هتل",
    "سایت خبری",
    "داشبورد تحلیلی فروش",
    "طراحی لوگو و هویت بصری",
    "اپلیکیشن تاکسی اینترنتی",
    "سامانه نوبت دهی",
    "کیف پول دیجیتال",
)
_STACKS = ("Django", "React", "Vue", "Flutter", "Kotlin", "Swift", "Go", "Next.js", "Laravel")
_AUDIENCES = ("students", "drivers", "shoppers", "travellers", "small shops", "clinics", "editors")
_KINDS = ("site", "app", "dashboard", "platform", "service")
_LINK_NAMES = ("github", "site_url", "play_store", "app_store", "behance", "dribbble")
_META_KEYS = ("team_size", "role", "duration", "contract", "source_code", "brochure")
_IMAGE_FORMATS = (("jpg", "RGB"), ("png", "RGBA"), ("webp", "RGB"), ("png", "L"), ("jpg", "CMYK"))
_FILE_FORMATS = (("pdf", "document"), ("mp4", "video"), ("zip", "archive"), ("mp3", "audio"))

_START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)


def _slugify(text: str, used: set[str]) -> str:
    base = "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split()) or "portfolio"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


def _timestamp(rng: random.Random, after: dt.datetime, days: int) -> dt.datetime:
    return after + dt.timedelta(seconds=rng.randrange(days * 86_400), microseconds=rng.randrange(1_000_000))


# (width, height, mode, extension) -> the bytes of the file the local stack draws for it.
ImageBytes = Callable[[int, int, str, str], int]


class _Media:
    def __init__(self, rng: random.Random, image_bytes: ImageBytes | None) -> None:
        self.rng = rng
        self.image_bytes = image_bytes
        self.next_id = 1
        self.next_thumbnail_id = 1

    def _key(self, stem: str, extension: str) -> tuple[str, str]:
        day = _timestamp(self.rng, _START, 2400)
        folder = f"core_media/{day:%Y/%m/%d}"
        return folder, f"{folder}/{stem}.{extension}"

    def image(self, stem: str) -> dict[str, Any]:
        extension, mode = self.rng.choice(_IMAGE_FORMATS)
        folder, key = self._key(stem, extension)
        width, height = self.rng.choice(((1280, 960), (1080, 1350), (2400, 1600), (800, 600), (156, 156)))
        size = self.rng.randrange(20_000, 3_500_000)  # drawn either way: the seed's sequence stays
        if self.image_bytes is not None:
            size = self.image_bytes(width, height, mode, extension)
        thumbnails = []
        for edge in THUMBNAIL_SIZES:
            thumbnails.append(
                {
                    "id": self.next_thumbnail_id,
                    "f": f"{MEDIA_BASE}/{folder}/thumbnails/{stem}_thumbnail_{edge}x{edge}.{extension}",
                    "size": edge,
                }
            )
            self.next_thumbnail_id += 1
        media = {
            "id": self.next_id,
            "type": "image",
            "name": self.rng.choice((f"{stem}.{extension}", stem.replace("_", " "), "تصویر اصلی")),
            "size": size,
            "human_readable_size": human_readable_size(size),
            "f": f"{MEDIA_BASE}/{key}",
            "width": width,
            "height": height,
            "mode": mode,
            "thumbnails": thumbnails,
        }
        self.next_id += 1
        return media

    def file(self, stem: str) -> dict[str, Any]:
        extension, kind = self.rng.choice(_FILE_FORMATS)
        _, key = self._key(stem, extension)
        size = self.rng.randrange(200_000, 60_000_000)
        media = {
            "id": self.next_id,
            "type": kind,
            "name": self.rng.choice((f"{stem}.{extension}", "بروشور", "Case study")),
            "size": size,
            "human_readable_size": human_readable_size(size),
            "f": f"{MEDIA_BASE}/{key}",
        }
        self.next_id += 1
        return media


def demo_catalogue(
    count: int, *, seed: int = 4202, image_bytes: ImageBytes | None = None
) -> list[dict[str, Any]]:
    """``count`` demo portfolios in the import format (ids 1..count). With ``image_bytes``,
    each image's ``size`` is that of the file it gives (the local stack's placeholder), so a
    record and its file agree; without, a plausible random size."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    media = _Media(rng, image_bytes)
    images = [media.image(f"shot_{n:03d}") for n in range(40)]
    files = [media.file(f"document_{n:02d}") for n in range(12)]
    employers = [
        {"id": n, "name": name, "image_data": rng.choice((None, *images[:10])), "description": description}
        for n, (name, description) in enumerate(_EMPLOYERS, start=1)
    ]
    tags: list[dict[str, Any]] = [
        {"id": n, "name": name, "image_data": rng.choice((None, None, *images[10:16]))}
        for n, name in enumerate(_TAGS, start=1)
    ]
    links = []
    for n in range(1, 61):
        name = rng.choice(_LINK_NAMES)
        links.append(
            {
                "id": n,
                "name": name,
                "url": rng.choice(
                    (None, f"https://example.com/{name}/{n}", f"https://github.com/demo/project-{n}")
                ),
                "image_data": rng.choice((None, None, None, *images[16:20])),
                "description": rng.choice(("", None, "the website url", "case study")),
            }
        )
    used_titles: set[str] = set()
    used_slugs: set[str] = set()
    meta_id = 1
    portfolios = []
    for pid in range(1, count + 1):
        employer = rng.choice((None, *employers, *employers))
        if rng.random() < 0.12:
            title = f"{rng.choice(_PERSIAN_TITLES)} {pid}"
        else:
            employer_name = str(employer["name"]) if employer else ""
            owner = (
                employer_name
                if employer_name.isascii() and employer_name
                else rng.choice(("Nova", "Atlas", "Pixel", "Orbit", "Kian"))
            )
            title = f"{owner} {rng.choice(_PRODUCTS)}"
        if title in used_titles:
            title = f"{title} {pid}"
        used_titles.add(title)
        created = _timestamp(rng, _START, 2400)
        updated = created + dt.timedelta(
            seconds=rng.randrange(0, 90 * 86_400), microseconds=rng.randrange(1_000_000)
        )
        completed = rng.choice((None, created - dt.timedelta(days=rng.randrange(1, 400))))
        meta = []
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            meta.append(
                {
                    "id": meta_id,
                    "key": rng.choice(_META_KEYS),
                    "value_text": rng.choice(("", "lead developer", "6 months", "نسخه نهایی")),
                    "value_file": rng.choice((None, None, *files)),
                }
            )
            meta_id += 1
        adjective = rng.choice(("modern", "fast", "accessible", "bilingual"))
        kind, stack, audience = rng.choice(_KINDS), rng.choice(_STACKS), rng.choice(_AUDIENCES)
        excerpt = f"A {adjective} {kind} built with {stack} for {audience}."
        portfolios.append(
            {
                "id": pid,
                "title": title,
                "slug": _slugify(title, used_slugs)
                if title.isascii()
                else _slugify(f"portfolio {pid} fa", used_slugs),
                "excerpt": excerpt,
                "order": rng.choice((0, 1, 1, 2, 3, 5, 8, 10)),
                "image_data": rng.choice((None, *images, *images)),
                "employer_data": employer,
                "tags_data": sorted(rng.sample(tags, rng.choice((0, 1, 2, 3, 4))), key=lambda tag: tag["id"]),
                "links_data": rng.sample(links, rng.choice((0, 0, 1, 2))),
                "is_active": rng.random() < 0.88,
                "completed_at": render_timestamp(timestamp_micros(completed.replace(microsecond=0)))
                if completed
                else None,
                "created_at": render_timestamp(timestamp_micros(created)),
                "updated_at": render_timestamp(timestamp_micros(updated)),
                "description": rng.choice((None, "", f"{excerpt} Built over {rng.randrange(2, 14)} months.")),
                "images_data": rng.sample(images, rng.choice((0, 0, 1, 3, 5))),
                "meta": meta,
                "year": rng.choice((None, *range(2016, 2027))),
            }
        )
    return portfolios


def with_one_employer(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Make every portfolio of ``items`` (the import format) show the first one's employer, in
    place: one shared record shown on all of them (re-renders at scale); that employer."""
    employer: dict[str, Any] = items[0]["employer_data"]
    for item in items:
        item["employer_data"] = employer
    return employer
