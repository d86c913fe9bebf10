// Practica's small enhancements. Everything works without this file: every
// enhanced element is a plain link or form, and the script only fetches what
// the browser would have fetched and puts it in place.
(() => {
  "use strict";
  const on = (type, fn, capture) => document.addEventListener(type, fn, capture);
  // Ask before destructive form posts marked with data-confirm.
  on("submit", (e) => {
    const form = e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  // Refuse a file over its field's data-max-bytes before sending it.
  on("change", (e) => {
    const t = e.target;
    if (!t.matches || !t.matches("input[type=file][data-max-bytes]")) return;
    const max = Number(t.getAttribute("data-max-bytes"));
    const big = t.files && t.files[0] && t.files[0].size > max;
    t.setCustomValidity(big ? "The file is larger than " + Math.round(max / 1048576) + " MB." : "");
    if (big) t.reportValidity();
  });
  // Select the whole value of one-time secrets (tokens, invitation links) on focus.
  on("focusin", (e) => {
    if (e.target.classList && e.target.classList.contains("copy-field")) e.target.select();
  });
  // "/" focuses the first search box; Escape closes open menus.
  on("keydown", (e) => {
    const t = e.target;
    const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (e.key === "/" && !typing) {
      const s = document.querySelector("input[type=search]");
      if (s) { e.preventDefault(); s.focus(); }
    }
    if (e.key === "Escape") document.querySelectorAll("details.menu[open]").forEach((d) => d.removeAttribute("open"));
  });
  // Close the account menu when clicking elsewhere.
  on("click", (e) => {
    document.querySelectorAll("details.menu[open]").forEach((d) => {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
  // Move focus to the error summary of a re-rendered form: in the page, or
  // among the elements a request swapped in. Reports whether it did.
  const focusErrors = (roots = [document]) => {
    const s = roots.map((r) => (r.matches && r.matches(".error-summary") ? r : r.querySelector(".error-summary"))).find(Boolean);
    if (s) s.focus();
    return !!s;
  };
  // An event's times in the reader's own time zone, where it is not the
  // event's (the page gives them in the event's).
  const localTimes = () => document.querySelectorAll("[data-local-start]").forEach((el) => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === el.getAttribute("data-zone")) return;
    const s = new Date(el.getAttribute("data-local-start")), end = new Date(el.getAttribute("data-local-end"));
    const clock = {hour: "2-digit", minute: "2-digit", hourCycle: "h23"}, full = {weekday: "short", day: "numeric", month: "short", year: "numeric", ...clock};
    let text = s.toLocaleString(undefined, full);
    if (+end !== +s) text += s.toDateString() === end.toDateString() ? "–" + end.toLocaleTimeString(undefined, clock) : " – " + end.toLocaleString(undefined, full);
    el.textContent = "Your time: " + text + " (" + zone + ")";
    el.hidden = false;
  });
  on("DOMContentLoaded", () => { focusErrors(); localTimes(); });

  // The rest does what htmx did for us, with its attribute names, and no
  // more (docs/decisions.md, "Our own script instead of htmx"): hx-boost,
  // hx-get, hx-post, hx-target ("closest SEL", SEL or the element itself),
  // hx-swap (innerHTML, outerHTML, beforeend), hx-select, hx-select-oob,
  // hx-include, hx-trigger ("EVENT [changed] [delay:Nms] [from:SEL], ...")
  // and hx-sync ("this:replace"; otherwise a second request is dropped).
  // Partial requests send "HX-Request: true" (the vote handler then answers
  // with the vote box alone) and never change the URL; page loads send no
  // such header, so the server and its page cache see ordinary requests.
  // Browsers older than these (2020–2022) get plain links and forms.
  if (!window.SubmitEvent || !window.AbortController || !Element.prototype.replaceChildren) return;
  const parse = (text) => new DOMParser().parseFromString(text, "text/html");
  const page = (u) => u.split("#")[0];
  const isHTML = (res) => /^text\/html/.test(res.headers.get("Content-Type") || "");
  const FOCUSABLE = "a[href], button, input, select, textarea";
  let shown = page(location.href); // the URL of the page the document shows
  let nav = null; // the AbortController of the page load in flight
  let shows = 0; // counts pages shown, so that a slower one cannot overtake
  const busy = new WeakMap(); // element -> AbortController of its request
  const timers = new WeakMap(); // element -> its hx-trigger delay
  const last = new WeakMap(); // field -> its value at its last "changed" trigger

  // The values a request sends, as a form would send them.
  const values = (el, submitter) => {
    const data = new FormData();
    const add = (f) => {
      if (f.tagName === "FORM") new FormData(f).forEach((v, k) => data.append(k, v));
      else if (f.name && !f.disabled && (!/^(checkbox|radio)$/.test(f.type) || f.checked)) data.append(f.name, f.value);
    };
    add(el);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    const inc = el.getAttribute("hx-include");
    if (inc) document.querySelectorAll(inc).forEach(add);
    return new URLSearchParams(data);
  };

  // When the script cannot help (a network error, an answer that is not
  // HTML), a link is followed and a form submitted the ordinary way.
  const plainly = (el, submitter) => {
    if (el.tagName === "A") location.href = el.href;
    if (el.tagName !== "FORM") return;
    if (submitter && submitter.name) {
      el.append(Object.assign(document.createElement("input"), {type: "hidden", name: submitter.name, value: submitter.value}));
    }
    el.submit();
  };

  // A partial request: fetch, pick, put in place.
  const partial = (el, submitter) => {
    const post = el.hasAttribute("hx-post");
    const url = new URL(el.getAttribute(post ? "hx-post" : "hx-get"), location.href);
    const data = values(el, submitter);
    if (!post) data.forEach((v, k) => url.searchParams.append(k, v));
    if (busy.has(el)) {
      if (!/replace/.test(el.getAttribute("hx-sync"))) return;
      busy.get(el).abort();
    }
    const ctl = new AbortController();
    busy.set(el, ctl);
    fetch(url, {method: post ? "POST" : "GET", body: post ? data : null, headers: {"HX-Request": "true"}, signal: ctl.signal})
      .then(async (res) => {
        if (res.status === 204) return;
        if (!isHTML(res)) throw new Error("not HTML");
        const text = await res.text();
        // A whole page where a fragment was expected (an error page, the
        // sign-in form) is shown as a page.
        if (!el.hasAttribute("hx-select") && /^\s*<!doctype/i.test(text)) show(parse(text), res.url, true);
        else if (el.isConnected) swap(el, parse(text));
      })
      .catch((err) => { if (err.name !== "AbortError") plainly(el, submitter); })
      .finally(() => { if (busy.get(el) === ctl) busy.delete(el); });
  };

  const swap = (el, doc) => {
    const t = el.getAttribute("hx-target") || "this";
    const target = t === "this" ? el : t.startsWith("closest ") ? el.closest(t.slice(8)) : document.querySelector(t);
    if (!target) return;
    const how = el.getAttribute("hx-swap") || "innerHTML";
    const sel = el.getAttribute("hx-select");
    const nodes = Array.from(sel ? doc.querySelectorAll(sel) : doc.body.childNodes);
    if (sel && !nodes.length) return plainly(el); // not what we expected: go there
    // Where focus is, to put it back if the swap takes the focused element away.
    const active = document.activeElement;
    const at = target.contains(active) ? Array.from(target.querySelectorAll(FOCUSABLE)).indexOf(active) : -1;
    if (how === "outerHTML") target.replaceWith(...nodes);
    else if (how === "beforeend") target.append(...nodes);
    else target.replaceChildren(...nodes);
    for (const s of (el.getAttribute("hx-select-oob") || "").split(",")) {
      const fresh = s.trim() && doc.querySelector(s);
      const old = fresh && document.querySelector(s);
      if (old) old.replaceWith(fresh);
    }
    const parts = nodes.filter((n) => n.nodeType === 1);
    if (focusErrors(parts) || !active || active === document.body || active.isConnected) return;
    // The same control in the new content (a vote button), else its first
    // (the first row "Load more" brought).
    const list = parts.flatMap((n) => [...(n.matches(FOCUSABLE) ? [n] : []), ...n.querySelectorAll(FOCUSABLE)]);
    const next = list[Math.min(Math.max(at, 0), list.length - 1)];
    if (next) next.focus();
  };

  // hx-trigger, by delegation so that swapped-in content needs no setup.
  const trigger = (e) => {
    for (const el of document.querySelectorAll("[hx-trigger]")) {
      for (const spec of el.getAttribute("hx-trigger").split(",")) {
        const [type, ...opts] = spec.trim().split(/\s+/);
        const opt = (name) => (opts.find((o) => o.startsWith(name + ":")) || "").slice(name.length + 1);
        const from = opt("from");
        if (type !== e.type || !(from ? e.target.matches(from) : el.contains(e.target))) continue;
        if (opts.includes("changed")) {
          if (last.get(e.target) === e.target.value) continue;
          last.set(e.target, e.target.value);
        }
        clearTimeout(timers.get(el));
        timers.set(el, setTimeout(() => el.isConnected && partial(el), parseInt(opt("delay"), 10) || 0));
      }
    }
  };
  on("input", trigger);
  on("change", trigger);

  // Boosting: pages load with fetch and are swapped in.
  const boosted = (el) => {
    const b = el.closest("[hx-boost]");
    return !!b && b.getAttribute("hx-boost") === "true";
  };
  const ours = (u) => u.origin === location.origin && !/^\/(api|static)\//.test(u.pathname);

  // load fetches a page and shows it; push: a new history entry (a click, a
  // form) or not (Back, Forward); y: where to scroll.
  const load = (method, url, body, push, y, fallback) => {
    if (nav) nav.abort();
    const ctl = (nav = new AbortController());
    fetch(url, {method, body, signal: ctl.signal})
      .then(async (res) => {
        if (res.status === 204) return;
        if (!isHTML(res)) throw new Error("not HTML");
        const text = await res.text();
        // The answer's URL has no #fragment: keep the link's when there was no redirect.
        if (nav === ctl) show(parse(text), res.redirected ? res.url : url, push, y);
      })
      .catch((err) => { if (err.name !== "AbortError") fallback(); })
      .finally(() => { if (nav === ctl) nav = null; });
  };

  const show = async (doc, url, push, y) => {
    // The page's stylesheets (lean pages leave out more.css) load before it
    // shows, for at most two seconds.
    const ticket = ++shows;
    const want = Array.from(doc.querySelectorAll("link[rel=stylesheet]"), (l) => l.href);
    const have = Array.from(document.querySelectorAll("link[rel=stylesheet]"));
    const loads = want.filter((h) => !have.some((l) => l.href === h)).map((href) => new Promise((done) => {
      document.head.append(Object.assign(document.createElement("link"), {rel: "stylesheet", href, onload: done, onerror: done}));
    }));
    await Promise.race([Promise.all(loads), new Promise((done) => setTimeout(done, 2000))]);
    if (ticket !== shows) return;
    if (push) {
      // Remember where the reader was on the page they leave, for Back.
      history.scrollRestoration = "manual";
      history.replaceState({y: window.scrollY}, "");
      if (url === location.href) history.replaceState(null, "", url);
      else history.pushState(null, "", url);
    } else if (url !== location.href) {
      history.replaceState(history.state, "", url); // Back to a page that has moved
    }
    shown = page(url);
    document.title = doc.title;
    document.body.replaceWith(doc.body);
    localTimes();
    have.forEach((l) => { if (!want.includes(l.href)) l.remove(); });
    // Focus where a keyboard or screen reader user expects the page to
    // start, and scroll as a page load would.
    const auto = document.querySelector("[autofocus]");
    const main = document.getElementById("main");
    const errors = focusErrors();
    if (!errors && auto) auto.focus();
    else if (!errors && main) main.focus({preventScroll: true});
    if (y != null) window.scrollTo(0, y);
    else if (!scrollToHash(new URL(url).hash) && !errors && !auto) window.scrollTo(0, 0);
  };
  const scrollToHash = (hash) => {
    const to = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (to) to.scrollIntoView();
    return !!to;
  };

  on("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    const el = e.target.closest("a[href], [hx-get], [hx-post]");
    if (!el) return;
    if (el.matches("[hx-get], [hx-post]")) {
      if (el.matches("form, input, select, textarea, [hx-trigger]")) return; // they have events of their own
      e.preventDefault();
      return partial(el);
    }
    if (!boosted(el) || el.hasAttribute("download") || (el.target && el.target !== "_self")) return;
    const u = new URL(el.href);
    if (!ours(u)) return;
    if (u.hash && page(u.href) === page(location.href)) {
      // A jump within the page, which the browser makes; Back returns here.
      history.replaceState({y: window.scrollY}, "");
      return;
    }
    e.preventDefault();
    load("GET", u.href, null, true, null, () => { location.href = u.href; });
  });

  on("submit", (e) => {
    const form = e.target, sub = e.submitter;
    if (e.defaultPrevented) return;
    if (form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) {
      e.preventDefault();
      return partial(form, sub);
    }
    // A submit button's formaction, formmethod... override the form's.
    const attr = (a) => (sub && sub.getAttribute("form" + a)) || form.getAttribute(a) || "";
    const method = attr("method").toUpperCase() || "GET";
    const target = attr("target");
    const u = new URL(attr("action"), location.href);
    if (!boosted(form) || !["GET", "POST"].includes(method) || (target && target !== "_self") || !ours(u) || /multipart/.test(attr("enctype"))) return;
    const data = values(form, sub);
    if (method === "GET") u.search = data;
    e.preventDefault();
    load(method, u.href, method === "POST" ? data : null, true, null, () => plainly(form, sub));
  });

  // Back and Forward to a page we swapped in load it again; within a page,
  // they scroll to where the reader was, or to the #fragment.
  window.addEventListener("popstate", (e) => {
    const y = e.state && e.state.y;
    if (page(location.href) !== shown) load("GET", location.href, null, false, y, () => location.reload());
    else if (y != null) window.scrollTo(0, y);
    else scrollToHash(location.hash);
  });
  // The bell and the messages link follow the member's unread counts while
  // the page is open: /live sends them at once and whenever they change.
  const bell = () => document.querySelector('a.bell[href="/notifications"]');
  const count = (b, n, label) => {
    if (!b) return;
    const text = n >= 100 ? "99+" : String(n);
    let c = b.querySelector(".bell-count");
    if (n === 0) {
      if (c) c.remove();
    } else {
      if (!c) {
        c = document.createElement("span");
        c.className = "bell-count";
        c.setAttribute("aria-hidden", "true");
        b.appendChild(c);
      }
      c.textContent = text;
    }
    b.setAttribute("aria-label", n === 0 ? label : label + ", " + text + " unread");
  };
  // An open conversation shows new messages as they come: its list is read
  // again (which marks them read) when a conversation has news.
  let refreshing = false;
  const refreshMessages = () => {
    const list = document.querySelector("ol.message-list[data-live]");
    if (!list || refreshing || location.search.includes("before=")) return;
    refreshing = true;
    fetch(location.pathname, {headers: {"HX-Request": "true"}})
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((text) => {
        const fresh = parse(text).querySelector("ol.message-list[data-live]");
        const now = document.querySelector("ol.message-list[data-live]");
        const last = (l) => l.lastElementChild && l.lastElementChild.id;
        if (fresh && now && last(fresh) !== last(now)) now.replaceWith(fresh);
      })
      .catch(() => {})
      .finally(() => { refreshing = false; });
  };
  let live = null;
  const listen = () => {
    if (live || !bell() || !window.EventSource) return;
    live = new EventSource("/live");
    live.addEventListener("notifications", (e) => {
      let d;
      try { d = JSON.parse(e.data); } catch (_) { return; }
      count(bell(), d.unread | 0, "Notifications");
      count(document.querySelector('a.bell[href="/messages"]'), d.conversations | 0, "Messages");
      if ((d.conversations | 0) > 0) refreshMessages();
    });
  };
  listen();
  window.addEventListener("pagehide", () => { if (live) { live.close(); live = null; } });
  window.addEventListener("pageshow", listen);
  // @mentions: typing @ and the start of a name in a composer lists the
  // members who could read the post there (/mentions); arrows choose, Enter
  // or Tab inserts, Escape closes.
  let mentionTimer = 0, mentionSeq = 0;
  const isComposer = (t) => t && t.matches && t.matches("textarea[data-mention]");
  const mentionWord = (ta) => {
    const m = ta.value.slice(0, ta.selectionStart).match(/(?:^|[^\w@\/.])@([\w.-]{1,30})$/);
    return m ? m[1] : null;
  };
  const mentionWhere = (ta) => {
    const f = ta.form, action = (f && f.getAttribute("action")) || "";
    let m = action.match(/^\/t\/(\d+)\//);
    if (m) return "&topic=" + m[1];
    m = action.match(/^\/p\/(\d+)\//);
    if (m) return "&post=" + m[1];
    const sp = f && f.querySelector("[name=space]");
    return sp && sp.value ? "&space=" + encodeURIComponent(sp.value) : "";
  };
  const mentionList = (ta) => {
    const n = ta.nextElementSibling;
    return n && n.classList.contains("mention-list") ? n : null;
  };
  const closeMentions = (ta) => {
    const l = mentionList(ta);
    if (l) l.remove();
    ta.removeAttribute("aria-activedescendant");
  };
  const chooseMention = (ta, li) => {
    const before = ta.value.slice(0, ta.selectionStart).replace(/@[\w.-]*$/, "@" + li.dataset.username + " ");
    ta.value = before + ta.value.slice(ta.selectionStart);
    ta.selectionStart = ta.selectionEnd = before.length;
    closeMentions(ta);
    ta.focus();
  };
  const moveMention = (ta, step) => {
    const opts = [...mentionList(ta).querySelectorAll("[role=option]")];
    let i = opts.findIndex((o) => o.getAttribute("aria-selected") === "true");
    opts.forEach((o) => o.setAttribute("aria-selected", "false"));
    i = (i + step + opts.length) % opts.length;
    opts[i].setAttribute("aria-selected", "true");
    ta.setAttribute("aria-activedescendant", opts[i].id);
  };
  on("input", (e) => {
    const ta = e.target;
    if (!isComposer(ta)) return;
    clearTimeout(mentionTimer);
    const word = mentionWord(ta), seq = ++mentionSeq;
    if (!word) { closeMentions(ta); return; }
    mentionTimer = setTimeout(() => {
      fetch("/mentions?q=" + encodeURIComponent(word) + mentionWhere(ta), { headers: { "HX-Request": "true" } })
        .then((r) => (r.ok ? r.text() : ""))
        .then((html) => {
          if (seq !== mentionSeq) return;
          closeMentions(ta);
          if (!html.trim()) return;
          ta.insertAdjacentHTML("afterend", html);
          const l = mentionList(ta);
          if (!l) return;
          l.id = ta.id + "-mentions";
          ta.setAttribute("aria-controls", l.id);
          const first = l.querySelector("[role=option]");
          if (first) ta.setAttribute("aria-activedescendant", first.id);
        })
        .catch(() => {});
    }, 120);
  });
  on("keydown", (e) => {
    const ta = e.target;
    if (!isComposer(ta) || !mentionList(ta)) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      moveMention(ta, e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter" || e.key === "Tab") {
      const li = mentionList(ta).querySelector("[aria-selected=true]");
      if (li) { e.preventDefault(); chooseMention(ta, li); }
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      closeMentions(ta);
    }
  }, true);
  on("mousedown", (e) => {
    const li = e.target.closest && e.target.closest(".mention-list [role=option]");
    if (!li) return;
    e.preventDefault();
    const ta = li.parentElement.previousElementSibling;
    if (isComposer(ta)) chooseMention(ta, li);
  });
  on("focusout", (e) => {
    const ta = e.target;
    if (isComposer(ta)) setTimeout(() => { if (document.activeElement !== ta) closeMentions(ta); }, 150);
  });
})();
