// The classification preview while typing: a debounced, same-origin POST with the session's
// CSRF token. Without JavaScript the "Bekijk de indeling" button does the same with a reload.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  var question = document.getElementById("question");
  var body = document.getElementById("preview-body");
  if (!form || !question || !body) return;
  document.documentElement.classList.add("js");
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var last = "";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function show(data) {
    body.replaceChildren();
    if (data.urgent) {
      var alert = el("div", "alert alert-urgent");
      alert.setAttribute("role", "alert");
      var p = el("p");
      p.appendChild(el("strong", "", "Let op: dit kan een noodsituatie zijn."));
      alert.appendChild(p);
      var list = el("ul");
      data.guidance.forEach(function (g) { list.appendChild(el("li", "", g)); });
      alert.appendChild(list);
      body.appendChild(alert);
    }
    if (data.domains.length) {
      var ul = el("ul", "domains");
      data.domains.forEach(function (d) {
        var li = el("li");
        li.appendChild(el("span", "tag tag-" + d.domain, d.label));
        if (d.evidence.length) li.appendChild(el("span", "evidence", " door: " + d.evidence.join(", ")));
        ul.appendChild(li);
      });
      body.appendChild(ul);
    } else {
      body.appendChild(el("p", "", "Nog niets herkend. Schrijf iets meer op, of sla de vraag op: de wijkwinkel kijkt er dan naar."));
    }
  }

  function update() {
    var text = question.value.trim();
    if (text === last) return;
    last = text;
    if (!text) {
      body.replaceChildren(el("p", "hint", "Dit verschijnt terwijl u typt."));
      return;
    }
    fetch("/intake/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ text: text.slice(0, 5000) })
    }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) {
      if (data && question.value.trim() === text) show(data);
    }).catch(function () { /* the preview is a help, not a must: saving still works */ });
  }

  question.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
  if (question.value.trim()) update();
})();
