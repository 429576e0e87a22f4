// The calendar's mouse and keys, on top of a page that works without them (each block links
// to its entry's edit page). Every change is one API call; a move or resize sends the entry's
// version in If-Match, and a refusal shows the API's reason in the status line and puts the
// block back where the server has it.
(() => {
  "use strict";
  const STEP = 15; // minutes: drags and keys snap to quarter hours
  const PX = 40 / 60; // pixels per minute (calendar.rs: HOUR_PX)
  const MIN = 60000;
  const DAY = 1440;
  const NOTE = "gogotime-calendar-note";

  const cal = document.querySelector("[data-calendar]");
  const status = document.getElementById("cal-status");
  const csrf = document.querySelector("input[name=_csrf]");
  if (!cal || !status || !csrf) return;
  const cols = [...cal.querySelectorAll("svg.cal-col")];
  let busy = false;

  const say = (text, problem) => {
    status.textContent = text;
    status.classList.toggle("problem", !!problem);
  };
  const two = (n) => String(n).padStart(2, "0");
  const clock = (m) => two(Math.floor(m / 60) % 24) + ":" + two(m % 60);
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  const midnight = (col) => Date.parse(col.dataset.midnight);
  const times = (a) => [Date.parse(a.dataset.start), Date.parse(a.dataset.end)];
  const box = (a) => a.querySelector(".cal-box");

  // the day shown that holds an instant, and its minute there
  const place = (ms) => {
    for (const col of cols) {
      const m = Math.round((ms - midnight(col)) / MIN);
      if (m >= 0 && m < DAY) return { col, m };
    }
    return null;
  };
  const minuteAt = (col, y) => (y - col.getBoundingClientRect().top) / PX;
  const colAt = (x) => cols.find((c) => {
    const r = c.getBoundingClientRect();
    return x >= r.left && x < r.right;
  });

  // Draws a block at [start, end); false when that is not one whole day shown here.
  const draw = (a, start, end) => {
    const at = place(start);
    const length = Math.round((end - start) / MIN);
    if (!at || at.m + length > DAY) return false;
    const focused = document.activeElement === a;
    const b = box(a);
    if (a.parentNode !== at.col) {
      at.col.append(a);
      b.setAttribute("x", "0");
      b.setAttribute("width", "100%");
    }
    b.setAttribute("y", String(at.m * PX));
    b.setAttribute("height", String(Math.max(length, 10) * PX));
    const text = clock(at.m) + "–" + clock(at.m + length);
    const line = b.querySelector(".cal-time");
    if (line) line.textContent = text;
    const where = text + ", " + at.col.dataset.label;
    const was = a.dataset.where;
    if (was) a.setAttribute("aria-label", a.getAttribute("aria-label").replace(was, where));
    a.dataset.where = where;
    if (focused) a.focus();
    return at.col.dataset.label + " " + text;
  };
  for (const a of cal.querySelectorAll(".cal-block.movable")) {
    a.dataset.where = a.dataset.times + ", " + a.closest("svg.cal-col").dataset.label;
  }

  const send = (method, url, body, version) => {
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": csrf.value };
    if (version) headers["If-Match"] = '"' + version + '"';
    return fetch(url, { method, credentials: "same-origin", headers, body: JSON.stringify(body) })
      .then(async (response) => ({ response, body: await response.json().catch(() => null) }))
      .catch(() => ({ response: null, body: null }));
  };
  // the API's problem+json: its detail, and the first field's message when there is one
  const why = ({ response, body }) => {
    if (!response) return "The server could not be reached; nothing was changed.";
    let text = (body && body.detail) || "The server answered " + response.status + ".";
    const fields = body && body.errors;
    if (fields) for (const messages of Object.values(fields)) { text += " " + messages[0]; break; }
    return text;
  };
  // for after a reload: what to say, and which block to focus
  const remember = (text, id) => sessionStorage.setItem(NOTE, JSON.stringify({ text, id }));

  const save = async (a, start, end, verb) => {
    busy = true;
    a.classList.add("saving");
    const answer = await send("PATCH", cal.dataset.api + "/" + a.dataset.id, { start: iso(start), end: iso(end) }, a.dataset.version);
    busy = false;
    a.classList.remove("saving");
    const { response, body } = answer;
    const current = response && response.ok ? body : response && response.status === 412 && body && body.current;
    if (current) {
      a.dataset.version = current.version;
      a.dataset.start = current.start;
      a.dataset.end = current.end;
    }
    const [nowStart, nowEnd] = times(a);
    const label = nowEnd > nowStart && draw(a, nowStart, nowEnd);
    const title = box(a).querySelector(".cal-title").textContent.trim();
    const text = response && response.ok
      ? verb + " “" + title + "” to " + label + "."
      : why(answer) + (current ? " The calendar shows the entry as saved now." : " The entry was not changed.");
    if (!label) {
      // another week or past midnight: the server draws it
      remember(text, a.dataset.id);
      location.reload();
      return;
    }
    say(text, !(response && response.ok));
  };

  // quarter-hour steps from a minute that may be off the grid: 09:07 goes to 09:15 or 09:00
  const stepFrom = (m, direction) => (direction > 0 ? Math.floor(m / STEP) * STEP + STEP : Math.ceil(m / STEP) * STEP - STEP);

  cal.addEventListener("keydown", (event) => {
    const a = event.target.closest && event.target.closest(".cal-block");
    if (!a || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter") {
      event.preventDefault();
      location.href = a.getAttribute("href");
      return;
    }
    const direction = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -1, ArrowRight: 1 }[event.key];
    if (!direction) return;
    event.preventDefault();
    if (!a.classList.contains("movable")) {
      say("This entry is running or goes past midnight: press Enter to change it on its edit page.", true);
      return;
    }
    if (busy) {
      say("Still saving the last change…");
      return;
    }
    const [start, end] = times(a);
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      save(a, start + direction * DAY * MIN, end + direction * DAY * MIN, "Moved");
      return;
    }
    const at = place(start);
    if (!at) return;
    if (event.shiftKey) {
      const length = Math.round((end - start) / MIN);
      const last = stepFrom(at.m + length, direction);
      if (last <= at.m) {
        say("An entry needs a length: it cannot end at or before its start.", true);
        return;
      }
      save(a, start, start + (last - at.m) * MIN, "Changed");
    } else {
      const shift = (stepFrom(at.m, direction) - at.m) * MIN;
      save(a, start + shift, end + shift, "Moved");
    }
  });

  // Mouse: drag on empty time to add, a block to move, its bottom edge to change the end.
  let drag = null;
  let swallowClick = false;
  const snap = (m) => Math.round(m / STEP) * STEP;
  const clamp = (m, low, high) => Math.min(Math.max(m, low), high);

  cal.addEventListener("dragstart", (event) => event.preventDefault());
  cal.addEventListener("pointerdown", (event) => {
    swallowClick = false;
    if (event.button !== 0 || busy) return;
    const col = event.target.closest("svg.cal-col");
    if (!col) return;
    const a = event.target.closest(".cal-block");
    if (a && !a.classList.contains("movable")) return;
    if (a) {
      const [start, end] = times(a);
      drag = { kind: event.target.classList.contains("cal-grip") ? "resize" : "move", a, col, y: event.clientY, start, end, to: [start, end] };
    } else {
      // on touch screens a drag on empty time scrolls the page
      if (event.pointerType !== "mouse") return;
      const m = clamp(Math.floor(minuteAt(col, event.clientY) / STEP) * STEP, 0, DAY - STEP);
      const ghost = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      ghost.setAttribute("class", "cal-ghost");
      ghost.setAttribute("width", "100%");
      col.append(ghost);
      drag = { kind: "create", col, from: m, range: [m, m + STEP], ghost };
      showGhost(drag);
    }
    event.preventDefault();
  });

  const showGhost = (d) => {
    d.ghost.setAttribute("y", String(d.range[0] * PX));
    d.ghost.setAttribute("height", String((d.range[1] - d.range[0]) * PX));
  };

  // on the window, not captured: a press and release on one block stays a click on its link
  window.addEventListener("pointermove", (event) => {
    if (!drag) return;
    if (drag.kind === "create") {
      const m = clamp(snap(minuteAt(drag.col, event.clientY)), 0, DAY);
      drag.range = m > drag.from ? [drag.from, Math.max(m, drag.from + STEP)] : [Math.min(m, drag.from), drag.from + STEP];
      showGhost(drag);
      return;
    }
    const dy = (event.clientY - drag.y) / PX;
    const at = place(drag.start);
    const length = Math.round((drag.end - drag.start) / MIN);
    if (drag.kind === "resize") {
      const last = clamp(snap(at.m + length + dy), at.m + STEP, DAY);
      drag.to = [drag.start, drag.start + (last - at.m) * MIN];
    } else {
      const col = colAt(event.clientX) || at.col;
      const first = clamp(snap(at.m + dy), 0, DAY - length);
      const from = midnight(col) + first * MIN;
      drag.to = [from, from + length * MIN];
    }
    drag.a.classList.add("dragging");
    draw(drag.a, drag.to[0], drag.to[1]);
  });

  const finish = async (event) => {
    const d = drag;
    drag = null;
    if (!d) return;
    if (d.kind === "create") {
      if (event.type === "pointercancel") {
        d.ghost.remove();
        return;
      }
      const base = midnight(d.col);
      busy = true;
      const answer = await send("POST", cal.dataset.api, { start: iso(base + d.range[0] * MIN), end: iso(base + d.range[1] * MIN) });
      busy = false;
      if (answer.response && answer.response.ok) {
        remember("Added an entry on " + d.col.dataset.label + " " + clock(d.range[0]) + "–" + clock(d.range[1]) + ": press Enter on it to give it a description and project.", answer.body.id);
        location.reload();
      } else {
        d.ghost.remove();
        say(why(answer), true);
      }
      return;
    }
    d.a.classList.remove("dragging");
    if (d.to[0] === d.start && d.to[1] === d.end) {
      draw(d.a, d.start, d.end);
      return;
    }
    // the drag ends with a click on the link: it must not open the edit page
    swallowClick = true;
    if (event.type === "pointercancel") {
      draw(d.a, d.start, d.end);
      return;
    }
    await save(d.a, d.to[0], d.to[1], d.kind === "resize" ? "Changed" : "Moved");
  };
  window.addEventListener("pointerup", finish);
  window.addEventListener("pointercancel", finish);
  cal.addEventListener("click", (event) => {
    if (!swallowClick) return;
    swallowClick = false;
    event.preventDefault();
  }, true);

  // after a reload this script asked for: say what happened, focus the entry
  const note = sessionStorage.getItem(NOTE);
  if (note) {
    sessionStorage.removeItem(NOTE);
    try {
      const { text, id } = JSON.parse(note);
      say(text);
      const a = id && cal.querySelector('.cal-block[data-id="' + id + '"]');
      if (a) a.focus();
    } catch (_) { /* a note from an older page: nothing to say */ }
  }
})();
