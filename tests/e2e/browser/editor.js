// An editor uploads an image with nothing but an API token (docs/images.md, "Uploading
// through the API"): ask for a form, post the file to S3 with it, poll until the image is
// ready, then show its 128 px thumbnail. Errors show what the API or S3 said.
"use strict";

const options = new URLSearchParams(window.location.search);
const api = (options.get("api") || "").replace(/\/$/, "");
const auth = { Authorization: `Token ${options.get("token") || ""}` };
const portfolio = options.get("portfolio");

const statusLine = document.getElementById("status");
const errorLine = document.getElementById("error");
const thumbnail = document.getElementById("thumbnail");

function fail(message) {
  errorLine.hidden = false;
  errorLine.textContent = message;
  statusLine.textContent = "Failed";
}

// A DRF error body as one line: {"detail": "..."} or {"field": ["...", ...], ...}.
function describe(body) {
  if (typeof body.detail === "string") return body.detail;
  return Object.entries(body)
    .map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`)
    .join("; ");
}

async function upload(file, name, attach) {
  statusLine.textContent = "Asking for an upload…";
  const asked = await fetch(`${api}/api/uploads/`, {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({ file_name: file.name, content_type: file.type, size: file.size, name, attach }),
  });
  const form = await asked.json();
  if (asked.status !== 201) return fail(`${asked.status}: ${describe(form)}`);

  statusLine.textContent = "Sending the file…";
  const body = new FormData();
  for (const [field, value] of Object.entries(form.fields)) body.append(field, value);
  body.append("file", file); // S3 reads the fields before the file
  const sent = await fetch(form.url, { method: "POST", body });
  if (!sent.ok) return fail(`S3 ${sent.status}: ${await sent.text()}`);

  statusLine.textContent = "Making thumbnails…";
  for (;;) {
    const answer = await fetch(`${api}/api/uploads/${form.id}/`, { headers: auth });
    const status = await answer.json();
    if (!answer.ok) return fail(`${answer.status}: ${describe(status)}`);
    if (status.status === "failed") return fail(`The image was refused: ${status.error}`);
    if (status.status === "ready") {
      const thumbnails = status.image_data.thumbnails.slice().sort((a, b) => a.size - b.size);
      const fitting = thumbnails.find((item) => item.size >= 128) || status.image_data;
      thumbnail.alt = status.image_data.name;
      thumbnail.src = fitting.f;
      thumbnail.hidden = false;
      statusLine.textContent = `Ready: image ${status.image_data.id}`;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

document.getElementById("upload").addEventListener("submit", (event) => {
  event.preventDefault();
  errorLine.hidden = true;
  const file = document.getElementById("file").files[0];
  if (!file) return fail("Choose an image first.");
  const attach = document.getElementById("cover").checked && portfolio ? [`cover:${portfolio}`] : [];
  const name = document.getElementById("name").value.trim() || undefined;
  upload(file, name, attach).catch((error) => fail(`Network error: ${error.message}`));
});
