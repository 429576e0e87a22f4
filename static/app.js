// GoGoTime: small comforts on top of pages that work without JavaScript.
// Ticking timer (and noticing one started or stopped elsewhere), keyboard shortcuts, confirmations, filters for long lists, select-all,
// copy buttons, live week totals, delete with Undo, the bulk bar shown on selection, report filters folded on phones.
"use strict";

(function () {
  const pad = (n) => String(n).padStart(2, "0");
  const hms = (s) => Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  const hm = (s) => Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60);
  // one entry's length: seconds shown until it passes an hour (domain::duration::entry_length)
  const entryLength = (s) => (s < 3600 ? hms(s) : hm(s));
  // a day's total: the entries of that day still shown
  const dayTotal = (day) => {
    const rows = Array.from(day.querySelectorAll("[data-entry]")).filter((r) => !r.hidden);
    const total = day.querySelector("[data-day-total]");
    if (total) total.textContent = hm(rows.reduce((sum, r) => sum + Number(r.dataset.seconds), 0));
    return rows.length;
  };

  // The running timer: the server renders the elapsed time; we keep it ticking, in the title too,
  // and with it the totals that count it (data-ticks: their seconds when the page was made), its
  // row in the list and that row's day.
  function tick() {
    const el = document.querySelector("[data-timer-start]");
    if (!el) return;
    const start = Date.parse(el.dataset.timerStart);
    const rendered = Date.parse(el.dataset.timerNow);
    const skew = Date.now() - rendered;
    const totals = document.querySelectorAll("[data-ticks]");
    const row = document.querySelector("[data-entry][data-running]");
    const rowSeconds = row ? Number(row.dataset.running) : 0;
    const rowLength = row && row.querySelector("[data-live-length]");
    const day = row && row.closest("[data-day]");
    const baseTitle = document.title;
    const out = el.querySelector("[data-elapsed]") || el;
    // screen readers hear the time once a minute, not every second
    const spoken = el.querySelector("[data-elapsed-minutes]");
    let lastMinute = -1;
    const update = () => {
      const seconds = Math.max(0, Math.floor((Date.now() - skew - start) / 1000));
      const since = Math.max(0, Math.floor((Date.now() - skew - rendered) / 1000));
      out.textContent = hms(seconds);
      totals.forEach((total) => { total.textContent = hm(Number(total.dataset.ticks) + since); });
      if (row) {
        row.dataset.seconds = rowSeconds + since;
        if (rowLength) rowLength.textContent = entryLength(rowSeconds + since);
        if (day) dayTotal(day);
      }
      document.title = hms(seconds) + " · " + baseTitle;
      const minutes = Math.floor(seconds / 60);
      if (spoken && minutes !== lastMinute && minutes > 0) {
        lastMinute = minutes;
        const h = Math.floor(minutes / 60);
        const m = minutes % 60;
        spoken.textContent = "Running for " + (h ? h + (h === 1 ? " hour " : " hours ") : "") + m + (m === 1 ? " minute" : " minutes");
      }
    };
    update();
    setInterval(update, 1000);
  }

  // Another tab or device may start or stop the timer: when this page is looked at again, ask
  // the API which timer runs and reload if it is not the one shown.
  function timerSync() {
    const marker = document.querySelector("[data-timer-sync]");
    if (!marker) return;
    let asking = false;
    document.addEventListener("visibilitychange", async () => {
      if (document.visibilityState !== "visible" || asking) return;
      asking = true;
      try {
        const response = await fetch(marker.dataset.timerSync, { credentials: "same-origin", cache: "no-store" });
        const running = response.status === 200 ? (await response.json()).id : response.status === 204 ? "" : null;
        if (running !== null && running !== marker.dataset.timerId) location.reload();
      } catch (_) {
        // offline or signed out: the page stays as it is; the next action tells
      } finally {
        asking = false;
      }
    });
  }

  // The browser knows its time zone; fill it in where the form asks and nothing was chosen.
  function localZone() {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.querySelectorAll("input[data-local-tz]").forEach((input) => {
      if (zone && (!input.value || input.value === "UTC")) input.value = zone;
    });
  }

  // Forms that destroy something ask first, in an in-page dialog: Cancel (focused, and Escape)
  // keeps everything and puts focus back on the button; the action button submits the form as
  // the original button would have. Without JavaScript the buttons simply submit.
  function confirmations() {
    let dialog = null;
    let pending = null;
    let confirmed = false;
    const build = () => {
      dialog = document.createElement("dialog");
      dialog.className = "confirm";
      dialog.setAttribute("aria-labelledby", "confirm-question");
      dialog.innerHTML = '<p id="confirm-question" class="confirm-question"></p>' +
        '<div class="confirm-actions"><button type="button" data-cancel>Cancel</button>' +
        '<button type="button" class="danger" data-go></button></div>';
      document.body.appendChild(dialog);
      // typing in the dialog is not a page shortcut
      dialog.addEventListener("keydown", (event) => event.stopPropagation());
      dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close("cancel"));
      dialog.querySelector("[data-go]").addEventListener("click", () => dialog.close("go"));
      dialog.addEventListener("close", () => {
        const { form, submitter } = pending;
        pending = null;
        if (dialog.returnValue === "go") {
          confirmed = true;
          if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
          confirmed = false;
        } else if (submitter) {
          submitter.focus();
        }
      });
    };
    document.addEventListener("submit", (event) => {
      if (confirmed) return;
      const form = event.target;
      const submitter = event.submitter;
      const question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
      if (!question) return;
      event.preventDefault();
      event.stopPropagation();
      if (!dialog) build();
      pending = { form, submitter };
      dialog.returnValue = "";
      dialog.querySelector("#confirm-question").textContent = question;
      const label = submitter ? submitter.textContent.replace(/\s+/g, " ").trim() : "";
      dialog.querySelector("[data-go]").textContent = label || "Confirm";
      dialog.showModal();
      dialog.querySelector("[data-cancel]").focus();
    }, true);
  }

  // After an action the page comes back anchored on what changed (`#tag-…`, with a notice):
  // focus goes there too, so a keyboard carries on from the row it acted on.
  function anchoredFocus() {
    if (!location.hash || !document.querySelector("main > .notice")) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  // Type-to-search in long lists: <input data-filter="list-id"> hides non-matching items.
  function filters() {
    document.querySelectorAll("input[data-filter]").forEach((input) => {
      const target = document.getElementById(input.dataset.filter.replace(/^#/, ""));
      if (!target) return;
      input.hidden = false;
      const items = () => Array.from(target.querySelectorAll("option, [data-filter-item]"));
      input.addEventListener("input", () => {
        const needle = input.value.trim().toLowerCase();
        items().forEach((item) => {
          const match = !needle || item.textContent.toLowerCase().includes(needle);
          item.hidden = !match;
          if (item.tagName === "OPTION") item.disabled = !match && item.value !== "";
        });
      });
      // Enter in a filter never submits its form: it picks the first match (a choice the person
      // can see), or does nothing when nothing matches.
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        if (!input.value.trim()) return;
        const first = items().find((item) => !item.hidden && !(item.tagName === "OPTION" && item.value === ""));
        if (!first) return;
        if (first.tagName === "OPTION") {
          target.value = first.value;
          target.dispatchEvent(new Event("change", { bubbles: true }));
          target.focus();
        } else {
          const box = first.querySelector("input");
          if (box) { box.checked = true; box.focus(); }
        }
      });
    });
  }

  // "Select all" for bulk actions.
  function selectAll() {
    document.querySelectorAll("input[data-select-all]").forEach((box) => {
      box.hidden = false;
      box.addEventListener("change", () => {
        document.querySelectorAll(box.dataset.selectAll).forEach((b) => { b.checked = box.checked; });
      });
    });
  }

  // The week grid's row, day and week totals follow what is typed (nothing is saved until
  // "Save changes"). A cell still showing its stored time counts it to the second; a typed one
  // is read like the server reads it (h:mm, hours with . or , and 90m); one it cannot read counts 0.
  function weekTotals() {
    const grid = document.querySelector("table.week");
    if (!grid) return;
    const read = (raw) => {
      const text = raw.trim().toLowerCase();
      let m = /^(\d+)\s*:\s*(\d+)$/.exec(text);
      if (m) return +m[2] < 60 ? m[1] * 3600 + m[2] * 60 : 0;
      m = /^(\d+)\s*m$/.exec(text);
      if (m) return m[1] * 60;
      const hours = text === "" ? 0 : Number(text.replace(/h$/, "").replace(",", "."));
      return Number.isFinite(hours) && hours > 0 ? Math.round(hours * 3600) : 0;
    };
    grid.addEventListener("input", () => {
      const days = [];
      let week = 0;
      grid.querySelectorAll("tbody tr").forEach((row) => {
        let sum = 0;
        row.querySelectorAll("input.cell").forEach((cell, i) => {
          const seconds = cell.value.trim() === cell.dataset.was ? Number(cell.dataset.seconds) : read(cell.value);
          sum += seconds;
          days[i] = (days[i] || 0) + seconds;
        });
        const total = row.querySelector("[data-row-total]");
        if (total) total.textContent = sum || total.textContent ? hm(sum) : "";
        week += sum;
      });
      grid.querySelectorAll("[data-day-total]").forEach((cell, i) => { cell.textContent = hm(days[i] || 0); });
      grid.querySelector("[data-week-total]").textContent = hm(week);
    });
  }

  // Links and secrets shown once get a copy button (hidden without JavaScript, where the text
  // selects in one click); the status next to it says what happened.
  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach((button) => {
      const source = document.getElementById(button.dataset.copy);
      const status = button.nextElementSibling;
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      let clear;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(source.textContent.trim());
          status.textContent = "Copied.";
        } catch (_) {
          status.textContent = "Could not copy: select the text and copy it.";
        }
        clearTimeout(clear);
        clear = setTimeout(() => { status.textContent = ""; }, 5000);
      });
    });
  }

  // Deleting an entry: without JavaScript its form opens a page that asks first. Here the entry
  // goes at once through the API, and a notice offers "Undo" (the API's restore) for 8 seconds.
  function undoDelete() {
    const toast = document.querySelector("[data-toast]");
    const csrf = document.querySelector("input[name=_csrf]");
    if (!toast || !csrf) return;
    let timer = 0;
    const call = (method, url) => fetch(url, { method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf.value } }).catch(() => null);
    const why = async (response) => {
      if (!response) return "the server could not be reached.";
      try { return (await response.json()).detail; } catch (_) { return "status " + response.status + "."; }
    };
    const say = (text, undo) => {
      clearTimeout(timer);
      toast.textContent = text;
      if (undo) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "Undo";
        button.addEventListener("click", undo, { once: true });
        toast.append(" ", button);
        button.focus();
      }
      timer = setTimeout(() => {
        if (toast.contains(document.activeElement)) document.getElementById("main").focus();
        toast.textContent = "";
      }, 8000);
    };
    // a day's header shows the total of the rows still shown; a day without rows goes
    const show = (row, visible) => {
      row.hidden = !visible;
      const day = row.closest("[data-day]");
      if (day) day.hidden = dayTotal(day) === 0;
    };
    document.addEventListener("submit", async (event) => {
      const url = event.target.dataset.delete;
      if (!url) return;
      event.preventDefault();
      const row = event.target.closest("[data-entry]");
      const deleted = await call("DELETE", url);
      if (!deleted || deleted.status !== 204) return say("The entry was not deleted: " + await why(deleted));
      const box = row && row.querySelector("input[name=entry_id]");
      if (box && box.checked) { box.checked = false; box.dispatchEvent(new Event("change", { bubbles: true })); }
      if (row) show(row, false);
      say("Entry deleted.", async () => {
        const restored = await call("POST", url + "/restore");
        if (!restored || !restored.ok) return say("The entry was not restored: " + await why(restored));
        if (row) show(row, true);
        say("Entry restored.");
      });
    });
  }

  // The bulk bar shows once an entry is selected (without JavaScript it is always there).
  function bulkBar() {
    const bar = document.querySelector("[data-bulk]");
    if (!bar) return;
    const count = bar.querySelector("[data-bulk-count]");
    const update = () => {
      const n = document.querySelectorAll("input[name=entry_id]:checked").length;
      bar.hidden = n === 0;
      count.textContent = "(" + n + " selected)";
    };
    document.addEventListener("change", (event) => {
      if (event.target.matches("input[name=entry_id], input[data-select-all]")) update();
    });
    update();
  }

  // Report filters fold behind their "Filters" button on a phone, unless a field needs fixing.
  function foldFilters() {
    const details = document.querySelector("details[data-filters]");
    if (!details) return;
    const phone = window.matchMedia("(max-width: 40rem)");
    const fit = () => { details.open = !phone.matches || !!details.querySelector("[aria-invalid]"); };
    fit();
    phone.addEventListener("change", fit);
  }

  // Keyboard shortcuts; never while typing in a field or with a modifier held.
  function shortcuts() {
    let pendingG = false;
    const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
    const go = (name) => {
      const link = document.querySelector('.main-nav a[data-key="' + name + '"]');
      if (link) window.location.href = link.href;
    };
    document.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event.target)) return;
      const dialog = document.getElementById("shortcuts");
      if (pendingG) {
        pendingG = false;
        if ("tewr".includes(event.key)) { go(event.key); event.preventDefault(); }
        return;
      }
      switch (event.key) {
        case "n": {
          const field = document.getElementById("start-description");
          if (field) { field.focus(); event.preventDefault(); }
          break;
        }
        case "s": {
          const stop = document.getElementById("stop-timer");
          if (stop) { stop.requestSubmit(); event.preventDefault(); }
          break;
        }
        case "/": {
          const search = document.querySelector("[data-search]");
          if (search) { search.focus(); event.preventDefault(); }
          break;
        }
        case "?":
          if (dialog && !dialog.open) { dialog.showModal(); event.preventDefault(); }
          break;
        case "g":
          pendingG = true;
          break;
      }
    });
  }

  // Picking a custom colour in the project form selects the "Custom" swatch beside it.
  function customColours() {
    document.querySelectorAll("input[data-custom-colour]").forEach((input) => {
      const custom = input.form && input.form.querySelector('input[name="color"][value="custom"]');
      if (custom) input.addEventListener("input", () => { custom.checked = true; });
    });
  }

  function ready() {
    tick();
    timerSync();
    localZone();
    confirmations();
    anchoredFocus();
    filters();
    selectAll();
    copyButtons();
    weekTotals();
    undoDelete();
    bulkBar();
    foldFilters();
    shortcuts();
    customColours();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
