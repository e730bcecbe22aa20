/* 巡查走访: today's route of my team, visits recorded online or offline, sent once each.
   Visits wait in IndexedDB ("outbox") until the server has them; each carries an id made here
   (a UUID), so a retry or a second tap never makes a second record on the server. */
(function () {
  "use strict";
  const TODAY_URL = "/routes/field/today";
  const VISITS_URL = "/routes/field/visits";
  const MAX_SIDE = 1600; // px, the long side of a photo after resizing
  const MAX_BYTES = 1500000; // the server refuses more than 2 MB
  const MAX_PHOTOS = 6;
  const $ = (sel, root) => (root || document).querySelector(sel);
  let today = null; // the route as the server (or the cache) gave it
  let outbox = []; // records not yet accepted by the server
  let syncing = false;
  let editing = null; // the record being filled in

  /* -- small helpers ----------------------------------------------------------------------- */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "on") Object.entries(v).forEach(([ev, fn]) => e.addEventListener(ev, fn));
      else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => { if (c !== null && c !== undefined) e.append(c); });
    return e;
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // RFC 4122 version 4
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function say(text, warn) {
    const m = $("#fd-msg");
    m.textContent = text || "";
    m.classList.toggle("fd-warn", !!warn);
  }
  const hhmm = (iso) => new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });

  /* -- IndexedDB: the outbox --------------------------------------------------------------- */
  const db = new Promise((resolve, reject) => {
    const open = indexedDB.open("qzf-field", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("outbox", { keyPath: "client_id" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  async function store(mode, fn) {
    const d = await db;
    return new Promise((resolve, reject) => {
      const tx = d.transaction("outbox", mode);
      const req = fn(tx.objectStore("outbox"));
      tx.oncomplete = () => resolve(req && req.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const outboxAll = () => store("readonly", (s) => s.getAll());
  const outboxPut = (rec) => store("readwrite", (s) => s.put(rec));
  const outboxDelete = (id) => store("readwrite", (s) => s.delete(id));

  async function refreshOutbox() {
    outbox = (await outboxAll()).sort((a, b) => a.created - b.created);
    const waiting = outbox.filter((r) => !r.error).length;
    $("#fd-pending-count").textContent = String(waiting);
    $("#fd-pending").classList.toggle("fd-has", waiting > 0);
    document.body.dataset.pending = String(waiting);
    const refused = outbox.filter((r) => r.error);
    $("#fd-outbox").hidden = !refused.length;
    $("#fd-outbox ul").replaceChildren(...refused.map((r) => el("li", {},
      (r.label || "房屋 " + r.visit.house_id) + "：" + r.error + " ",
      el("button", { type: "button", on: { click: async () => {
        if (confirm("删除这条未能保存的记录？")) { await outboxDelete(r.client_id); await refreshOutbox(); render(); }
      } } }, "删除"))));
  }

  /* -- today's route ----------------------------------------------------------------------- */
  async function loadToday() {
    try {
      const r = await fetch(TODAY_URL, { credentials: "same-origin" });
      if (r.status === 401) { say("登录已失效，请重新登录。", true); location.href = "/login?next=/field"; return; }
      if (!r.ok) throw new Error("HTTP " + r.status);
      today = await r.json();
      render();
    } catch (e) {
      if (!today) say("无网络，且手机上没有今日路线。请联网后打开本页。", true);
    }
  }

  function stateOf(stop) {
    const mine = outbox.filter((r) => r.visit.house_id === stop.house_id && r.visit.plan_ref === today.plan_ref);
    if (mine.length) {
      const last = mine[mine.length - 1];
      return { text: today.statuses[last.visit.status] + " · " + (last.error ? "被拒收" : "待同步"), cls: "fd-pending-state" };
    }
    if (stop.visit) return { text: stop.visit.status_zh + " " + hhmm(stop.visit.at), cls: "fd-" + stop.visit.status };
    return null;
  }

  function render() {
    if (!today) return;
    $("#fd-date").textContent = today.date;
    if (!today.plan_ref) {
      $("#fd-team").textContent = "";
      $("#fd-stops").replaceChildren();
      say("今天没有分配给您（" + today.username + "）的巡查路线。请联系督导组发布方案。");
      return;
    }
    say("");
    const r = today.route || {};
    $("#fd-team").textContent = today.team_name + "（" + today.members.join("、") + "）· 方案 " + today.plan_ref +
      (r.start ? " · " + r.depot + " " + r.start + " 出发，" + r.end + " 返回" : "");
    const done = today.stops.filter((s) => stateOf(s)).length;
    $("#fd-team").append(el("div", {}, "共 " + today.stops.length + " 处，已记录 " + done + " 处"));
    $("#fd-stops").replaceChildren(...today.stops.map(stopCard));
    document.body.dataset.route = today.plan_ref;
  }

  function stopCard(s) {
    const st = stateOf(s);
    const hazards = (s.hazards || []).map((h) => el("li", {},
      el("span", { class: h.severity === "major" ? "fd-major" : "" }, h.label_zh),
      "（" + (h.severity === "major" ? "重大" : "一般") + (h.overdue_days ? "，逾期 " + h.overdue_days + " 天" : "") +
      (h.open ? "" : "，已报整改待复核") + "）", el("span", { class: "fd-code" }, h.code || "")));
    return el("li", { class: "fd-stop" + (st ? " fd-done" : ""), "data-house": s.house_id },
      el("h2", {}, el("span", { class: "fd-seq" }, String(s.seq)), s.house_code,
        el("span", { class: "fd-time" }, s.arrival + " 到达"), st ? el("span", { class: "fd-state " + st.cls }, st.text) : null),
      el("p", { class: "fd-addr" }, s.address + (s.unit_name ? "（" + s.unit_name + "）" : "")),
      el("p", { class: "fd-why" }, "走访原因：", ...(s.reasons_zh || []).map((x) => el("span", {}, x))),
      hazards.length ? el("div", {}, "需核查隐患：", el("ul", { class: "fd-hz" }, hazards)) : el("p", { class: "fd-muted" }, "无需核查的隐患"),
      el("div", { class: "fd-links" },
        s.geo_uri ? el("a", { href: s.geo_uri, class: "fd-nav" }, "导航") : null,
        s.amap_url ? el("a", { href: s.amap_url, class: "fd-amap", rel: "noreferrer" }, "高德导航") : null,
        el("button", { type: "button", class: "fd-primary", name: "record", on: { click: () => openForm(s) } }, st ? "再次记录" : "记录走访")));
  }

  /* -- the record form --------------------------------------------------------------------- */
  const form = $("#fd-form");

  function openForm(stop) {
    editing = { client_id: uuid(), stop, photos: [], position: null };
    form.reset();
    $("#fd-form-title").textContent = stop.seq + ". " + stop.house_code + " " + stop.address;
    $("#fd-hazard-list").replaceChildren(...(stop.hazards || []).map((h) => el("div", { class: "fd-hazard", "data-hazard": h.id },
      el("div", {}, h.label_zh + "（" + (h.severity === "major" ? "重大" : "一般") + "）",
        el("span", { class: "fd-code" }, h.code || "")),
      el("div", { class: "fd-choice" },
        el("label", {}, el("input", { type: "radio", name: "hz-" + h.id, value: "rectified" }), "已整改"),
        el("label", { class: "fd-open" }, el("input", { type: "radio", name: "hz-" + h.id, value: "still_open" }), "未整改")))));
    $("#fd-hazards").hidden = !(stop.hazards || []).length;
    $("#fd-new-list").replaceChildren();
    $("#fd-thumbs").replaceChildren();
    $("#fd-form-error").textContent = "";
    $("#fd-save").disabled = false;
    toggleParts();
    $("#fd-record").hidden = false;
    $("#fd-record").scrollTop = 0; // the form may have been scrolled last time
    locate();
  }
  function closeForm() {
    $("#fd-record").hidden = true;
    (editing ? editing.photos : []).forEach((p) => URL.revokeObjectURL(p.url));
    editing = null;
  }
  function toggleParts() {
    $("#fd-visited-part").hidden = form.elements.status.value !== "visited";
  }
  form.addEventListener("change", (e) => { if (e.target.name === "status") toggleParts(); });
  $("#fd-cancel").addEventListener("click", closeForm);

  function locate() {
    const pos = $("#fd-pos");
    if (!navigator.geolocation) { pos.textContent = "本机不支持定位"; return; }
    pos.textContent = "定位中…";
    const mine = editing;
    navigator.geolocation.getCurrentPosition((p) => {
      if (editing !== mine) return;
      editing.position = { lon: p.coords.longitude, lat: p.coords.latitude, accuracy_m: p.coords.accuracy };
      pos.textContent = "位置 " + p.coords.latitude.toFixed(5) + ", " + p.coords.longitude.toFixed(5) +
        "（精度 ±" + Math.round(p.coords.accuracy) + " 米）";
    }, (err) => {
      if (editing === mine) pos.textContent = "未能定位（" + (err.code === 1 ? "未允许定位" : "信号不足") + "），记录不含位置";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  $("#fd-new-add").addEventListener("click", () => {
    const cats = today.categories;
    const category = el("select", { name: "new-category", "aria-label": "隐患类别" },
      el("option", { value: "" }, "选择类别…"),
      ...cats.map((c) => el("option", { value: c.code }, c.group_zh + "·" + c.label_zh)));
    const severity = el("select", { name: "new-severity", "aria-label": "隐患等级" },
      ...Object.entries(today.severities).map(([k, zh]) => el("option", { value: k }, zh)));
    category.addEventListener("change", () => {
      const c = cats.find((x) => x.code === category.value);
      if (c) severity.value = c.severity;
    });
    const row = el("div", { class: "fd-new-row" }, category, severity,
      el("button", { type: "button", "aria-label": "删除", on: { click: () => row.remove() } }, "×"),
      el("textarea", { name: "new-description", rows: 2, maxlength: 500, placeholder: "描述（位置、情况）" }));
    $("#fd-new-list").append(row);
  });

  async function resize(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (e) {
      throw new Error("无法读取照片 " + file.name);
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    for (const quality of [0.82, 0.7, 0.55, 0.4]) {
      const blob = await new Promise((res) => canvas.toBlob(res, "image/jpeg", quality));
      if (blob && blob.size <= MAX_BYTES) return blob;
    }
    throw new Error("照片压缩后仍然过大 " + file.name);
  }
  $("#fd-photo").addEventListener("change", async (e) => {
    const mine = editing;
    const files = [...e.target.files];
    e.target.value = "";
    $("#fd-save").disabled = true;
    $("#fd-form-error").textContent = "";
    try {
      for (const file of files) {
        if (mine.photos.length >= MAX_PHOTOS) throw new Error("每次最多 " + MAX_PHOTOS + " 张照片");
        const blob = await resize(file);
        const photo = { blob, url: URL.createObjectURL(blob) };
        mine.photos.push(photo);
        const fig = el("figure", {}, el("img", { src: photo.url, alt: "照片" }),
          el("button", { type: "button", "aria-label": "删除照片", on: { click: () => {
            mine.photos.splice(mine.photos.indexOf(photo), 1);
            URL.revokeObjectURL(photo.url);
            fig.remove();
          } } }, "×"));
        $("#fd-thumbs").append(fig);
      }
    } catch (err) {
      $("#fd-form-error").textContent = err.message;
    } finally {
      $("#fd-save").disabled = false;
      document.body.dataset.photos = String(mine.photos.length);
    }
  });

  function collect() {
    const s = editing.stop;
    const status = form.elements.status.value;
    const visit = {
      client_id: editing.client_id, house_id: s.house_id, plan_ref: today.plan_ref, team: today.team,
      status, visited_at: new Date().toISOString(), rectified: [], still_open: [], new_hazards: [],
      notes: form.elements.notes.value.trim() || null,
    };
    if (editing.position) Object.assign(visit, editing.position);
    if (status !== "visited") return { visit, photos: [] };
    for (const h of s.hazards || []) {
      const picked = form.querySelector("input[name='hz-" + h.id + "']:checked");
      if (!picked) throw new Error("请为每处隐患选择“已整改”或“未整改”：" + h.label_zh);
      visit[picked.value].push(h.id);
    }
    for (const row of form.querySelectorAll(".fd-new-row")) {
      const category = row.querySelector("[name=new-category]").value;
      if (!category) throw new Error("请为新发现的隐患选择类别");
      visit.new_hazards.push({
        category, severity: row.querySelector("[name=new-severity]").value,
        description: row.querySelector("[name=new-description]").value.trim() || null,
      });
    }
    return { visit, photos: editing.photos.map((p) => p.blob) };
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!editing) return;
    const save = $("#fd-save");
    save.disabled = true; // a second tap saves the same record (same client_id) again, harmlessly
    let rec;
    try {
      const { visit, photos } = collect();
      rec = { client_id: visit.client_id, created: Date.now(), visit, photos,
        label: editing.stop.seq + ". " + editing.stop.house_code };
      await outboxPut(rec);
    } catch (err) {
      $("#fd-form-error").textContent = err.message;
      save.disabled = false;
      return;
    }
    closeForm();
    await refreshOutbox();
    render();
    say(navigator.onLine ? "已保存，正在同步…" : "已保存在手机上，联网后自动同步。");
    sync();
  });

  /* -- sending what waits ------------------------------------------------------------------ */
  async function send(rec) {
    const body = new FormData();
    body.append("visit", JSON.stringify(rec.visit));
    rec.photos.forEach((b, i) => body.append("photos", b, "photo-" + (i + 1) + ".jpg"));
    return fetch(VISITS_URL, { method: "POST", body, credentials: "same-origin" });
  }
  async function sync() {
    if (syncing) return;
    syncing = true;
    let sent = 0;
    try {
      for (const rec of (await outboxAll()).sort((a, b) => a.created - b.created)) {
        if (rec.error) continue;
        let r;
        try {
          r = await send(rec);
        } catch (e) {
          break; // no network: try again when it returns
        }
        if (r.status === 200 || r.status === 201) {
          await outboxDelete(rec.client_id);
          sent += 1;
        } else if (r.status === 401) {
          say("登录已失效：记录仍保存在手机上，请重新登录后自动同步。", true);
          break;
        } else if (r.status >= 500 || r.status === 408 || r.status === 429) {
          break; // the server is busy or restarting: later
        } else {
          const body = await r.json().catch(() => ({}));
          const d = body.detail;
          rec.error = Array.isArray(d) ? d.map((x) => x.msg).join("；") : d || "HTTP " + r.status;
          await outboxPut(rec);
        }
      }
    } finally {
      syncing = false;
      await refreshOutbox();
      if (sent) {
        say("已同步 " + sent + " 条记录。");
        await loadToday();
      } else {
        render();
      }
    }
  }
  $("#fd-pending").addEventListener("click", sync);

  /* -- network state and offline use -------------------------------------------------------- */
  function showNet() {
    const on = navigator.onLine;
    $("#fd-net").textContent = on ? "在线" : "离线";
    $("#fd-net").classList.toggle("fd-offline", !on);
  }
  window.addEventListener("online", () => { showNet(); sync(); loadToday(); });
  window.addEventListener("offline", showNet);
  setInterval(() => { if (navigator.onLine && outbox.some((r) => !r.error)) sync(); }, 20000);

  async function keepOffline() {
    if (!("serviceWorker" in navigator)) return;
    try {
      await navigator.serviceWorker.register("/static/field/sw.js", { scope: "/field" });
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((res) => navigator.serviceWorker.addEventListener("controllerchange", res, { once: true }));
      }
      // Through the worker now: it keeps today's route for the next offline start.
      if (navigator.onLine) await fetch(TODAY_URL, { credentials: "same-origin" });
      $("#fd-offline-ready").hidden = false;
      document.body.dataset.offline = "ready";
    } catch (e) {
      // No service worker (an insecure origin): the page still works while online.
    }
  }

  showNet();
  refreshOutbox().then(loadToday).then(sync);
  keepOffline();
})();
