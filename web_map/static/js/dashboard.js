/* The leaders' panel: open / overdue / major counts with the change since last month, and the
 * ranking of units by their 附件1 score (when the scores API is served). */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var esc = function (s) { return QZF.escape(s); };
  var ROWS = [["houses", "群租房"], ["found", "发现隐患"], ["open", "未整改"],
              ["overdue", "逾期未整改"], ["major_open", "重大隐患未整改"], ["rectified", "已整改"]];
  // Higher is worse for these counts: a rise is shown in red.
  var WORSE_UP = { open: true, overdue: true, major_open: true };

  function delta(now, before, worseUp) {
    var d = now - before;
    if (!d) return '<span class="qzf-muted">±0</span>';
    var bad = worseUp ? d > 0 : d < 0;
    return '<span class="' + (bad ? "qzf-up-bad" : "qzf-up-good") + '">' + (d > 0 ? "▲" : "▼") +
      Math.abs(d) + "</span>";
  }

  /** Scores on a day, normalised: {list: [{id, name, total, rank}], byId, byName}. */
  QZF.scores = function (asOf) {
    var url = QZF.cfg.sources.scores + (asOf ? "?as_of=" + asOf : "");
    return QZF.fetchJSON(url, true).then(function (body) {
      var list = Array.isArray(body) ? body : (body.units || body.scores || []);
      var out = { list: list, byId: {}, byName: {} };
      list.forEach(function (u) {
        if (u.unit_id !== undefined) out.byId[u.unit_id] = u;
        if (u.id !== undefined) out.byId[u.id] = u;
        out.byName[u.unit_name || u.name || u.unit] = u;
      });
      return out;
    });
  };

  function nameOf(u) { return u.unit_name || u.name || u.unit; }

  function ranking(now, before) {
    var prev = before ? before.byName : {};
    var rows = now.list.slice().sort(function (a, b) { return b.total - a.total; })
      .map(function (u, i) {
        var p = prev[nameOf(u)];
        var change = p ? delta(Math.round((u.total - p.total) * 10) / 10, 0, false) : "";
        return "<tr><td>" + (u.rank || i + 1) + "</td><td>" + esc(nameOf(u)) + "</td><td>" +
          (+u.total).toFixed(1) + "</td><td>" + change + "</td></tr>";
      });
    return '<table class="qzf-table"><tr><th>名次</th><th>单位</th><th>得分</th><th>较上月</th></tr>' +
      rows.join("") + "</table>";
  }

  QZF.refreshDashboard = function () {
    var counts = document.getElementById("qzf-counts");
    if (!counts) return;
    QZF.fetchJSON(QZF.sourceUrl("summary"), true).then(function (s) {
      document.getElementById("qzf-as-of").textContent =
        "截至 " + s.as_of + "，较 " + s.month_before.as_of;
      counts.innerHTML = ROWS.map(function (r) {
        return "<tr><th>" + r[1] + "</th><td>" + s.now[r[0]] + "</td><td>" +
          delta(s.now[r[0]], s.month_before[r[0]], WORSE_UP[r[0]]) + "</td></tr>";
      }).join("");
    }).catch(function () {});
    refreshRisk();
    var box = document.getElementById("qzf-ranking");
    if (!QZF.cfg.sources.scores) {
      box.innerHTML = '<span class="qzf-muted">附件1 评分服务未启用</span>';
      return;
    }
    var asOf = QZF.state.filters.as_of || QZF.cfg.today;
    var d = new Date(asOf + "T00:00:00");
    var prevDay = new Date(d.getFullYear(), d.getMonth() - 1, Math.min(d.getDate(),
      new Date(d.getFullYear(), d.getMonth(), 0).getDate()));
    var prevIso = prevDay.getFullYear() + "-" + String(prevDay.getMonth() + 1).padStart(2, "0") +
      "-" + String(prevDay.getDate()).padStart(2, "0");
    Promise.all([QZF.scores(asOf), QZF.scores(prevIso).catch(function () { return null; })])
      .then(function (r) { box.innerHTML = ranking(r[0], r[1]); })
      .catch(function () { box.innerHTML = '<span class="qzf-muted">评分加载失败</span>'; });
  };

  /** When the ranking was computed, in the town's time zone ("2026-11-15 08:30"). */
  function computedAt(iso) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: QZF.cfg.timezone || "Asia/Shanghai", hourCycle: "h23", year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"
    }).formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  /* 风险排序: the top houses of the maintained ranking (or computed live for another day), with
   * when it was computed and whether data changed since (being refreshed). */
  function refreshRisk() {
    var box = document.getElementById("qzf-risk");
    var note = document.getElementById("qzf-risk-computed");
    if (!box) return;
    var url = QZF.sourceUrl("risk");
    if (!url) {
      box.innerHTML = '<span class="qzf-muted">风险排序服务未启用</span>';
      return;
    }
    QZF.fetchJSON(url, true).then(function (r) {
      // The learned model scores a probability of finding a hazard; the weights, points.
      var learned = r.method && r.method.code === "model";
      box.innerHTML = '<table class="qzf-table"><tr><th>名次</th><th>房屋</th><th>单位</th>' +
        "<th>" + (learned ? "发现隐患概率" : "风险分") + "</th></tr>" +
        r.houses.map(function (h) {
          var score = learned ? (100 * h.score).toFixed(1) + "%" : (+h.score).toFixed(1);
          return "<tr><td>" + h.rank + "</td><td>" + esc(h.house_code) + "</td><td>" +
            esc(h.unit) + "</td><td>" + score + "</td></tr>";
        }).join("") + "</table>";
      note.textContent = "风险排名计算于 " + computedAt(r.computed_at) +
        (r.stale ? "（数据已更新，正在重新计算）" : "") + (r.maintained ? "" : "（即时计算）") +
        (r.method ? "；方法：" + r.method.label_zh : "");
      note.title = r.method ? r.method.reason_zh : "";
    }).catch(function () {
      box.innerHTML = '<span class="qzf-muted">风险排序不可用</span>';
      note.textContent = "";
    });
  }

  QZF.initDashboard = function () {
    var toggle = document.getElementById("qzf-dashboard-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var body = document.getElementById("qzf-dashboard-body");
        body.hidden = !body.hidden;
        toggle.textContent = body.hidden ? "+" : "–";
      });
    }
    QZF.refreshDashboard();
  };
})();
