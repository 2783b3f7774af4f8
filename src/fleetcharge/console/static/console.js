// fleetcharge console: a little progressive enhancement. Every page works without it.
"use strict";

// Forms marked data-confirm ask before they are sent (station commands, approvals).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement && form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// The network page: stations' connections and statuses change while it is open, from the
// server's event stream (console/live.py). Without script the page shows them as loaded.
const live = document.querySelector("[data-live]");

function badge(status, field) {
  const span = document.createElement("span");
  span.className = `badge status-${status}`;
  span.textContent = status;
  if (field) {
    span.dataset.field = field;
  }
  return span;
}

function showStation(station) {
  const row = live.querySelector(`tr[data-station="${CSS.escape(station.uuid)}"]`);
  if (!row) {
    return; // not on this page
  }
  row.querySelector('[data-field="online"]').replaceWith(
    badge(station.online ? "online" : "offline", "online"),
  );
  const items = station.connectors.map((connector) => {
    const item = document.createElement("li");
    item.dataset.connector = connector.number;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = connector.name || connector.number;
    const since = document.createElement("span");
    since.className = "hint";
    since.dataset.field = "since";
    since.textContent = connector.since;
    item.append(name, " ", badge(connector.status, "status"), " ", since);
    return item;
  });
  row.querySelector('[data-field="connectors"]').replaceChildren(...items);
}

function showCounts(counts) {
  for (const key of ["stations", "online", "offline"]) {
    const figure = document.querySelector(`[data-count="${key}"]`);
    if (figure) {
      figure.textContent = counts[key].toLocaleString("en-AU");
    }
  }
  const list = document.querySelector("[data-statuses]");
  if (!list) {
    return;
  }
  const items = Object.entries(counts.statuses).map(([status, count]) => {
    const item = document.createElement("li");
    item.dataset.statusCount = status;
    const link = document.createElement("a");
    link.href = `/network?show=${encodeURIComponent(status)}`;
    link.append(badge(status));
    const number = document.createElement("span");
    number.className = "count";
    number.textContent = count.toLocaleString("en-AU");
    item.append(link, " ", number);
    return item;
  });
  list.replaceChildren(...items);
}

if (live && "EventSource" in window) {
  const events = new EventSource(live.dataset.live);
  events.addEventListener("station", (event) => showStation(JSON.parse(event.data)));
  events.addEventListener("counts", (event) => showCounts(JSON.parse(event.data)));
  // Closed by the browser when the page goes, so no stream outlives it.
  window.addEventListener("pagehide", () => events.close());
}
