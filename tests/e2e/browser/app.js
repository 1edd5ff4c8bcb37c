// Lists portfolios with their thumbnails, one page at a time (the API's `next`), and shows
// the API's own message ({"detail": ...}) when it refuses a request.
"use strict";

const options = new URLSearchParams(window.location.search);
const api = (options.get("api") || "").replace(/\/$/, "");
const token = options.get("token") || "";
const limit = options.get("limit") || "3";

const statusLine = document.getElementById("status");
const errorLine = document.getElementById("error");
const list = document.getElementById("portfolios");
const nextButton = document.getElementById("next");
let nextUrl = null;
let page = 0;

// The thumbnail a 128 px tile needs: the smallest at least that large, else the original.
function thumbnailUrl(image) {
  const thumbnails = (image.thumbnails || []).slice().sort((a, b) => a.size - b.size);
  const fitting = thumbnails.find((thumbnail) => thumbnail.size >= 128);
  return fitting ? fitting.f : image.f;
}

function show(portfolios) {
  list.replaceChildren(
    ...portfolios.map((portfolio) => {
      const item = document.createElement("li");
      item.className = "portfolio";
      item.dataset.id = String(portfolio.id);
      if (portfolio.image_data) {
        const picture = document.createElement("img");
        picture.className = "thumbnail";
        picture.alt = portfolio.image_data.name;
        picture.src = thumbnailUrl(portfolio.image_data);
        item.append(picture);
      }
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = portfolio.title;
      item.append(title);
      return item;
    }),
  );
}

async function load(url) {
  nextButton.disabled = true;
  statusLine.textContent = "Loading…";
  let response;
  try {
    response = await fetch(url, { headers: { Authorization: `Token ${token}` } });
  } catch (error) {
    // What a browser reports when CORS hides the answer: no status, no body.
    errorLine.hidden = false;
    errorLine.textContent = `Network error: ${error.message}`;
    statusLine.textContent = "Failed";
    return;
  }
  const body = await response.json();
  if (!response.ok) {
    errorLine.hidden = false;
    errorLine.textContent = `${response.status}: ${body.detail}`;
    statusLine.textContent = "Failed";
    return;
  }
  errorLine.hidden = true;
  page += 1;
  show(body.results);
  nextUrl = body.next;
  nextButton.disabled = nextUrl === null;
  statusLine.textContent = `Page ${page}: ${body.results.length} of ${body.count} portfolios`;
}

nextButton.addEventListener("click", () => load(nextUrl));
load(`${api}/api/portfolios/?has_image=true&limit=${encodeURIComponent(limit)}`);
