// GoGoTime: the home page's timer bar, on top of a form that works without JavaScript.
// Suggestions from recent descriptions (choosing one repeats its project, task, tags and
// billable), one combined project/task picker ("@" in the description jumps to it), and the
// Manual switch. Both lists follow the ARIA 1.2 combobox pattern:
// https://www.w3.org/WAI/ARIA/apg/patterns/combobox/
"use strict";

(function () {
  // A listbox driven from a text input: typing filters it, arrows move, Enter chooses, Escape
  // closes. `match(option, text)` keeps an option for what is typed; `first` makes the first
  // match active so Enter takes it; at most `limit` options show.
  function combobox(input, list, { match, choose, first, limit, needle }) {
    const options = Array.from(list.querySelectorAll("[role=option]"));
    let active = null;
    const shown = () => options.filter((o) => !o.hidden);
    const activate = (option) => {
      if (active) active.setAttribute("aria-selected", "false");
      active = option;
      if (option) {
        option.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      activate(null);
    };
    const open = (typed) => {
      const text = typed.trim().toLowerCase();
      let count = 0;
      options.forEach((o) => {
        o.hidden = !(match(o, text) && count < limit);
        if (!o.hidden) count += 1;
      });
      if (!count) return close();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      activate(first && text ? shown()[0] : null);
    };
    const move = (step) => {
      // closed: the arrow opens the list on its first option
      if (list.hidden) {
        open(needle());
        if (!active && !list.hidden) activate(shown()[0]);
        return;
      }
      const visible = shown();
      if (!visible.length) return;
      const at = visible.indexOf(active);
      const next = at < 0 ? (step > 0 ? 0 : visible.length - 1) : (at + step + visible.length) % visible.length;
      activate(visible[next]);
    };
    const take = (option) => {
      close();
      choose(option);
    };
    input.addEventListener("input", () => open(input.value));
    input.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && !list.hidden && active) {
        event.preventDefault();
        take(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
    // a click chooses without taking the focus out of the input first
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) take(option);
    });
    options.forEach((o) => o.setAttribute("aria-selected", "false"));
    return { open };
  }

  function ready() {
    const bar = document.getElementById("timer-bar");
    if (!bar) return;
    const description = document.getElementById("start-description");
    const select = document.getElementById("start-what");
    const search = document.getElementById("start-what-search");
    const billable = bar.querySelector("input[data-billable]");
    const labelOf = (value) => {
      const option = document.getElementById("what-" + (value || "none"));
      return option ? option.dataset.label : "";
    };

    // The picker: the select stays (hidden) as what the form sends.
    select.hidden = true;
    search.hidden = false;
    document.getElementById("start-what-label").htmlFor = search.id;
    const pick = (value, followBillable) => {
      select.value = value;
      search.value = labelOf(value);
      if (followBillable) {
        const option = document.getElementById("what-" + (value || "none"));
        billable.checked = !!option && option.dataset.billable === "true";
      }
    };
    const picker = combobox(search, document.getElementById("start-what-list"), {
      match: (o, text) => !text || o.textContent.toLowerCase().includes(text),
      choose: (o) => pick(o.dataset.value, true),
      first: true,
      limit: Infinity,
      // showing the chosen project, the list opens whole
      needle: () => (search.value === labelOf(select.value) ? "" : search.value),
    });
    search.addEventListener("focus", () => search.select());
    // Enter on a filter that matched nothing chooses nothing and starts nothing
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && search.value !== labelOf(select.value)) event.preventDefault();
    });
    search.addEventListener("blur", () => { search.value = labelOf(select.value); });

    // Suggestions: the person's recent descriptions; the datalist serves pages without us.
    description.removeAttribute("list");
    description.setAttribute("role", "combobox");
    description.setAttribute("aria-expanded", "false");
    description.setAttribute("aria-controls", "start-suggestions");
    description.setAttribute("aria-autocomplete", "list");
    combobox(description, document.getElementById("start-suggestions"), {
      match: (o, text) => !!text && o.dataset.description.toLowerCase().includes(text),
      choose: (o) => {
        description.value = o.dataset.description;
        pick(o.dataset.what, false);
        const tags = o.dataset.tags.split(" ");
        bar.querySelectorAll("input[name=tag_id]").forEach((box) => { box.checked = tags.includes(box.value); });
        billable.checked = o.dataset.billable === "true";
      },
      first: false,
      limit: 8,
      needle: () => description.value,
    });
    // "@" jumps to the picker, as in Toggl; it is not typed into the description
    description.addEventListener("keydown", (event) => {
      if (event.key !== "@") return;
      event.preventDefault();
      search.focus();
      search.value = "";
      picker.open("");
    });

    // Unticked, billable is said out loud; without JavaScript the project's default applies.
    bar.addEventListener("submit", () => {
      bar.querySelectorAll("input[data-not-billable]").forEach((i) => i.remove());
      if (billable.checked) return;
      const off = document.createElement("input");
      off.type = "hidden";
      off.name = "billable";
      off.value = "false";
      off.dataset.notBillable = "";
      bar.append(off);
    });

    // Manual: the same bar adds a finished entry; the switch flips it in place.
    const toggle = bar.querySelector("[data-mode-switch]");
    const fields = bar.querySelector("[data-manual-fields]");
    const submit = bar.querySelector("[data-bar-submit]");
    const title = document.getElementById("bar-title");
    const setMode = (manual) => {
      bar.action = manual ? bar.dataset.manualAction : bar.dataset.startAction;
      bar.classList.toggle("manual", manual);
      fields.hidden = !manual;
      fields.querySelectorAll("input").forEach((i) => { i.disabled = !manual; });
      toggle.setAttribute("aria-checked", String(manual));
      submit.textContent = manual ? submit.dataset.manualLabel : submit.dataset.startLabel;
      title.textContent = manual ? title.dataset.manualTitle : title.dataset.startTitle;
      const url = new URL(location.href);
      if (manual) url.searchParams.set("mode", "manual");
      else url.searchParams.delete("mode");
      history.replaceState(null, "", url);
    };
    toggle.addEventListener("click", (event) => {
      event.preventDefault();
      setMode(toggle.getAttribute("aria-checked") !== "true");
    });
    toggle.addEventListener("keydown", (event) => {
      if (event.key !== " ") return;
      event.preventDefault();
      toggle.click();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
