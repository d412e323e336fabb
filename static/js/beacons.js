/*
 * Flywheel beacons: what people see, how long, and what they click.
 *
 * A post counts as seen when at least half of it is visible for at least one second
 * (an "impression"); its dwell is the time it stays at least half visible. Clicks on links
 * inside a tracked card (the post, the author's profile) are recorded too. Events are
 * batched and sent with navigator.sendBeacon, also when the page is hidden or closed, so
 * nothing is lost with the tab.
 *
 * Markup: a card carries data-track-post="<post id>" and optionally data-position and
 * data-serve (the page's signed record of the arm and model version that chose it, which
 * the server reads; it never takes them from us); the surface comes from the nearest [data-surface]
 * (home, explore, profile, group, search, post, hashtag). The endpoint and the CSRF token
 * come from <body data-beacon-url> and the hx-headers the body already carries.
 */
(function () {
  "use strict";
  var body = document.body;
  var endpoint = body && body.getAttribute("data-beacon-url");
  if (!endpoint || !("IntersectionObserver" in window)) return;

  var SEEN_RATIO = 0.5;
  var SEEN_MS = 1000;
  var FLUSH_EVERY_MS = 5000;
  var MAX_BATCH = 50;
  var MAX_DWELL_MS = 10 * 60 * 1000;
  var queue = [];
  var tracked = new WeakMap();
  var counter = 0;
  var pageKey = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function describe(card) {
    var surfaceHolder = card.closest("[data-surface]");
    var item = {
      post: parseInt(card.getAttribute("data-track-post"), 10),
      surface: surfaceHolder ? surfaceHolder.getAttribute("data-surface") : "",
    };
    var position = card.getAttribute("data-position");
    if (position !== null && position !== "") item.position = parseInt(position, 10);
    var serve = card.getAttribute("data-serve");
    if (serve) item.serve = serve;
    return item;
  }

  function enqueue(kind, card, extra) {
    var item = describe(card);
    item.kind = kind;
    item.key = pageKey + "-" + (counter++);
    item.at = new Date().toISOString();
    for (var name in extra) item[name] = extra[name];
    queue.push(item);
    if (queue.length >= MAX_BATCH) flush();
  }

  function flush() {
    if (!queue.length) return;
    var batch = queue.splice(0, MAX_BATCH);
    var form = new FormData();
    form.append("events", JSON.stringify(batch));
    form.append("csrfmiddlewaretoken", csrfToken());
    var sent = navigator.sendBeacon && navigator.sendBeacon(endpoint, form);
    if (!sent) {
      fetch(endpoint, { method: "POST", body: form, credentials: "same-origin", keepalive: true })
        .catch(function () {});
    }
    if (queue.length) flush();
  }

  function finishDwell(card, state, now) {
    if (state.visibleSince === null) return;
    var visibleFor = now - state.visibleSince;
    state.visibleSince = null;
    if (state.timer) { clearTimeout(state.timer); state.timer = null; }
    if (state.seen && visibleFor > 0) {
      enqueue("dwell", card, { dwell_ms: Math.min(Math.round(visibleFor), MAX_DWELL_MS) });
    }
  }

  var observer = new IntersectionObserver(function (entries) {
    var now = performance.now();
    entries.forEach(function (entry) {
      var card = entry.target;
      var state = tracked.get(card);
      if (!state) return;
      var visible = entry.isIntersecting && entry.intersectionRatio >= SEEN_RATIO;
      if (visible && state.visibleSince === null && !document.hidden) {
        state.visibleSince = now;
        if (!state.seen) {
          state.timer = setTimeout(function () {
            state.timer = null;
            if (state.visibleSince !== null && !state.seen) {
              state.seen = true;
              enqueue("impression", card, {});
            }
          }, SEEN_MS);
        }
      } else if (!visible) {
        finishDwell(card, state, now);
      }
    });
  }, { threshold: [0, SEEN_RATIO, 1] });

  function track(root) {
    var cards = (root.querySelectorAll ? root : document).querySelectorAll("[data-track-post]");
    Array.prototype.forEach.call(cards, function (card) {
      if (tracked.has(card)) return;
      tracked.set(card, { seen: false, visibleSince: null, timer: null });
      observer.observe(card);
    });
  }

  function pauseAll() {
    var now = performance.now();
    document.querySelectorAll("[data-track-post]").forEach(function (card) {
      var state = tracked.get(card);
      if (state) finishDwell(card, state, now);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    var card = link && link.closest("[data-track-post]");
    if (!card) return;
    var extra = {};
    var person = link.getAttribute("data-person");
    if (person) extra.person = parseInt(person, 10);
    enqueue("click", card, extra);
    flush();  // the page may be about to unload
  }, true);

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { pauseAll(); flush(); }
    else {
      // Cards still on screen start a new visible stretch.
      document.querySelectorAll("[data-track-post]").forEach(function (card) {
        observer.unobserve(card); observer.observe(card);
      });
    }
  });
  window.addEventListener("pagehide", function () { pauseAll(); flush(); });
  document.body.addEventListener("htmx:afterSwap", function (event) { track(event.target); });
  setInterval(flush, FLUSH_EVERY_MS);
  track(document);

  window.flywheelBeacons = { flush: flush, pending: function () { return queue.length; } };
})();
