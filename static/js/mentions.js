// Mentions: in a textarea inside [data-mentions-url], typing "@" and part of a name lists the
// place's members; picking one writes "@[Name](member:ID)", a stable reference to that member
// (display names are not unique). Without JavaScript the textarea is plain text, and "@name"
// typed by hand stays plain text. Loaded as a module from this site (the CSP allows no inline
// scripts).
const QUERY = /(?:^|\s)@([^\s@[\]()]{1,30}(?: [^\s@[\]()]{0,30})?)$/u;
let counter = 0;

function enhance(wrapper) {
  const textarea = wrapper.querySelector("textarea");
  if (!textarea || textarea.dataset.mentionsReady) return;
  textarea.dataset.mentionsReady = "true";
  const url = wrapper.dataset.mentionsUrl;
  const id = `mentions-${++counter}`;

  const hint = document.createElement("p");
  hint.id = `${id}-hint`;
  hint.className = "govuk-hint rel-mentions__hint";
  hint.textContent = "To mention a member, type @ and the start of their name, then choose them from the list. They will be told.";
  textarea.insertAdjacentElement("beforebegin", hint);
  const describedBy = (textarea.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  textarea.setAttribute("aria-describedby", [...describedBy, hint.id].join(" "));

  const list = document.createElement("ul");
  list.id = `${id}-list`;
  list.className = "rel-mentions__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Members to mention");
  list.hidden = true;
  textarea.insertAdjacentElement("afterend", list);

  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  list.insertAdjacentElement("afterend", status);

  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", list.id);

  let options = [];
  let active = -1;
  let match = null;
  let timer = null;
  let asked = 0;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    options.forEach((option, i) => option.element.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      textarea.setAttribute("aria-activedescendant", options[index].element.id);
    } else {
      textarea.removeAttribute("aria-activedescendant");
    }
  }

  function pick(index) {
    const chosen = options[index];
    if (!chosen || !match) return;
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, match.start);
    const after = textarea.value.slice(caret);
    const insert = `${chosen.member.token} `;
    textarea.value = before + insert + after;
    const position = before.length + insert.length;
    textarea.setSelectionRange(position, position);
    status.textContent = `${chosen.member.name} will be mentioned.`;
    close();
    textarea.focus();
  }

  function show(members) {
    list.replaceChildren();
    options = members.map((member, i) => {
      const element = document.createElement("li");
      element.id = `${id}-option-${i}`;
      element.className = "rel-mentions__option";
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      name.className = "rel-mentions__name";
      name.textContent = member.name;
      element.append(name);
      if (member.perspectives) {
        const about = document.createElement("span");
        about.className = "rel-mentions__about";
        about.textContent = ` ${member.perspectives}`;
        element.append(about);
      }
      element.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(i);
      });
      list.append(element);
      return { member, element };
    });
    list.hidden = options.length === 0;
    highlight(options.length ? 0 : -1);
    status.textContent = options.length
      ? `${options.length} member${options.length === 1 ? "" : "s"} found. Use the up and down arrows, then Enter to choose.`
      : "No member found with that name.";
  }

  async function lookUp(query) {
    const ask = ++asked;
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok || ask !== asked) return;
      const data = await response.json();
      if (ask === asked) show(data.members || []);
    } catch {
      close();
    }
  }

  textarea.addEventListener("input", () => {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const found = QUERY.exec(before);
    if (!found) {
      match = null;
      close();
      return;
    }
    match = { start: before.length - found[1].length - 1, query: found[1] };
    clearTimeout(timer);
    timer = setTimeout(() => lookUp(match.query), 150);
  });

  textarea.addEventListener("keydown", (event) => {
    if (list.hidden || !options.length) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight((active - 1 + options.length) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (active >= 0) {
        event.preventDefault();
        pick(active);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  textarea.addEventListener("blur", () => setTimeout(close, 150));
}

document.querySelectorAll("[data-mentions-url]").forEach(enhance);
document.body.addEventListener("htmx:afterSettle", () => {
  document.querySelectorAll("[data-mentions-url]").forEach(enhance);
});
