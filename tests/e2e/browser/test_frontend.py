"""A browser frontend on another origin, against the local stack: headless Chromium (Debian's
``chromium``, driven by Playwright; ``make test-browser``) opens ``index.html`` from a static
server on its own port, which calls the API with a token. What the page shows is what a user
of the frontend sees: portfolios with their thumbnails, the next page, the API's message
when it refuses the token. Screenshots go to tests/e2e/artifacts/ (git-ignored)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from portfolio.infra.template import load_template
from portfolio.local.gateway import gateway_reply
from tests.e2e.stack import RunningStack

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

PAGE_FOLDER = Path(__file__).resolve().parent
ARTIFACTS = PAGE_FOLDER.parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Headless as root in a container, on a machine that reaches no network but this one: no
# sandbox (root), no GPU, and nothing Chromium would fetch for itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_SIZE = 3
TIMEOUT_MS = 20_000


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's output."""


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    """``tests/e2e/browser/`` served on a free port of its own: another origin than the API."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(PAGE_FOLDER)))
    Thread(target=server.serve_forever, name="frontend", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # Playwright starts it with a fresh profile (user data dir) of its own.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(
    browser: Browser,
    page_origin: str,
    stack: RunningStack,
    token: str,
    name: str = "index.html",
    **query: Any,
) -> Page:
    """The page ``name`` of the frontend's origin, given the API's URL, the token and ``query``
    (the list page: its page size)."""
    page = browser.new_page(viewport={"width": 900, "height": 600})
    page.set_default_timeout(TIMEOUT_MS)
    options = query or {"limit": PAGE_SIZE}
    page.goto(f"{page_origin}/{name}?{urlencode({'api': stack.api_url, 'token': token, **options})}")
    return page


def _wait_for_status(page: Page, prefix: str) -> None:
    page.wait_for_function(
        "prefix => document.getElementById('status').textContent.startsWith(prefix)", arg=prefix
    )


def _thumbnail_widths(page: Page) -> list[int]:
    """The natural width of every thumbnail on the page, once each has loaded or failed."""
    page.wait_for_function("[...document.querySelectorAll('img.thumbnail')].every(image => image.complete)")
    widths: list[int] = page.eval_on_selector_all(
        "img.thumbnail", "images => images.map(image => image.naturalWidth)"
    )
    return widths


def _screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _api_pages(stack: RunningStack, token: str, count: int) -> list[dict[str, Any]]:
    """The API's own first ``count`` pages of the page's query, as curl would get them."""
    headers = {"Authorization": f"Token {token}"}
    url: str | None = (
        f"{stack.api_url}/api/portfolios/?{urlencode({'has_image': 'true', 'limit': PAGE_SIZE})}"
    )
    pages = []
    while url is not None and len(pages) < count:
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        url = pages[-1]["next"]
    return pages


def test_a_frontend_on_another_origin_shows_portfolios_with_thumbnails_and_pages(
    stack: RunningStack, page_origin: str, browser: Browser
) -> None:
    # Given a frontend served from another origin than the API (same host, another port)
    assert urlsplit(page_origin).port != urlsplit(stack.api_url).port
    token = stack.tokens["admin"]
    first, second = _api_pages(stack, token, 2)
    # When a user opens it (it calls the API with the token: a CORS preflight, then the GET)
    page = _open(browser, page_origin, stack, token)
    _wait_for_status(page, "Page 1")
    # Then it shows the first page's portfolios, in the API's order, with no error
    assert page.locator(".portfolio .title").all_inner_texts() == [item["title"] for item in first["results"]]
    assert page.locator("#status").inner_text() == f"Page 1: {PAGE_SIZE} of {first['count']} portfolios"
    assert page.locator("#error").is_hidden()
    # And every thumbnail was actually loaded from the media URLs the API gave
    widths = _thumbnail_widths(page)
    assert len(widths) == PAGE_SIZE
    assert all(width > 0 for width in widths), widths
    _screenshot(page, "browser-first-page.png")

    # When the user goes to the next page (the API's `next` link)
    page.click("#next")
    _wait_for_status(page, "Page 2")
    # Then the page shows the API's second page, thumbnails included
    assert page.locator(".portfolio .title").all_inner_texts() == [
        item["title"] for item in second["results"]
    ]
    assert all(width > 0 for width in _thumbnail_widths(page))
    _screenshot(page, "browser-second-page.png")
    page.close()


@pytest.mark.parametrize(
    ("user", "response_type", "status"),
    [(None, "UNAUTHORIZED", 401), ("staff", "ACCESS_DENIED", 403)],
    ids=["bad token", "no permission"],
)
def test_a_frontend_shows_the_apis_message_when_the_token_is_refused(
    stack: RunningStack,
    page_origin: str,
    browser: Browser,
    user: str | None,
    response_type: str,
    status: int,
) -> None:
    # Given a token the API refuses (an unknown key, or a user without the permission)
    token = stack.tokens[user] if user else "0" * 40
    # When the frontend calls the API with it
    page = _open(browser, page_origin, stack, token)
    _wait_for_status(page, "Failed")
    # Then it shows the status and the message of the template's gateway response: the
    # browser let the page read them (they carry CORS headers too)
    detail = json.loads(gateway_reply(load_template(), response_type).body)["detail"]
    assert page.locator("#error").inner_text() == f"{status}: {detail}"
    assert page.locator(".portfolio").count() == 0
    _screenshot(page, f"browser-{status}.png")
    page.close()


# --- an editor's page: uploads through the API (issue 10) ----------------------------------------

EDITED_PORTFOLIO = 148


def _open_editor(browser: Browser, page_origin: str, stack: RunningStack, token: str) -> Page:
    return _open(browser, page_origin, stack, token, "editor.html", portfolio=EDITED_PORTFOLIO)


def _jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (240, 160, 20)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_editor_page_on_another_origin_uploads_an_image_and_shows_its_thumbnail(
    stack: RunningStack, page_origin: str, browser: Browser
) -> None:
    # Given an editor's page on another origin, with the editor's token
    page = _open_editor(browser, page_origin, stack, stack.tokens["editor"])
    # When the editor picks a real JPEG, names it and uploads it as the portfolio's cover (the
    # page asks the API for a form, posts the file straight to the local S3, polls the status)
    page.set_input_files(
        "#file", files=[{"name": "editor cover.jpg", "mimeType": "image/jpeg", "buffer": _jpeg(900, 600)}]
    )
    page.fill("#name", "Editor's cover")
    page.click("button[type=submit]")
    _wait_for_status(page, "Ready")
    # Then the page shows the new image's thumbnail, loaded from the media URL
    page.wait_for_function("document.getElementById('thumbnail').complete")
    assert page.eval_on_selector("#thumbnail", "image => image.naturalWidth") > 0
    assert page.locator("#error").is_hidden()
    _screenshot(page, "browser-editor-upload.png")
    page.close()
    # And the API shows it as the portfolio's cover
    retrieved = requests.get(
        f"{stack.api_url}/api/portfolios/{EDITED_PORTFOLIO}/",
        headers={"Authorization": f"Token {stack.tokens['editor']}"},
        timeout=10,
    ).json()
    assert retrieved["image_data"]["name"] == "Editor's cover"


def test_an_editor_page_shows_why_the_api_refuses_an_upload(
    stack: RunningStack, page_origin: str, browser: Browser
) -> None:
    # Given a token that may read but not upload
    page = _open_editor(browser, page_origin, stack, stack.tokens["staff_4202"])
    page.set_input_files(
        "#file", files=[{"name": "cover.jpg", "mimeType": "image/jpeg", "buffer": _jpeg(10, 10)}]
    )
    # When the page asks for an upload
    page.click("button[type=submit]")
    _wait_for_status(page, "Failed")
    # Then it shows the authorizer's 403 (the gateway response carries CORS headers too)
    assert page.locator("#error").inner_text() == "403: You do not have permission to perform this action."
    page.close()
