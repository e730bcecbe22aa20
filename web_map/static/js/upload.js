/* 上报数据: choose or drop files, POST /imports, follow the job's progress, show the result.
   The server answers a small upload with its result (200) and a large one with its job (202),
   whose progress GET /imports/{id} returns until it is done. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var input = document.getElementById("files");
  var drop = document.getElementById("drop");
  var chosen = document.getElementById("chosen");
  var submit = document.getElementById("submit");
  var progress = document.getElementById("progress");
  var bar = document.getElementById("bar");
  var errorBox = document.getElementById("error");
  var result = document.getElementById("result");
  var SHOWN_REJECTIONS = 500;
  var COUNTS = [["rows", "行数"], ["inserted", "新增"], ["updated", "更新"], ["unchanged", "未变"],
                ["deleted", "删除"], ["rejected", "拒绝"]];

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function showChosen() {
    chosen.textContent = "";
    Array.prototype.forEach.call(input.files, function (f) {
      chosen.appendChild(el("li", { text: f.name + "（" + (f.size / 1024).toFixed(1) + " KB）" }));
    });
  }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    progress.hidden = true;
    submit.disabled = false;
  }

  function detail(body) {
    if (!body || !body.detail) return "上报失败，请稍后重试";
    if (typeof body.detail === "string") return body.detail;
    return body.detail.map(function (d) { return d.msg; }).join("；");
  }

  function setProgress(job) {
    progress.hidden = false;
    bar.value = job.percent || 0;
    document.getElementById("percent").textContent = Math.round(job.percent || 0) + "%";
    document.getElementById("stage").textContent = job.stage || "";
  }

  function answer(response) {
    if (response.status === 401) { location.href = "/login?next=/upload"; return null; }
    return response.json().then(function (body) {
      if (response.status === 200) return body;
      if (response.status === 202) { setProgress(body); return poll(body.id); }
      throw new Error(detail(body));
    });
  }

  function poll(id) {
    return new Promise(function (resolve, reject) {
      function again() {
        fetch("/imports/" + id, { headers: { Accept: "application/json" } })
          .then(function (r) {
            if (!r.ok) return r.json().then(function (b) { throw new Error(detail(b)); });
            return r.json();
          })
          .then(function (job) {
            setProgress(job);
            if (job.status === "done" || job.status === "failed") resolve(job);
            else setTimeout(again, 700);
          })
          .catch(reject);
      }
      again();
    });
  }

  function countsTable(f) {
    var shown = COUNTS.filter(function (c) {
      return c[0] !== "deleted" || f.sheets.some(function (s) { return s.deleted; });
    });
    var head = el("tr", {}, [el("th", { text: "工作表/图层" })].concat(shown.map(function (c) {
      return el("th", { class: "num", text: c[1] });
    })));
    var rows = f.sheets.map(function (s) {
      return el("tr", { "data-sheet": s.name }, [el("td", { text: s.name })].concat(
        shown.map(function (c) {
          var v = s[c[0]];
          var written = f.written || c[0] === "rows" || c[0] === "rejected";
          return el("td", { class: "num", "data-count": c[0], text: written ? v : "—" });
        })));
    });
    return el("table", { class: "grid counts" }, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }

  function rejectionsTable(f) {
    var head = el("tr", {}, ["工作表", "行号", "列", "值", "原因"].map(function (h) {
      return el("th", { text: h });
    }));
    var rows = f.rejections.slice(0, SHOWN_REJECTIONS).map(function (r) {
      return el("tr", { class: "refused" }, [
        el("td", { text: r.sheet }), el("td", { class: "num", text: r.row }),
        el("td", { text: r.column }), el("td", { text: r.value }),
        el("td", { text: r.reason_zh, title: r.reason_en })]);
    });
    return el("div", { class: "scroll" }, [
      el("table", { class: "grid rejections" }, [el("thead", {}, [head]), el("tbody", {}, rows)])]);
  }

  function fileCard(f) {
    var card = el("section", { class: "card file-result " + f.outcome, "data-file": f.file }, [
      el("h3", {}, [document.createTextNode(f.file + " "),
                    el("span", { class: "badge " + f.outcome, text: f.outcome_zh })]),
      el("p", { class: "message", text: f.message })]);
    (f.warnings || []).forEach(function (w) {
      var hint = /GCJ02|BD09/.test(w) ? " 可在上方“坐标系”中选择后重新上报。" : "";
      card.appendChild(el("div", { class: "msg warn gcj", text: "警告：" + w + hint }));
    });
    if (f.sheets && f.sheets.length) card.appendChild(countsTable(f));
    var placed = Object.keys(f.geocoded || {}).map(function (k) {
      return f.geocoded[k].zh + " " + f.geocoded[k].count;
    });
    if (placed.length) card.appendChild(el("p", { class: "small muted", text: "定位方式：" + placed.join("，") }));
    if (f.rejections && f.rejections.length) {
      card.appendChild(el("h3", { text: "被拒绝的行（" + f.rejected_rows + " 行，" + f.rejections.length + " 处）" }));
      if (f.report_url) {
        card.appendChild(el("p", {}, [el("a", { href: f.report_url, class: "report", download: "",
                                               text: "下载错误报告（Excel）" })]));
      }
      card.appendChild(rejectionsTable(f));
      if (f.rejections.length > SHOWN_REJECTIONS) {
        card.appendChild(el("p", { class: "small muted",
          text: "只显示前 " + SHOWN_REJECTIONS + " 处，完整列表见错误报告。" }));
      }
    }
    if (f.notes && f.notes.length) {
      card.appendChild(el("details", {}, [el("summary", { class: "small", text: "说明" })].concat(
        f.notes.map(function (n) { return el("div", { class: "small muted", text: n }); }))));
    }
    if (f.sha256) {
      card.appendChild(el("p", { class: "small muted mono", text: "SHA-256 " + f.sha256 }));
    }
    return card;
  }

  function when(iso) { // as the town reads its clocks
    return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  }

  function show(job) {
    progress.hidden = true;
    submit.disabled = false;
    result.textContent = "";
    var head = el("div", { class: "card", id: "job", "data-status": job.status }, [
      el("h2", { text: "上报结果 #" + job.id }),
      el("p", { class: "small muted", text: job.username + " · " + when(job.created_at) +
               (job.effective ? " · 台账日期 " + job.effective : "") +
               (job.accept_valid ? " · 只导入正确的行" : " · 严格模式（有错误则整个文件不导入）") })]);
    if (job.error) head.appendChild(el("div", { class: "msg error", text: job.error }));
    result.appendChild(head);
    job.files.forEach(function (f) { result.appendChild(fileCard(f)); });
  }

  input.addEventListener("change", showChosen);
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      showChosen();
    }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!input.files.length) { fail("请先选择要上报的文件"); return; }
    errorBox.hidden = true;
    result.textContent = "";
    submit.disabled = true;
    setProgress({ percent: 0, stage: "上传中 uploading" });
    fetch("/imports", { method: "POST", body: new FormData(form),
                        headers: { Accept: "application/json" } })
      .then(answer)
      .then(function (job) { if (job) show(job); })
      .catch(function (err) { fail(err.message || String(err)); });
  });

  var asked = /[?&]job=(\d+)/.exec(location.search);
  if (asked) {
    fetch("/imports/" + asked[1], { headers: { Accept: "application/json" } })
      .then(answer)
      .then(function (job) {
        if (!job) return;
        if (job.status === "done" || job.status === "failed") show(job);
        else { setProgress(job); poll(job.id).then(show); }
      })
      .catch(function (err) { fail(err.message || String(err)); });
  }
})();
