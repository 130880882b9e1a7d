// What the reader's browser runs on every page, in place of the theme's bundle.
//
// Material for MkDocs' script (about 110 kB, written with RxJS) cost a phone about a tenth of
// a second of blocked main thread while each page loaded, more than half of it only to
// evaluate itself, before any component was mounted (scripts/README.md, "What the theme's script costs a
// phone"). This file does what that script did on this site, with the theme's own markup,
// classes and stylesheets, and the theme's own search worker; each part names what it
// replaces. Nothing here runs while the page loads but cheap listeners and one measurement
// per frame; the rest waits for the reader.
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  const feature = (name) => config.features.includes(name);
  const translate = (key, count) => config.translations[key].replace("#", count);
  const toggle = (name) => document.getElementById(`__${name}`);
  const wide = matchMedia("(min-width: 60em)");         // the theme's "tablet" breakpoint
  const wider = matchMedia("(min-width: 76.25em)");     // and its "screen" breakpoint
  const header = document.querySelector("[data-md-component=header]");
  const headerHeight = () => (header ? header.offsetHeight : 0);

  // Runs fn at most once a frame, after the browser has laid the page out.
  function perFrame(fn) {
    let queued = false;
    return () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; fn(); });
    };
  }

  // Scrolls a scrollable ancestor of link so that link sits in its middle.
  function centre(link, behavior) {
    const box = link.closest(".md-sidebar__scrollwrap");
    if (!box || !link.offsetHeight) return;
    const offset = link.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTo({ top: box.scrollTop + offset - box.clientHeight / 2, behavior });
  }

  // (1) Keyboard focus. The theme's stylesheet draws focus rings on elements with the class
  // "focus-visible" (its polyfill's); the browser's own :focus-visible decides here.
  document.addEventListener("focus", (event) => {
    const element = event.target;
    if (element instanceof Element && element.matches(":focus-visible")) {
      element.classList.add("focus-visible");
      element.setAttribute("data-focus-visible-added", "");
    }
  }, true);
  document.addEventListener("blur", (event) => {
    const element = event.target;
    if (element instanceof Element && element.classList.contains("focus-visible")) {
      element.classList.remove("focus-visible");
      element.removeAttribute("data-focus-visible-added");
    }
  }, true);

  // Notes and footnote previews are popovers where the browser has them.
  const popovers = Object.prototype.hasOwnProperty.call(HTMLElement.prototype, "popover");

  // Boxes that CSS anchor positioning places under their marker (commentary.css), placed here
  // where the browser cannot: under the marker, or over it when there is no room below.
  const anchored = window.CSS && CSS.supports("anchor-name: --a");
  function place(box, host) {
    if (anchored || !host) return;
    const around = host.getBoundingClientRect();
    const width = box.offsetWidth, height = box.offsetHeight;
    const below = around.bottom + 8, above = around.top - 8 - height;
    box.style.inset = "auto";
    box.style.margin = "0";
    box.style.left = `${Math.max(8, Math.min(around.left + around.width / 2 - width / 2,
                                             innerWidth - width - 8))}px`;
    box.style.top = `${below + height > innerHeight && above > 0 ? above : below}px`;
  }

  // (2) Annotations: the build made each marker a button that opens its note as a popover, with
  // no script (commentary/extension.py). Where the browser has popovers, the number as written
  // (kept for the PDF and for browsers without them, which show the notes as a list) goes, and
  // a note closes when the keyboard leaves it and its marker.
  const markers = Array.from(document.querySelectorAll(".md-annotation__index[popovertarget]"));
  // Each marker is named by its place on the page ("Note 7 of 10"), not in its paragraph, so
  // that a screen reader's list of buttons tells them apart.
  markers.forEach((marker, i) => {
    marker.setAttribute("aria-label", `Note ${i + 1} of ${markers.length}`);
  });
  const openNote = () => document.querySelector(".md-annotation-list > li:popover-open");
  if (popovers) {
    for (const number of document.querySelectorAll(".md-annotation > .annotation-number")) {
      number.remove();
    }
    document.addEventListener("focusout", (event) => {
      const from = event.target, to = event.relatedTarget;
      const note = from.popoverTargetElement || from.closest("li[popover]");
      if (!note || !to || !note.matches(":popover-open")) return;
      if (note.contains(to) || to.popoverTargetElement === note) return;
      note.hidePopover();
    });
    document.addEventListener("toggle", (event) => {
      const note = event.target;
      if (event.newState !== "open" || !note.matches(".md-annotation-list > li")) return;
      place(note, document.querySelector(`[popovertarget='${note.id}']`));
    }, true);
  }

  // (3) Footnote previews, as the theme's content.footnote.tooltips showed them: pointing at or
  // focusing a footnote number shows its footnote beside it, built when it is wanted.
  let preview = null, host = null, hiding = 0;
  const footnoteReference = (node) =>
    (node && node.closest ? node.closest(".md-content a.footnote-ref") : null);
  function hidePreview() {
    clearTimeout(hiding);
    if (!host) return;
    host.style.removeProperty("anchor-name");
    host.removeAttribute("aria-describedby");
    host = null;
    preview.hidePopover();
  }
  function hideSoon() {
    clearTimeout(hiding);
    hiding = setTimeout(hidePreview, 250);
  }
  function showPreview(reference) {
    clearTimeout(hiding);
    if (host === reference || !popovers) return;
    // A footnote reference shows its footnote; an abbreviation its expansion (its title).
    let note;
    if (reference.hash) {
      note = document.getElementById(decodeURIComponent(reference.hash.slice(1)));
    } else {
      note = document.createElement("div");
      note.append(document.createElement("p"));
      note.firstChild.textContent = reference.title;
    }
    if (!note) return;
    if (!preview) {
      preview = document.createElement("div");
      preview.id = "__footnote-preview";
      preview.className = "footnote-preview md-typeset";
      preview.setAttribute("role", "tooltip");
      preview.popover = "manual";
      preview.addEventListener("mouseover", () => clearTimeout(hiding));
      preview.addEventListener("mouseleave", hideSoon);
      document.body.appendChild(preview);
    }
    hidePreview();
    preview.replaceChildren(...Array.from(note.children, (child) => child.cloneNode(true)));
    for (const link of preview.querySelectorAll(".footnote-backref")) link.remove();
    host = reference;
    host.style.setProperty("anchor-name", "--footnote-preview");
    host.setAttribute("aria-describedby", preview.id);
    preview.showPopover();
    place(preview, host);
  }
  document.addEventListener("pointerover", (event) => {
    const reference = footnoteReference(event.target);
    if (event.pointerType !== "mouse") return;
    if (reference) showPreview(reference);
    else if (host && !preview.contains(event.target)) hideSoon();
  });
  document.addEventListener("focusin", (event) => {
    const reference = footnoteReference(event.target);
    if (reference && reference.matches(":focus-visible")) showPreview(reference);
    else if (host && !preview.contains(event.target)) hidePreview();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && host) hidePreview();
  });
  // An abbreviation's expansion is its title, which only a mouse shows (as the browser's own
  // tooltip): a tap or a click on it shows the expansion in the preview too.
  document.addEventListener("click", (event) => {
    const abbreviation = event.target.closest && event.target.closest(".md-content abbr[title]");
    if (abbreviation) showPreview(abbreviation);
    else if (host && !host.hash && !preview.contains(event.target)) hidePreview();
  });

  // (4) Search, with the theme's worker (lunr, in its own thread) and the theme's markup. The
  // worker and the index are loaded when the reader opens search, not before.
  const searchToggle = toggle("search");
  const query = document.querySelector("input[data-md-component=search-query]");
  const result = document.querySelector("[data-md-component=search-result]");
  const search = { open: () => {}, close: () => {}, key: null };
  if (searchToggle && query && result && config.search) {
    const meta = result.querySelector(".md-search-result__meta");
    const list = result.querySelector(".md-search-result__list");
    const suggestion = document.querySelector("[data-md-component=search-suggest]");
    let worker = null, ready = false, sent = null;

    const element = (tag, attributes = {}, html = "") => {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
      if (html) node.innerHTML = html;          // the worker's text, from this site's own index
      return node;
    };
    const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

    // One page or section of a result, as the theme's renderSearchDocument draws it.
    function documentLink(doc, parent, teaser) {
      const url = new URL(doc.location, base);
      const found = Object.entries(doc.terms).filter(([, hit]) => hit).map(([term]) => term);
      if (feature("search.highlight") && found.length) url.searchParams.set("h", found.join(" "));
      const link = element("a", { href: `${url}`, class: "md-search-result__link",
                                  tabindex: "-1" });
      const article = element("article", { class: "md-search-result__article md-typeset",
                                           "data-md-score": doc.score.toFixed(2) });
      if (parent) article.append(element("div", { class: "md-search-result__icon md-icon" }));
      article.append(element(parent ? "h1" : "h2", {}, doc.title));
      if (teaser && doc.text.length) article.insertAdjacentHTML("beforeend", doc.text);
      const missing = Object.keys(doc.terms)
        .filter((term) => !doc.terms[term] && !added.has(term.toLowerCase()));
      if (teaser && missing.length) {
        article.append(element("p", { class: "md-search-result__terms" },
          `${escape(translate("search.result.term.missing"))}: ${
            missing.map((term) => `<del>${escape(term)}</del>`).join(" ")}`));
      }
      link.append(article);
      return link;
    }

    // One page's results: the page, its best sections, the others folded away.
    function resultItem(docs) {
      const threshold = docs[0].score;
      docs = [...docs];
      const at = docs.findIndex((doc) => !new URL(doc.location, base).hash);
      const [page] = docs.splice(at, 1);
      let cut = docs.findIndex((doc) => doc.score < threshold);
      if (cut === -1) cut = docs.length;
      const best = docs.slice(0, cut), more = docs.slice(cut);
      const item = element("li", { class: "md-search-result__item" });
      item.append(documentLink(page, true, !at && cut === 0),
                  ...best.map((doc) => documentLink(doc, false, true)));
      if (more.length) {
        const details = element("details", { class: "md-search-result__more" });
        const summary = element("summary", { tabindex: "-1" });
        summary.append(element("div", {}, escape(more.length === 1
          ? translate("search.result.more.one")
          : translate("search.result.more.other", more.length))));
        details.append(summary, ...more.map((doc) => documentLink(doc, false, true)));
        item.append(details);
      }
      return item;
    }

    function show({ items, suggest }) {
      const value = query.value;
      meta.textContent = items.length === 0
        ? translate(value.length ? "search.result.none" : "search.result.placeholder")
        : translate(items.length === 1 ? "search.result.one" : "search.result.other",
                    items.length);
      list.replaceChildren(...items.map(resultItem));
      if (suggestion) {
        const words = value.split(/([\s-]+)/);
        const last = suggest && suggest.length ? suggest[suggest.length - 1] : "";
        if (last && words[words.length - 1] && last.startsWith(words[words.length - 1])) {
          words[words.length - 1] = last;
          suggestion.textContent = words.join("");
        } else {
          suggestion.textContent = "";
        }
      }
    }

    // The site spells the British way, and its sources' titles often the American way: a word
    // typed in either spelling is looked up in both ("denuclearization" and "denuclearisation"
    // find the same pages). The other spelling is an extra term, never shown as missing. Only
    // -ize/-ise, -yze/-yse and a few -or/-our words: "Carter Center" and "prize" stay as typed.
    const US = /^(\p{L}{3,})iz(e|es|ed|ing|ation|ations|er|ers)$/iu;
    const UK = /^(\p{L}{3,})is(e|es|ed|ing|ation|ations|er|ers)$/iu;
    const US_YZE = /^(\p{L}{2,})yz(e|es|ed|ing)$/iu;
    const UK_YSE = /^(\p{L}{2,})ys(e|es|ed|ing)$/iu;
    const US_OR = /^(behavi|hon|fav|neighb|harb|rum)or(s|ed|ing|ite|able)?$/iu;
    const UK_OUR = /^(behavi|hon|fav|neighb|harb|rum)our(s|ed|ing|ite|able)?$/iu;
    const added = new Set();
    function otherSpelling(word) {
      for (const [from, to] of [[US, "$1is$2"], [UK, "$1iz$2"], [US_YZE, "$1ys$2"],
                                [UK_YSE, "$1yz$2"], [US_OR, "$1our$2"], [UK_OUR, "$1or$2"]]) {
        if (from.test(word)) return word.replace(from, to);
      }
      return null;
    }
    function bothSpellings(text) {
      added.clear();
      const words = text.split(/\s+/).filter(Boolean);
      for (const word of words) {
        const other = otherSpelling(word);
        if (other && !words.includes(other)) added.add(other.toLowerCase());
      }
      return added.size ? `${text} ${[...added].join(" ")}` : text;
    }
    function send() {
      if (!ready || query.value === sent) return;
      sent = query.value;
      worker.postMessage({ type: 2, data: bothSpellings(sent) }); // QUERY
    }

    function start() {
      if (worker) return;
      worker = new Worker(new URL(config.search, location.href));
      worker.addEventListener("error", () => {
        meta.textContent = translate("search.result.none");
      });
      worker.addEventListener("message", ({ data: message }) => {
        if (message.type === 1) { ready = true; send(); }      // READY
        else if (message.type === 3) show(message.data);       // RESULT
      });
      fetch(new URL("search/search_index.json", base))
        .then((response) => response.json())
        .then(({ config: options, docs }) => worker.postMessage({
          type: 0,                                             // SETUP
          data: { config: options, docs, options: { suggest: feature("search.suggest") } },
        }))
        .catch(() => { meta.textContent = translate("search.result.none"); });
    }

    // The results' scrolling box is a Tab stop (so that the keyboard can scroll it) only while
    // search is open: closed, it is an empty stop (the theme's markup makes it one always).
    const scroller = result.closest(".md-search__scrollwrap");
    function reveal(open) {
      if (scroller) scroller.tabIndex = open ? 0 : -1;
      list.hidden = !open;
      list.setAttribute("role", open ? "list" : "presentation");
      if (open) start();
    }

    search.open = () => {
      if (!searchToggle.checked) searchToggle.click();
      query.focus();
    };
    search.close = () => {
      if (searchToggle.checked) searchToggle.click();
      query.blur();
    };

    reveal(searchToggle.checked);
    searchToggle.addEventListener("change", () => reveal(searchToggle.checked));
    // Focusing the box opens search (once the click that focused it is over: a click on the
    // search button toggles search by itself), and that click focuses the box, which also
    // brings up a phone's keyboard.
    query.addEventListener("focus", () => setTimeout(() => {
      if (!searchToggle.checked && document.activeElement === query) searchToggle.click();
    }));
    const button = document.querySelector("header [for=__search]");
    if (button) button.addEventListener("click", () => query.focus());
    query.addEventListener("input", send);
    query.form.addEventListener("reset", () => setTimeout(() => { query.focus(); send(); }));
    query.form.addEventListener("submit", (event) => event.preventDefault());

    // A search in the address (?q=...), as the theme supports: opened and filled in.
    const asked = new URLSearchParams(location.search).get("q");
    if (asked) {
      query.value = asked;
      search.open();
      searchToggle.addEventListener("change", () => {
        const url = new URL(location.href);
        url.searchParams.delete("q");
        history.replaceState({}, "", `${url}`);
      }, { once: true });
    }

    // Keys while search is open, as the theme handles them.
    search.key = (event) => {
      const active = document.activeElement;
      switch (event.key) {
        case "Enter":
          if (active === query) {
            let best = null, score = -Infinity;
            for (const link of result.querySelectorAll(":first-child [href]")) {
              const value = parseFloat(link.firstElementChild.getAttribute("data-md-score"));
              if (value > score) { best = link; score = value; }
            }
            if (best) best.click();
            event.preventDefault();
          }
          break;
        case "Escape":
        case "Tab":
          search.close();
          break;
        case "ArrowUp":
        case "ArrowDown": {
          const stops = [query, ...result.querySelectorAll(
            ":not(details) > [href], summary, details[open] [href]")];
          const at = Math.max(0, stops.indexOf(active));
          stops[(at + stops.length + (event.key === "ArrowUp" ? -1 : 1)) % stops.length].focus();
          event.preventDefault();
          break;
        }
        case "ArrowRight":
          if (suggestion && suggestion.textContent && active === query
              && query.selectionStart === query.value.length) {
            query.value = suggestion.textContent;
            send();
          }
          break;
        default:
          if (active !== query && event.key.length === 1) query.focus();
      }
    };
  } else {
    // A theme without this search box and its results (Zensical draws its own with its own
    // script, which these pages do not load): no search button that does nothing (scripts/README.md,
    // "Zensical").
    for (const dead of document.querySelectorAll(".md-search, header label[for=__search]")) {
      dead.hidden = true;
    }
  }

  // (5) Keys anywhere else, as the theme's: f, s or / open search; p or comma and n or full
  // stop go to the previous and the next page; Enter on a focused navigation label opens it.
  const typing = (element, key) => {
    if (element instanceof HTMLInputElement) {
      return element.type === "radio" ? /^Arrow/.test(key) : true;
    }
    return element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement
      || (element instanceof HTMLElement && element.isContentEditable);
  };
  let composing = false;
  addEventListener("compositionstart", () => { composing = true; });
  addEventListener("compositionend", () => { composing = false; });
  addEventListener("keydown", (event) => {
    if (event.metaKey || event.ctrlKey || composing) return;
    if (searchToggle && searchToggle.checked && search.key) {
      search.key(event);
      return;
    }
    const active = document.activeElement;
    if (active && typing(active, event.key)) return;
    switch (event.key) {
      case "f": case "s": case "/":
        if (search.key) {
          search.open();
          query.select();
          event.preventDefault();
        }
        break;
      case "p": case ",": case "n": case ".": {
        const link = document.querySelector(/[p,]/.test(event.key) ? "link[rel=prev]"
                                                                     : "link[rel=next]");
        if (link) location.href = link.href;
        break;
      }
      case "Enter":
        if (active instanceof HTMLLabelElement) active.click();
        break;
      default:
    }
  });

  // (6) Following a link within the page closes the drawer and search, as in the theme; a
  // target inside a closed details block opens it.
  function arrived() {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = id && document.getElementById(id);
    const closed = target && target.closest("details:not([open])");
    if (closed) {
      closed.open = true;
      target.scrollIntoView();
    }
  }
  addEventListener("hashchange", () => {
    arrived();
    // A link followed from inside a note or a preview leaves it behind.
    const note = openNote();
    if (note) note.hidePopover();
    if (host) hidePreview();
    setTimeout(() => {
      const drawer = toggle("drawer");
      if (drawer && drawer.checked) drawer.click();
      if (searchToggle && searchToggle.checked) search.close();
    }, 125);
  });
  arrived();

  // (7) Printing from the browser opens every details block, and closes again afterwards the
  // ones that were closed, as the theme did.
  let opened = [];
  addEventListener("beforeprint", () => {
    opened = Array.from(document.querySelectorAll("details:not([open])"));
    for (const details of opened) details.open = true;
  });
  addEventListener("afterprint", () => {
    for (const details of opened) details.open = false;
    opened = [];
  });

  // (8) A navigation section's label says whether its section is open (aria-expanded).
  document.addEventListener("click", (event) => {
    const label = event.target.closest && event.target.closest(".md-sidebar label[tabindex]");
    if (!label) return;
    setTimeout(() => {
      const input = document.getElementById(label.htmlFor);
      const nav = document.querySelector(`[aria-labelledby="${label.id}"]`);
      if (input && nav) nav.setAttribute("aria-expanded", `${input.checked}`);
    });
  });

  // (9) Search terms followed from a result (?h=...) are marked in the text, as the theme's
  // search.highlight marks them.
  const terms = new URLSearchParams(location.search).get("h");
  const content = document.querySelector("[data-md-component=content]");
  if (terms && content && feature("search.highlight")) {
    const words = terms.split(/\s+/).filter(Boolean)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (words.length) {
      const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.join("|")})`, "giu");
      const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT, {
        acceptNode: (node) => (node.parentElement.closest("script, style, svg, mark, .headerlink")
          ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
      });
      const found = [];
      while (walker.nextNode()) {
        pattern.lastIndex = 0;
        if (pattern.test(walker.currentNode.data)) found.push(walker.currentNode);
      }
      for (const node of found) {
        const parts = [];
        let last = 0;
        for (const match of node.data.matchAll(pattern)) {
          parts.push(node.data.slice(last, match.index));
          const mark = document.createElement("mark");
          mark.setAttribute("data-md-highlight", "");
          mark.textContent = match[0];
          parts.push(mark);
          last = match.index + match[0].length;
        }
        parts.push(node.data.slice(last));
        node.replaceWith(...parts);
      }
    }
  }

  // (10) A code block or a table too wide for its box can be scrolled from the keyboard (it
  // takes focus), as the theme made it; checked whenever its size changes, after layout.
  const scrollers = document.querySelectorAll(".md-content pre > code, .md-content table");
  if (scrollers.length && window.ResizeObserver) {
    const wideBoxes = new ResizeObserver((entries) => {
      for (const { target } of entries) {
        if (target.scrollWidth > target.clientWidth + 1) target.setAttribute("tabindex", "0");
        else target.removeAttribute("tabindex");
      }
    });
    for (const box of scrollers) wideBoxes.observe(box);
  }

  // (11) The header shows the page's title once its heading has scrolled under the header.
  const title = document.querySelector("[data-md-component=header-title]");
  const heading = document.querySelector(".md-content h1");
  if (title && heading) {
    new IntersectionObserver(([entry]) => {
      title.classList.toggle("md-header__title--active",
        !entry.isIntersecting && entry.boundingClientRect.top < headerHeight());
    }, { rootMargin: `-${headerHeight()}px 0px 0px 0px` }).observe(heading);
  }

  // (12) The table of contents marks the section being read (toc.follow keeps it in view,
  // navigation.tracking puts it in the address), in both its copies: the drawer's for small
  // screens and the sidebar's.
  const links = Array.from(document.querySelectorAll("[data-md-component=toc] a.md-nav__link"));
  const sections = [];
  for (const link of links) {
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) continue;
    let section = sections.find((known) => known.target === target);
    if (!section) sections.push(section = { target, links: [] });
    section.links.push(link);
  }
  const main = document.querySelector("[data-md-component=main]");
  const grid = main && main.firstElementChild;
  // How far the main area's grid starts below the main area (the theme's "adjust").
  const gridOffset = () => (grid ? grid.offsetTop - main.offsetTop : 0);
  let current = -1, quiet = 0, settled = 0;
  // A section hidden by the timeline's filter is neither marked nor listed.
  const shown = (section) => section.target.getClientRects().length > 0;
  function mark() {
    if (!sections.length) return;
    // A heading that a link has just brought under the header counts as reached.
    const adjust = headerHeight() + 0.8 * gridOffset() + 2;
    const bottom = scrollY + innerHeight >= Math.floor(document.body.scrollHeight);
    let index = -1;
    for (let i = 0; i < sections.length; i++) {
      if (!shown(sections[i])) continue;
      if (bottom || sections[i].target.getBoundingClientRect().top < adjust) index = i;
    }
    if (index === current) return;
    const first = current === -1 && index !== -1 && !settled;
    current = index;
    sections.forEach((section, i) => {
      for (const link of section.links) {
        link.classList.toggle("md-nav__link--passed", i <= index);
        link.classList.toggle("md-nav__link--active", i === index);
      }
    });
    if (!feature("toc.follow")) return;
    if (index !== -1) {
      for (const link of sections[index].links) centre(link, first ? "auto" : "smooth");
    } else {
      // Back at the top: the list starts from its first section again.
      for (const box of document.querySelectorAll("[data-md-component=sidebar] "
                                                  + ".md-sidebar__scrollwrap")) {
        if (box.querySelector("[data-md-component=toc]")) box.scrollTo({ top: 0 });
      }
    }
  }
  // The timeline's filter is the address's fragment (#bears-on-...; commentary.css hides the
  // entries that do not bear on that principle), so it survives a reload and can be shared.
  const filterLinks = Array.from(document.querySelectorAll(".tl-filter a[id]"));
  const filtering = () => filterLinks.some((link) => location.hash === `#${link.id}`
                                                     && link.id.startsWith("bears-on-"));
  // Where the address names something on screen (a link's target, the filter), it is left as it
  // is; the section being read replaces it only once that has scrolled out of sight.
  function inSight(hash) {
    const id = decodeURIComponent(hash.slice(1));
    const target = id && document.getElementById(id);
    if (!target || !target.getClientRects().length) return false;
    const box = target.getBoundingClientRect();
    return box.bottom > headerHeight() && box.top < innerHeight;
  }
  function track() {
    if (!feature("navigation.tracking") || Date.now() < quiet || filtering()) return;
    const url = new URL(location.href);
    const hash = current === -1 ? "" : sections[current].links[0].hash;
    if (url.hash !== hash && !(url.hash && inSight(url.hash))) {
      url.hash = hash;
      history.replaceState(history.state, "", `${url}`);
    }
  }
  addEventListener("hashchange", () => { quiet = Date.now() + 250; });

  // The filter: the table of contents lists only the entries shown, and a live region says how
  // many show; while it is on, a link to an entry scrolls there and keeps the filter.
  const filterLine = document.querySelector(".tl-filter");
  if (filterLine && filterLinks.length) {
    const entries = Array.from(document.querySelectorAll(".tl-entry"));
    const count = document.createElement("p");
    count.className = "tl-count";
    count.setAttribute("role", "status");
    filterLine.after(count);
    const update = () => {
      const showing = entries.filter((entry) => entry.getClientRects().length).length;
      count.textContent = showing === entries.length
        ? `Showing all ${entries.length} entries.`
        : `Showing ${showing} of ${entries.length} entries.`;
      for (const section of sections) {
        for (const link of section.links) link.parentElement.hidden = !shown(section);
      }
      current = -2;
      mark();
    };
    // The browser matches :target only once it has gone to the address's fragment, after this
    // script has run: counted again then.
    update();
    addEventListener("load", update);
    addEventListener("hashchange", update);
    document.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest("a[href^='#']");
      if (!link || !filtering() || event.defaultPrevented) return;
      const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target || !target.closest(".tl-entry")) return;
      event.preventDefault();
      target.scrollIntoView();
      const drawer = toggle("drawer");
      if (drawer && drawer.checked) drawer.click();
    });
  }

  // (13) The sidebars on wide screens are as tall as the part of the page's main area on
  // screen, as the theme sized them (its stylesheet leaves them no height of their own).
  const sidebars = Array.from(document.querySelectorAll("[data-md-component=sidebar]"),
    (sidebar) => ({ sidebar, inner: sidebar.querySelector(".md-sidebar__scrollwrap"),
                    navigation: sidebar.getAttribute("data-md-type") === "navigation" }));
  function size() {
    if (!main) return;
    const top = headerHeight(), area = main.getBoundingClientRect();
    const adjust = gridOffset();
    const visible = Math.max(0, innerHeight - Math.max(0, area.top, top)
                                - Math.max(0, innerHeight - area.bottom));
    const height = visible + Math.min(adjust, Math.max(0, top - area.top)) - adjust;
    // Every measurement before any change, and a change only where the value differs (most
    // frames of a scroll change nothing), so the browser never lays the page out twice.
    const sizes = sidebars.map(({ inner, navigation }) => {
      const shown = inner && (navigation ? wider.matches : wide.matches);
      return shown ? [`${height - 2 * inner.offsetTop}px`, `${top}px`] : ["", ""];
    });
    sidebars.forEach(({ sidebar, inner }, i) => {
      if (!inner) return;
      if (inner.style.height !== sizes[i][0]) inner.style.height = sizes[i][0];
      if (sidebar.style.top !== sizes[i][1]) sidebar.style.top = sizes[i][1];
    });
  }

  // An open note or footnote preview is drawn above the page, header included: it closes once
  // its marker has scrolled under the header.
  function underHeader() {
    const note = openNote();
    const marker = note && document.querySelector(`[popovertarget='${note.id}']`);
    if (marker && marker.getBoundingClientRect().top < headerHeight()) note.hidePopover();
    if (host && host.getBoundingClientRect().top < headerHeight()) hidePreview();
  }

  let trackTimer = 0;
  const onScroll = perFrame(() => {
    size();
    mark();
    underHeader();
  });
  addEventListener("scroll", () => {
    onScroll();
    clearTimeout(trackTimer);
    trackTimer = setTimeout(track, 250);
  }, { passive: true });
  addEventListener("resize", onScroll, { passive: true });
  wide.addEventListener("change", onScroll);
  wider.addEventListener("change", onScroll);
  // The first frame: sidebars sized, the current page's link and section in view.
  requestAnimationFrame(() => {
    size();
    mark();
    settled = 1;
    for (const { sidebar } of sidebars) {
      for (const link of sidebar.querySelectorAll(".md-nav__link--active[href]")) {
        if (link.clientHeight) centre(link, "auto");
      }
    }
  });

  // (14) Search on a phone: the page behind it does not scroll (the theme's scroll lock).
  if (searchToggle) {
    let lock = 0;
    searchToggle.addEventListener("change", () => {
      clearTimeout(lock);
      const open = searchToggle.checked && !wide.matches;
      lock = setTimeout(() => {
        const body = document.body;
        if (open) {
          body.style.top = `-${scrollY}px`;
          body.setAttribute("data-md-scrolllock", "");
        } else if (body.hasAttribute("data-md-scrolllock")) {
          const y = -parseInt(body.style.top, 10);
          body.removeAttribute("data-md-scrolllock");
          body.style.top = "";
          if (y) scrollTo(0, y);
        }
      }, open ? 400 : 100);
    });
  }

  // (15) Back to top: the theme's button, shown while the reader scrolls up (not at the very
  // top, nor just after following a link within the page) and kept out of the Tab order while
  // hidden, as the theme shows it.
  const up = document.querySelector("[data-md-component=top]");
  if (up) {
    let last = scrollY, still = 0;
    const show = (visible) => {
      if (up.hidden === !visible) return;
      up.hidden = !visible;
      if (visible) {
        up.removeAttribute("tabindex");
      } else {
        up.setAttribute("tabindex", "-1");
        if (document.activeElement === up) up.blur();
      }
    };
    up.hidden = true;
    up.setAttribute("tabindex", "-1");
    // Only the reader's own scrolling counts (wheel, touch, keys, the scroll bar), not the
    // browser's jump to a link's target or a block laid out above the screen.
    let reading = 0;
    const readerScrolls = () => { reading = Date.now() + 1000; };
    for (const type of ["wheel", "touchmove", "keydown", "pointerdown"]) {
      addEventListener(type, readerScrolls, { passive: true });
    }
    addEventListener("scroll", () => {
      const y = scrollY;
      if (Date.now() > still && (Date.now() < reading || y <= 0)) show(y < last && y > 0);
      last = y;
    }, { passive: true });
    addEventListener("hashchange", () => {
      show(false);
      still = Date.now() + 250;
    });
    up.addEventListener("click", (event) => {
      event.preventDefault();
      scrollTo({ top: 0 });
    });
  }

  // (17) A code block (the "How to cite" blocks) has a button that copies its text, the theme's
  // content.code.copy.
  if (feature("content.code.copy") && navigator.clipboard) {
    for (const code of document.querySelectorAll(".md-content pre > code")) {
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "md-clipboard md-icon";
      copy.title = translate("clipboard.copy");
      copy.setAttribute("aria-label", translate("clipboard.copy"));
      copy.addEventListener("click", () => {
        navigator.clipboard.writeText(code.innerText.trimEnd()).then(
          () => { copy.title = translate("clipboard.copied"); },
          () => { copy.title = translate("clipboard.error"); });
      });
      code.before(copy);
    }
  }

  // (18) The navigation drawer on small screens: out of the Tab order while closed, closed by
  // Escape, and opened from the keyboard by its header button.
  const drawer = toggle("drawer");
  const primary = document.querySelector(".md-sidebar--primary");
  const opener = document.querySelector("header label[for=__drawer]");
  if (drawer && primary) {
    // The page behind an open drawer does not scroll (as search on a phone).
    const fence = () => {
      primary.inert = !wider.matches && !drawer.checked;
      document.documentElement.style.overflow = !wider.matches && drawer.checked ? "hidden" : "";
    };
    fence();
    drawer.addEventListener("change", fence);
    wider.addEventListener("change", fence);
    addEventListener("keydown", (event) => {
      if (event.key === "Escape" && drawer.checked) {
        drawer.click();
        if (opener) opener.focus();
      }
    });
    if (opener) {
      opener.tabIndex = 0;
      opener.setAttribute("role", "button");
      if (!opener.hasAttribute("aria-label")) opener.setAttribute("aria-label", "Navigation");
      opener.addEventListener("keydown", (event) => {
        if (event.key === " ") { event.preventDefault(); opener.click(); }
      });
    }
  }
})();
