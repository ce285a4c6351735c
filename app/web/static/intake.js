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

  var proposal = document.getElementById("proposal");
  var confirmBox = document.getElementById("confirm-box");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=domains]"));
  // Once the person ticks or unticks a domain, the choice is theirs: a new proposal no longer
  // changes the ticks (it still updates the evidence shown, and what counts as seen).
  var touched = false;
  boxes.forEach(function (box) {
    box.addEventListener("change", function () { touched = true; });
  });

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
    if (data.low_confidence) {
      body.appendChild(el("p", "hint", "Het voorstel is onzeker: kijk extra goed of het klopt."));
    }
    if (!data.domains.length) {
      body.appendChild(el("p", "", "Nog niets herkend. Schrijf iets meer op, of kies hieronder zelf."));
    }
    var proposed = {};
    data.domains.forEach(function (d) { proposed[d.domain] = d.evidence; });
    boxes.forEach(function (box) {
      var evidence = document.getElementById("evidence-" + box.value);
      var words = proposed[box.value];
      evidence.textContent = words && words.length ? "voorgesteld door: " + words.join(", ") : "";
      if (!touched) box.checked = Object.prototype.hasOwnProperty.call(proposed, box.value);
    });
    if (proposal) proposal.value = Object.keys(proposed).sort().join(",");
    if (confirmBox) confirmBox.hidden = !(data.urgent || data.low_confidence);
  }

  function update() {
    var text = question.value.trim();
    if (text === last) return;
    last = text;
    if (!text) {
      body.replaceChildren(el("p", "hint", "Het voorstel verschijnt terwijl u typt."));
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
