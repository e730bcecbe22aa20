/* Popups: a house (its record and hazards), a hazard's lifecycle, a unit's 附件1 score. */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var esc = function (s) { return QZF.escape(s); };
  var STATUS = { open: "在期未整改", overdue: "逾期未整改", rectified: "已整改" };
  var KIND = { village: "村", community: "社区", department: "部门" };

  function yes(v, t, f) { return v === null || v === undefined ? "未检查" : v ? t : f; }
  function row(k, v) { return "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>"; }

  /** 发现 → 流转 → 整改期限 → 整改 → 复核, as it stood on the as-of day: the state (status, days
   *  overdue) is the server's, read from the database's one definition. */
  function lifecycle(h) {
    var st = h.status;
    var late = st === "overdue" ? "（逾期 " + h.days_overdue + " 天）" : "";
    var transferred = h.posted_on_wall && h.entered_in_system;
    var steps = [
      ["发现", h.found_on],
      ["流转", h.transferred_on ? h.transferred_on + (h.department ? " → " + esc(h.department) : "")
        : (transferred ? "已上墙并录入系统" : "未流转（" + (h.posted_on_wall ? "" : "未上墙 ") +
          (h.entered_in_system ? "" : "未录入系统") + "）")],
      ["整改期限", h.due_on],
      ["整改", h.rectified_on || "—"],
      ["复核", h.verified_on || "—"]
    ];
    return '<div class="qzf-hazard qzf-' + st + '"><b>' + esc(h.hazard_code) + " " +
      esc(h.category_zh) + "</b> <span class=\"qzf-badge\">" + (h.severity === "major" ? "重大" : "一般") +
      "</span> <span class=\"qzf-st\">" + STATUS[st] + late + "</span><ol class=\"qzf-steps\">" +
      steps.map(function (s) { return "<li><span>" + s[0] + "</span> " + s[1] + "</li>"; }).join("") +
      "</ol></div>";
  }

  var OUTCOME = { rectified: "已整改", still_open: "未整改", new_hazard: "新发现隐患",
    checked: "已走访", no_access: "无人", refused: "拒绝入户", not_found: "查无此房" };

  /** 回头看走访: who visited, when, what they found, the photos (by checksum). */
  function visitsHtml(visits) {
    if (!visits || !visits.length) return "";
    return "<h5>回头看走访（" + visits.length + " 次）</h5><ul class=\"qzf-visits\">" +
      visits.map(function (v) {
        var found = v.outcomes.map(function (o, i) {
          return OUTCOME[o] + (v.hazard_codes[i] ? " " + esc(v.hazard_codes[i]) : "");
        }).join("、");
        var photos = (v.photos || []).filter(function (p) { return /^sha256:[0-9a-f]{64}$/.test(p); })
          .map(function (p) {
            var url = "/routes/photos/" + p.slice(7);
            return '<a href="' + url + '" target="_blank" rel="noopener"><img class="qzf-visit-photo" src="' +
              url + '" alt="走访照片"></a>';
          }).join("");
        return "<li><b>" + esc(v.visited) + "</b> " + esc(v.recorded_by || "") +
          (v.team ? "（" + esc(v.team) + "）" : "") + "：" + found + (v.notes ? "；" + esc(v.notes) : "") +
          (photos ? "<div>" + photos + "</div>" : "") + "</li>";
      }).join("") + "</ul>";
  }

  function houseHtml(d, only) {
    var asOf = QZF.state.filters.as_of || QZF.cfg.today;
    var cctv = yes(d.cctv_installed, "已安装", "未安装") +
      (d.cctv_retention_days ? "，保存 " + d.cctv_retention_days + " 天" : "") +
      (d.cctv_required ? "（按规定须安装）" : "") +
      (d.cctv_violation ? ' <span class="qzf-warn">不符合要求</span>' : "");
    var kit = ["has_smoke_masks", "has_torches", "has_extinguishers"].map(function (k, i) {
      return ["防烟面罩", "手电筒", "灭火器"][i] + yes(d[k], "✓", "✗");
    }).join(" ");
    var areas = (d.key_areas || []).map(function (k) { return QZF.cfg.keyAreaZh[k]; }).join("、");
    var hazards = d.hazards.filter(function (h) { return !only || only.indexOf(h.id) >= 0; });
    return '<div class="qzf-popup qzf-house-popup"><h4>群租房 ' + esc(d.house_code) + "</h4><table>" +
      row("地址", esc(d.address)) + row("所属单位", esc(d.unit_name)) +
      row("出租人", esc(d.landlord_name) + (d.landlord_phone ? " " + esc(d.landlord_phone) : "")) +
      (d.has_second_landlord ? row("二房东", esc(d.second_landlord_name || "") + " " +
        yes(d.second_landlord_registered, "已登记", "未登记")) : "") +
      row("居室/床位/租住", d.rooms + " 间 / " + d.beds + " 张 / " + d.tenants + " 人（已登记 " +
        d.registered_tenants + "）") +
      row("房屋登记", d.is_registered ? "已登记" : "未登记") +
      row("视频监控", cctv) + row("治安责任保证书", d.pledge_signed ? "已签订" : "未签订") +
      row("消防器材", kit) + (areas ? row("重点区域", esc(areas)) : "") +
      (d.is_self_built ? row("房屋类型", "农村自建房") : "") +
      row("最近检查", esc(d.last_inspected_on || "—")) + "</table>" +
      "<h5>隐患（截至 " + asOf + "，" + hazards.length + " 处）</h5>" +
      (hazards.map(lifecycle).join("") || "<p>无</p>") +
      visitsHtml(d.visits) + "</div>";
  }

  /** Fetch a house and open its popup on `layer` (or at `latlng`); `only` limits the hazards. */
  QZF.openHouse = function (id, layer, latlng, only) {
    var url = QZF.cfg.sources.house.replace("{id}", id) + "?" + QZF.query();
    return QZF.fetchJSON(url).then(function (d) {
      var html = houseHtml(d, only);
      if (layer && layer.bindPopup) {
        layer.bindPopup(html, QZF.popupOptions(360, 420)).openPopup(latlng);
      } else {
        L.popup(QZF.popupOptions(360, 420)).setLatLng(latlng).setContent(html).openOn(QZF.map);
      }
    });
  };

  function scoreHtml(unit, score) {
    var head = '<div class="qzf-popup qzf-unit-popup"><h4>' + esc(unit.name) + " <small>" +
      esc(KIND[unit.kind] || "") + "</small></h4>";
    if (!score) return head + "<p class=\"qzf-muted\">附件1 评分暂不可用</p></div>";
    var rows = (score.sections || []).map(function (s) {
      var items = (s.items || []).filter(function (i) { return i.amount > 0; }).map(function (i) {
        return "<li>" + esc(i.label_zh) + " ×" + (+i.count).toFixed(i.count % 1 ? 1 : 0) + " −" +
          (+i.amount).toFixed(1) + "</li>";
      }).join("");
      return "<tr><th>" + esc(s.label_zh) + "</th><td>" + (+s.score).toFixed(1) + " / " + s.points +
        (items ? "<ul>" + items + "</ul>" : "") + "</td></tr>";
    }).join("");
    return head + "<p>附件1 得分 <b class=\"qzf-score\">" + (+score.total).toFixed(1) + "</b>" +
      (score.rank ? "（第 " + score.rank + " 名）" : "") + "</p><table>" + rows + "</table></div>";
  }

  /** A unit's popup: its 附件1 score with the deductions (from the scores API when served). */
  QZF.openUnit = function (unit, latlng) {
    var show = function (score) {
      L.popup(QZF.popupOptions(380, 420)).setLatLng(latlng)
        .setContent(scoreHtml(unit, score)).openOn(QZF.map);
    };
    if (!QZF.cfg.sources.scores) return show(null);
    return QZF.scores(QZF.state.filters.as_of).then(function (s) {
      show(s.byId[unit.id] || s.byName[unit.name] || null);
    }).catch(function () { show(null); });
  };

  QZF.incidentHtml = function (p) {
    return '<div class="qzf-popup"><h4>警情 ' + esc(p.code || p.incident_code) + "</h4><table>" +
      row("类别", esc(p.category)) + row("时间", esc(p.occurred_at)) +
      row("地址", esc(p.address || "")) + "</table></div>";
  };
})();
