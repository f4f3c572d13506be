/* The data-entry form keeps what was typed across a dropped connection (commune links are poor):
   every change is kept in this browser (localStorage) until the server has it. Sending without a
   connection waits for it, then sends by itself; a page that was left unsent gets its figures
   back, with a message saying so. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-keep-draft]");
  if (!form || !window.localStorage) { return; }
  var key = "hatangso-draft:" + location.pathname + location.search;
  var note = document.getElementById("draft-note");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && field.name.indexOf("value-") === 0 && !field.disabled;
    });
  }
  function say(text) {
    if (!note || !text) { return; }
    note.textContent = text;
    note.hidden = false;
  }
  function keep() {
    var values = {};
    fields().forEach(function (field) { values[field.name] = field.value; });
    localStorage.setItem(key, JSON.stringify(values));
  }

  var saved = document.querySelector(".message:not(.error):not(#draft-note)");  // the server confirmed a save
  var draft = localStorage.getItem(key);
  if (draft && saved && sessionStorage.getItem(key) === "sent") {
    localStorage.removeItem(key);  // the server has it
  } else if (draft) {
    var values = JSON.parse(draft), restored = 0;
    fields().forEach(function (field) {
      if (values[field.name] !== undefined && values[field.name] !== field.value) {
        field.value = values[field.name];
        restored += 1;
      }
    });
    if (restored) { say(form.dataset.textRestored); } else { localStorage.removeItem(key); }
  }
  sessionStorage.removeItem(key);

  form.addEventListener("input", keep);
  form.addEventListener("submit", function (event) {
    keep();
    if (navigator.onLine) { sessionStorage.setItem(key, "sent"); return; }
    event.preventDefault();  // no connection: wait for it, then send the same button's action
    var button = event.submitter;
    say(form.dataset.textOffline);
    window.addEventListener("online", function () {
      sessionStorage.setItem(key, "sent");
      say(form.dataset.textSending);
      form.requestSubmit(button || undefined);
    }, { once: true });
  });
})();
