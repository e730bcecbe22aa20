/* 回头看路线规划: targets on the map, changes by click, plan with progress, publish, history.
   Talks to the routes API only (the same planner as `geo-service routes plan`). */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("plan-config").textContent);
  const $ = (sel, root) => (root || document).querySelector(sel);
  const form = $("#plan-form");
  form.addEventListener("submit", (e) => e.preventDefault());
  const TEAM_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
    "#a6761d", "#1f78b4", "#b15928", "#6a3d9a", "#33a02c", "#fb9a99"];
  const state = {
    targets: [], byId: new Map(),
    added: new Set(), excluded: new Set(), pins: new Map(), windows: new Map(),
    depots: ["town_government"], picking: false, plan: null, served: new Map(), unassigned: new Map(),
  };

  /* -- helpers ------------------------------------------------------------------------------ */
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, (c) => (
      { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "on") Object.entries(v).forEach(([ev, fn]) => e.addEventListener(ev, fn));
      else if (k === "html") e.innerHTML = v;
      else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => { if (c !== null && c !== undefined) e.append(c); });
    return e;
  }
  function detailText(body, status) {
    const d = body && body.detail;
    if (Array.isArray(d)) return d.map((x) => x.msg || JSON.stringify(x)).join("；");
    return d || "请求失败 (" + status + ")";
  }
  async function api(url, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    if (opts.json !== undefined) {
      opts.method = opts.method || "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    const r = await fetch(url, opts);
    if (!r.ok) throw new Error(detailText(await r.json().catch(() => ({})), r.status));
    return r.json();
  }
  function showError(message) {
    const p = $("#plan-error");
    p.hidden = !message;
    p.textContent = message || "";
  }
  function colourOf(priority) {
    const c = cfg.priorityClasses.find(([low]) => priority >= low);
    return c ? c[1] : "#999";
  }
  const minutes = (s) => Math.round(s / 60);
  const field = (name) => form.elements[name];

  /* -- the map ---------------------------------------------------------------------------- */
  const map = L.map("plan-map", { preferCanvas: true, maxZoom: 19, zoomControl: true });
  L.vectorGrid.protobuf(cfg.basemap, {
    rendererFactory: L.canvas.tile, tileSize: 512, maxNativeZoom: 19, maxZoom: 19,
    interactive: false, attribution: "底图：本系统数据库（道路、村界）",
    vectorTileLayerStyles: {
      land: { fill: true, fillColor: "#f3f1ea", fillOpacity: 1, color: "#d6cfbf", weight: 1 },
      roads: (p, z) => {
        const main = p["class"] !== "local";
        return { color: main ? "#f2c46d" : "#ffffff", weight: main ? (z > 14 ? 6 : 3) : 2, opacity: 1 };
      },
    },
  }).addTo(map);
  if (cfg.bounds) map.fitBounds(cfg.bounds, { padding: [10, 10] });
  else map.setView([31.7, 120.07], 13);
  const targetLayer = L.layerGroup().addTo(map);
  const routeLayer = L.layerGroup().addTo(map);
  const depotLayer = L.layerGroup().addTo(map);
  const markers = new Map();

  /* -- form and depots -------------------------------------------------------------------- */
  field("date").value = cfg.today;
  field("teams").value = cfg.teams;
  field("start").value = cfg.shift[0];
  field("end").value = cfg.shift[1];
  field("max_targets").value = cfg.maxTargets;

  function depotLabel(spec) {
    if (cfg.depots[spec]) return cfg.depots[spec];
    const [lon, lat] = spec.split(",").map(Number);
    return "地图点 " + lon.toFixed(5) + "," + lat.toFixed(5);
  }
  function drawDepots() {
    const box = $("#plan-depots");
    box.replaceChildren(...state.depots.map((spec, i) => el("span", { class: "plan-chip" },
      (state.depots.length > 1 ? "第" + (i + 1) + "个：" : "") + depotLabel(spec),
      el("button", { type: "button", title: "删除", "aria-label": "删除出发点",
        on: { click: () => { state.depots.splice(i, 1); drawDepots(); } } }, "×"))));
    depotLayer.clearLayers();
    state.depots.filter((s) => s.includes(",")).forEach((spec) => {
      const [lon, lat] = spec.split(",").map(Number);
      L.marker([lat, lon], { icon: L.divIcon({ className: "plan-depot-icon", html: "出发", iconSize: [30, 18] }) })
        .bindTooltip(depotLabel(spec)).addTo(depotLayer);
    });
  }
  $("#plan-depot-add").addEventListener("click", () => {
    state.depots.push($("#plan-depot-choice").value);
    drawDepots();
  });
  $("#plan-depot-pick").addEventListener("click", () => {
    state.picking = true;
    map.getContainer().style.cursor = "crosshair";
    $("#plan-depot-pick").textContent = "请在地图上点击…";
  });
  drawDepots();

  /* -- targets ---------------------------------------------------------------------------- */
  function listedIds() {
    return [...new Set([...state.added, ...state.pins.keys()])];
  }
  async function loadTargets() {
    const q = new URLSearchParams({ date: field("date").value || cfg.today });
    listedIds().forEach((id) => q.append("house_id", id));
    $("#plan-target-count").textContent = "加载中…";
    try {
      state.targets = await api("/routes/targets?" + q);
    } catch (e) {
      showError("目标加载失败：" + e.message);
      return;
    }
    state.byId = new Map(state.targets.map((t) => [t.house_id, t]));
    drawTargets();
    document.body.dataset.targets = String(state.targets.length);
  }
  function markerStyle(t) {
    const out = state.excluded.has(t.house_id);
    const pinned = state.pins.has(t.house_id);
    // Once planned, the targets left for another day fade so the routes stand out.
    const faded = state.plan && !state.served.has(t.house_id);
    return {
      radius: pinned ? 8 : 6, weight: pinned ? 3 : 1, color: pinned ? "#000" : "#fff",
      dashArray: out ? "2 2" : null, fillColor: out ? "#bbbbbb" : colourOf(t.priority),
      fillOpacity: out ? 0.5 : faded ? 0.35 : 0.9, opacity: faded ? 0.5 : 1,
      bubblingMouseEvents: false,
    };
  }
  function drawTargets() {
    targetLayer.clearLayers();
    markers.clear();
    const ordered = [...state.targets].sort((a, b) => a.priority - b.priority); // high on top
    ordered.forEach((t) => {
      if (t.lat === null || t.lon === null) return;
      const m = L.circleMarker([t.lat, t.lon], markerStyle(t));
      m.on("click", () => openTarget(t.house_id));
      m.bindTooltip(t.house_code + " · 优先级 " + t.priority);
      m.addTo(targetLayer);
      markers.set(t.house_id, m);
    });
    countTargets();
    drawChanges();
  }
  function countTargets() {
    const n = state.targets.length - state.excluded.size;
    const limit = Number(field("max_targets").value) || cfg.maxTargets;
    $("#plan-target-count").textContent = n + " 处" +
      (n > limit ? "，按优先级规划前 " + limit + " 处" : "");
  }
  field("max_targets").addEventListener("input", countTargets);
  function drawLegend() {
    $("#plan-legend").replaceChildren(...cfg.priorityClasses.map(([, colour, label]) =>
      el("span", {}, el("i", { style: "background:" + colour }), label)),
    el("span", {}, el("i", { style: "background:#bbb" }), "已移除"),
    el("span", {}, el("i", { style: "background:#fff;border:2px solid #000" }), "已固定"));
  }
  drawLegend();

  function drawChanges() {
    const parts = [];
    if (state.excluded.size) parts.push("已移除 " + state.excluded.size);
    if (state.pins.size) parts.push("已固定 " + state.pins.size);
    if (state.added.size) parts.push("已加入 " + state.added.size);
    if (state.windows.size) parts.push("可访时段 " + state.windows.size);
    $("#plan-changes").textContent = parts.length ? "改动：" + parts.join(" · ") : "";
  }

  function hazardList(t) {
    if (!t.hazards || !t.hazards.length) return "—";
    return t.hazards.map((h) => esc(h.label_zh) + "（" + (h.severity === "major" ? "重大" : "一般") +
      (h.overdue_days ? "，逾期 " + h.overdue_days + " 天" : "") + (h.open ? "" : "，待复核") + "）").join("<br>");
  }

  function targetPopup(t) {
    const id = t.house_id;
    const served = state.served.get(id);
    const left = state.unassigned.get(id);
    const rows = [
      ["地址", esc(t.address)], ["单位", esc(t.unit_name)], ["原因", esc((t.reasons_zh || []).join("；"))],
      ["需核查", hazardList(t)], ["停留", minutes(t.service_s) + " 分钟"],
    ];
    if (t.time_window) rows.push(["可访时段", t.time_window.join("–")]);
    if (served) rows.push(["路线", "第" + served.team + "组 第" + served.seq + "站，到达 " + served.arrival]);
    if (left) rows.push(["未排入", esc(left)]);
    const out = state.excluded.has(id);
    const pinSelect = el("select", { "aria-label": "固定", name: "pin" },
      el("option", { value: "" }, "不固定"), el("option", { value: "any" }, "固定（任意组）"),
      ...Array.from({ length: Number(field("teams").value) || 1 }, (_, i) =>
        el("option", { value: String(i + 1) }, "固定到第" + (i + 1) + "组")));
    pinSelect.value = state.pins.has(id) ? (state.pins.get(id) === null ? "any" : String(state.pins.get(id))) : "";
    const win = state.windows.get(id) || (t.time_window || ["", ""]);
    const hhmm = { type: "text", inputmode: "numeric", pattern: "[0-2][0-9]:[0-5][0-9]", placeholder: "HH:MM" };
    const from = el("input", Object.assign({ name: "from", value: win[0] || "", "aria-label": "可访开始" }, hhmm));
    const to = el("input", Object.assign({ name: "to", value: win[1] || "", "aria-label": "可访结束" }, hhmm));
    const change = (fn) => () => { fn(); map.closePopup(); changed(); };
    return el("div", { class: "plan-popup", "data-house": id },
      el("h4", { html: esc(t.house_code) + " <small>优先级 " + t.priority + "</small>" }),
      el("table", { html: rows.map(([k, v]) => "<tr><th>" + k + "</th><td>" + v + "</td></tr>").join("") }),
      el("div", { class: "plan-row" },
        el("button", { type: "button", name: out ? "restore" : "remove",
          on: { click: change(() => {
            if (out) state.excluded.delete(id); else { state.excluded.add(id); state.pins.delete(id); }
          }) } }, out ? "恢复" : "移除"),
        pinSelect,
        el("button", { type: "button", name: "pin-apply", on: { click: change(() => {
          const v = pinSelect.value;
          if (!v) state.pins.delete(id);
          else { state.pins.set(id, v === "any" ? null : Number(v)); state.excluded.delete(id); }
        }) } }, "确定")),
      el("div", { class: "plan-row" }, "可访时段 ", from, "–", to,
        el("button", { type: "button", name: "window-set", on: { click: change(() => {
          if (from.value && to.value) state.windows.set(id, [from.value, to.value]);
        }) } }, "设置"),
        el("button", { type: "button", name: "window-clear", on: { click: change(() => state.windows.delete(id)) } }, "清除")));
  }
  function openTarget(id) {
    const t = state.byId.get(id);
    if (!t || t.lat === null) return;
    L.popup({ maxWidth: 360 }).setLatLng([t.lat, t.lon]).setContent(targetPopup(t)).openOn(map);
  }
  function changed() {
    drawTargets();
  }

  /* A click on the map: a depot when picking, else the nearest house (to add it). */
  map.on("click", async (e) => {
    if (state.picking) {
      state.picking = false;
      map.getContainer().style.cursor = "";
      $("#plan-depot-pick").textContent = "地图选点";
      state.depots.push(e.latlng.lng.toFixed(6) + "," + e.latlng.lat.toFixed(6));
      drawDepots();
      return;
    }
    const d = 0.0005;
    const bbox = [e.latlng.lng - d, e.latlng.lat - d, e.latlng.lng + d, e.latlng.lat + d].map((v) => v.toFixed(6));
    let found;
    try {
      found = await api("/ogc/collections/houses/items?limit=50&bbox=" + bbox.join(","));
    } catch (err) {
      return;
    }
    const near = (found.features || []).map((f) => ({ f, at: L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]) }))
      .sort((a, b) => map.distance(a.at, e.latlng) - map.distance(b.at, e.latlng))[0];
    if (!near || map.distance(near.at, e.latlng) > 60) return;
    const id = Number(near.f.id);
    if (state.byId.has(id)) return openTarget(id);
    const p = near.f.properties;
    L.popup().setLatLng(near.at).setContent(el("div", { class: "plan-popup", "data-house": id },
      el("h4", {}, "房屋 " + p.house_code), el("p", {}, p.address || ""), el("p", { class: "plan-hint" }, "不在目标中"),
      el("button", { type: "button", name: "add", on: { click: async () => {
        state.added.add(id);
        map.closePopup();
        await loadTargets();
      } } }, "加入目标"))).openOn(map);
  });

  $("#plan-reset").addEventListener("click", async () => {
    state.added.clear(); state.excluded.clear(); state.pins.clear(); state.windows.clear();
    await loadTargets();
  });
  field("date").addEventListener("change", loadTargets);

  /* -- planning with progress ------------------------------------------------------------- */
  function planBody() {
    const num = (n) => Number(field(n).value);
    return {
      date: field("date").value, teams: num("teams"), start: field("start").value, end: field("end").value,
      depots: state.depots.length ? state.depots : ["town_government"],
      house_ids: [...state.added], max_targets: num("max_targets") || null,
      exclude_house_ids: [...state.excluded],
      pins: Object.fromEntries([...state.pins].map(([k, v]) => [String(k), v])),
      windows: Object.fromEntries([...state.windows].map(([k, v]) => [String(k), v])),
    };
  }

  async function runPlan() {
    showError("");
    const button = $("#plan-run");
    button.disabled = true;
    const box = $("#plan-progress"), bar = $("#plan-progress-bar");
    let stages = [];
    box.hidden = false;
    bar.value = 0;
    $("#plan-stage").textContent = "准备中…";
    const started = performance.now();
    const timer = setInterval(() => {
      $("#plan-elapsed").textContent = ((performance.now() - started) / 1000).toFixed(1);
    }, 100);
    document.body.dataset.planning = "1";
    try {
      const r = await fetch("/routes/plans/stream", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(planBody()),
      });
      if (!r.ok) throw new Error(detailText(await r.json().catch(() => ({})), r.status));
      const reader = r.body.getReader(), decoder = new TextDecoder();
      let buf = "", plan = null;
      const handle = (m) => {
        if (m.stages) { stages = m.stages; bar.max = stages.length; $("#plan-stage").textContent = stages[0][1] + "…"; }
        if (m.done) {
          bar.value = m.done;
          $("#plan-stage").textContent = m.done < stages.length ? stages[m.done][1] + "…" : "完成";
        }
        if (m.error) throw new Error(m.error);
        if (m.plan) plan = m.plan;
      };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) handle(JSON.parse(line));
        }
      }
      if (!plan) throw new Error("规划未完成（连接中断）");
      plan.totals.wall_s = (performance.now() - started) / 1000;
      drawPlan(plan);
      document.body.dataset.planSeconds = plan.totals.wall_s.toFixed(2);
      loadHistory();
    } catch (e) {
      showError("规划失败：" + e.message);
    } finally {
      clearInterval(timer);
      $("#plan-elapsed").textContent = ((performance.now() - started) / 1000).toFixed(1);
      button.disabled = false;
      delete document.body.dataset.planning;
    }
  }
  $("#plan-run").addEventListener("click", runPlan);

  /* -- the plan on the map and in the panel ------------------------------------------------ */
  const colourOfTeam = (team) => TEAM_COLOURS[(team - 1) % TEAM_COLOURS.length];

  function drawPlan(plan) {
    state.plan = plan;
    state.served = new Map();
    state.unassigned = new Map(plan.unassigned.map((u) => [u.house_id, u.reason_zh]));
    plan.routes.forEach((r) => r.stops.forEach((s) => {
      state.served.set(s.house_id, { team: r.team, seq: s.seq, arrival: s.arrival });
    }));
    markers.forEach((m, id) => m.setStyle(markerStyle(state.byId.get(id))));
    routeLayer.clearLayers();
    const bounds = L.latLngBounds([]);
    plan.routes.forEach((r) => {
      const colour = colourOfTeam(r.team);
      if (r.geometry) {
        const line = L.geoJSON(r.geometry, { style: { color: colour, weight: 4, opacity: 0.85 }, interactive: false });
        line.addTo(routeLayer);
        bounds.extend(line.getBounds());
      }
      r.stops.forEach((s) => {
        L.marker([s.lat, s.lon], {
          icon: L.divIcon({ className: "plan-stop-icon", html: String(s.seq), iconSize: [16, 16] }),
          zIndexOffset: 1000, bubblingMouseEvents: false,
        }).on("add", function () {
          const icon = this.getElement();
          icon.style.borderColor = colour;
          icon.dataset.house = String(s.house_id);
        })
          .bindTooltip(r.team_name + " 第" + s.seq + "站 · 到达 " + s.arrival + " · " + s.house_code)
          .on("click", () => openTarget(s.house_id)).addTo(routeLayer);
      });
    });
    plan.depots.forEach((d) => L.marker([d.lat, d.lon], {
      icon: L.divIcon({ className: "plan-depot-icon", html: "出发", iconSize: [30, 18] }), zIndexOffset: 2000,
    }).bindTooltip(d.name).addTo(routeLayer));
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });

    $("#plan-result").hidden = false;
    $("#plan-ref").textContent = plan.ref + " · " + plan.date;
    const t = plan.totals;
    $("#plan-totals").textContent = "排入 " + t.stops + " / " + t.targets + " 处，行车 " + minutes(t.driving_s) +
      " 分钟，里程 " + (t.distance_m / 1000).toFixed(1) + " 公里，未排入 " + t.unassigned + " 处" +
      (t.wall_s ? "；规划用时 " + t.wall_s.toFixed(1) + " 秒" : "");
    $("#plan-teams tbody").replaceChildren(...plan.routes.map((r) => el("tr", { "data-team": r.team },
      el("td", {}, el("span", { class: "plan-swatch", style: "background:" + colourOfTeam(r.team) }), r.team_name),
      el("td", {}, String(r.stops.length)), el("td", {}, minutes(r.driving_s) + " 分钟"),
      el("td", {}, (r.distance_m / 1000).toFixed(1) + " 公里"), el("td", {}, r.start + "–" + r.end),
      el("td", {},
        el("a", { href: "/routes/plans/" + plan.ref + "/teams/" + r.team + ".gpx", download: "" }, "GPX"), " ",
        el("a", { href: "/routes/plans/" + plan.ref + "/teams/" + r.team + ".kml", download: "" }, "KML")))));
    $("#plan-sheet").href = "/routes/plans/" + plan.ref + "/sheet";
    $("#plan-unassigned-count").textContent = String(plan.unassigned.length);
    $("#plan-unassigned ol").replaceChildren(...plan.unassigned.map((u) => el("li", {
      "data-house": u.house_id, on: { click: () => { const t = state.byId.get(u.house_id); if (t) { map.setView([t.lat, t.lon], 17); openTarget(u.house_id); } } },
    }, u.house_code + "（优先级 " + u.priority + "）：" + u.reason_zh)));
    $("#plan-publish-msg").textContent = "";
    $("#plan-published").textContent = plan.published_at ? "已发布 " + plan.published_at.slice(0, 16).replace("T", " ") : "未发布";
    drawMembers(plan, plan.members || {});
    document.body.dataset.plan = plan.ref;
  }

  /* -- publishing -------------------------------------------------------------------------- */
  let eligible = null;
  async function drawMembers(plan, current) {
    if (eligible === null) {
      try { eligible = await api("/routes/members"); } catch (e) { eligible = []; }
    }
    const teamOf = {};
    Object.entries(current).forEach(([team, names]) => names.forEach((n) => { teamOf[n] = team; }));
    const teams = plan.routes.map((r) => r.team);
    $("#plan-members tbody").replaceChildren(...eligible.map((m) => {
      const select = el("select", { name: "member", "data-user": m.username, "aria-label": "队员 " + m.username },
        el("option", { value: "" }, "不参加"),
        ...teams.map((t) => el("option", { value: String(t) }, "第" + t + "组")));
      select.value = teamOf[m.username] || "";
      return el("tr", {}, el("td", {}, m.display_name ? m.display_name + "（" + m.username + "）" : m.username),
        el("td", {}, m.role === "police" ? "派出所" : "督导组"), el("td", {}, select));
    }));
    if (!eligible.length) $("#plan-members tbody").replaceChildren(el("tr", {}, el("td", {}, "没有可选的督导组或派出所账号")));
  }
  $("#plan-publish-run").addEventListener("click", async () => {
    const plan = state.plan;
    if (!plan) return;
    const members = {};
    document.querySelectorAll("#plan-members select[name=member]").forEach((s) => {
      if (s.value) (members[s.value] = members[s.value] || []).push(s.dataset.user);
    });
    const msg = $("#plan-publish-msg");
    msg.textContent = "发布中…";
    try {
      const r = await api("/routes/plans/" + plan.ref + "/publish", { json: { members } });
      plan.published_at = r.published_at;
      plan.members = r.members;
      $("#plan-published").textContent = "已发布 " + r.published_at.slice(0, 16).replace("T", " ");
      msg.textContent = "已发布给 " + Object.keys(r.members).length + " 个组" +
        (r.teams_without_members.length ? "；未分配队员：第" + r.teams_without_members.join("、") + "组" : "") +
        (r.withdrawn.length ? "；已撤回同日方案 " + r.withdrawn.join("、") : "");
      document.body.dataset.published = plan.ref;
      loadHistory();
    } catch (e) {
      msg.textContent = "";
      showError("发布失败：" + e.message);
    }
  });

  /* -- earlier plans ----------------------------------------------------------------------- */
  async function loadHistory() {
    let rows;
    try { rows = await api("/routes/plans?limit=20"); } catch (e) { return; }
    $("#plan-history tbody").replaceChildren(...rows.map((p) => el("tr", { "data-ref": p.ref },
      el("td", {}, p.date), el("td", {}, p.ref),
      el("td", {}, (p.totals ? p.totals.stops : "?") + "/" + (p.totals ? p.totals.targets : "?")),
      el("td", {}, p.published_at ? "已发布" : "未发布"),
      el("td", {}, el("button", { type: "button", on: { click: () => openPlan(p) } }, "查看")))));
  }
  async function openPlan(p) {
    try {
      const plan = await api("/routes/plans/" + encodeURIComponent(p.ref));
      plan.published_at = p.published_at;
      plan.members = p.members;
      restoreRequest(p.request || {}, plan);
      await loadTargets();
      drawPlan(plan);
    } catch (e) {
      showError("方案加载失败：" + e.message);
    }
  }
  function restoreRequest(req, plan) {
    field("date").value = plan.date;
    field("teams").value = plan.teams;
    field("start").value = plan.shift.start;
    field("end").value = plan.shift.end;
    if (req.max_targets) field("max_targets").value = req.max_targets;
    state.depots = plan.depots.map((d) => (cfg.depots[d.key] ? d.key : d.lon.toFixed(6) + "," + d.lat.toFixed(6)));
    state.added = new Set((req.house_ids || []).map(Number));
    state.excluded = new Set((req.exclude_house_ids || []).map(Number));
    state.pins = new Map(Object.entries(req.pins || {}).map(([k, v]) => [Number(k), v]));
    state.windows = new Map(Object.entries(req.windows || {}).map(([k, v]) => [Number(k), v]));
    drawDepots();
  }

  loadTargets();
  loadHistory();
})();
