/* Staff pages: nothing a liaison types is lost to the end of an idle session.

   - While a form on the page has unsaved input and the user is at work on it, the
     keep-alive address is pinged every few minutes, so the session does not end
     mid-form. A page left alone still ends its session after the idle limit: a desk
     computer left unattended must not stay signed in.
   - When the user has been away and the session is about to end, a notice says so and
     offers to stay signed in; once it has ended, it says that saving asks to sign in
     again and keeps the input (the server keeps it: base/kept_input.py).
   - Input kept through a sign-in is filled back into its form, never submitted: the
     user checks it and saves.
   Print buttons are static/js/print.js's, on the pages that have one. */
(function () {
  "use strict";

  var PING_EVERY_MS = 4 * 60 * 1000;
  var WARN_BEFORE_MS = 5 * 60 * 1000;
  var TICK_MS = 15 * 1000;

  var keeper = document.getElementById("session-keeper");
  var dirty = false;

  function each(list, callback) {
    Array.prototype.forEach.call(list, callback);
  }

  function isPostForm(form) {
    return Boolean(form) && form.method === "post";
  }

  function fillKeptInput() {
    var script = document.getElementById("kept-input");
    if (!script) {
      return;
    }
    var kept = JSON.parse(script.textContent);
    var form = Array.prototype.find.call(document.forms, function (candidate) {
      return (
        isPostForm(candidate) &&
        new URL(candidate.action, window.location.href).pathname === kept.action
      );
    });
    if (!form) {
      return;
    }
    var used = {};
    each(form.elements, function (field) {
      var values = kept.fields[field.name];
      if (!field.name || field.name === "csrfmiddlewaretoken" || field.type === "file") {
        return;
      }
      if (field.tagName === "BUTTON" || field.type === "submit" || field.type === "button") {
        return;
      }
      // A box left unticked is not posted at all: absent means unticked.
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = Boolean(values) && values.indexOf(field.value) !== -1;
      } else if (field.type === "select-multiple") {
        each(field.options, function (option) {
          option.selected = Boolean(values) && values.indexOf(option.value) !== -1;
        });
      } else if (values) {
        var index = used[field.name] || 0;
        if (index < values.length) {
          field.value = values[index];
        }
        used[field.name] = index + 1;
      }
    });
    var details = form.closest("details");
    if (details) {
      details.open = true;
    }
    dirty = true;
  }

  function keepSessionAlive() {
    if (!keeper) {
      return;
    }
    var idleMs = Number(keeper.dataset.idleSeconds) * 1000;
    var lastContact = Date.now(); // the server last saw this page: its load, or a ping
    var lastActivity = lastContact;
    var pinging = false;
    var ended = false;
    var ending = keeper.querySelector('[data-when="ending"]');
    var endedNotice = keeper.querySelector('[data-when="ended"]');
    var stay = keeper.querySelector("[data-keep-alive]");

    function show(state) {
      keeper.hidden = state === "none";
      ending.hidden = state !== "ending";
      endedNotice.hidden = state !== "ended";
      stay.hidden = state !== "ending";
    }

    function csrfToken() {
      var field = document.querySelector("input[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    }

    function ping() {
      if (pinging || ended) {
        return;
      }
      pinging = true;
      fetch(keeper.dataset.keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      })
        .then(function (response) {
          if (response.ok) {
            lastContact = Date.now();
          } else if (response.status === 401 || response.status === 403) {
            ended = true;
          }
        })
        .catch(function () {
          // Offline for a moment: the next tick tries again.
        })
        .then(function () {
          pinging = false;
          tick();
        });
    }

    function tick() {
      var now = Date.now();
      if (!dirty) {
        show("none");
        return;
      }
      if (!ended && lastActivity > lastContact && now - lastContact >= PING_EVERY_MS) {
        ping();
      }
      var left = idleMs - (now - lastContact);
      if (ended || left <= 0) {
        ended = true;
        show("ended");
      } else if (left <= WARN_BEFORE_MS) {
        show("ending");
      } else {
        show("none");
      }
    }

    function active() {
      lastActivity = Date.now();
    }

    document.addEventListener("input", function (event) {
      if (isPostForm(event.target.form)) {
        dirty = true;
      }
      active();
    });
    document.addEventListener("change", function (event) {
      if (isPostForm(event.target.form)) {
        dirty = true;
      }
    });
    ["keydown", "pointerdown", "wheel", "touchstart"].forEach(function (name) {
      document.addEventListener(name, active, { passive: true });
    });
    document.addEventListener("submit", function () {
      dirty = false; // leaving the page with it
    });
    document.addEventListener("visibilitychange", tick);
    stay.addEventListener("click", function () {
      active();
      ping();
    });
    window.setInterval(tick, TICK_MS);
  }

  fillKeptInput();
  keepSessionAlive();
})();
