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
