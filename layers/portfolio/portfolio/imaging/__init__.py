"""Image processing with Pillow: safe opening of untrusted bytes and thumbnail generation.

Pure: bytes in, bytes and facts out. No AWS, no configuration.
"""

from portfolio.imaging.safety import (
    ALLOWED_FORMATS,
    MAX_IMAGE_PIXELS,
    ImageRejected,
    RejectionReason,
)
from portfolio.imaging.thumbnails import (
    THUMBNAIL_SPECS,
    Encoding,
    ImageFacts,
    Thumbnail,
    ThumbnailSet,
    ThumbnailSpec,
    make_thumbnails,
    render_thumbnails,
)

__all__ = [
    "ALLOWED_FORMATS",
    "MAX_IMAGE_PIXELS",
    "THUMBNAIL_SPECS",
    "Encoding",
    "ImageFacts",
    "ImageRejected",
    "RejectionReason",
    "Thumbnail",
    "ThumbnailSet",
    "ThumbnailSpec",
    "make_thumbnails",
    "render_thumbnails",
]
