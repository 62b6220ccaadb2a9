/**
 * @module shift/report-script
 * The report's inline script: a hover or a click on an answer token shows
 * the chat model's and both base contexts' top-k tables for that position (a
 * click pins them; Escape or the × closes). Model text is only ever set with
 * `textContent`, never parsed as HTML. Plain ES2017, no dependencies.
 */

export const reportScript = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("shift-data").textContent);
  var panel = document.getElementById("details");
  var pinned = null;
  var models = [["c", "Chat model"], ["z", "Base, zero-shot"], ["u", "Base, URIAL"]];

  function quote(text) { return JSON.stringify(text); }
  function percent(p) { return p >= 0.0001 ? (p * 100).toFixed(2) + " %" : p.toExponential(2); }
  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function tokenAt(node) {
    while (node && node !== document.body) {
      if (node.classList && node.classList.contains("t")) return node;
      node = node.parentNode;
    }
    return null;
  }
  function twins(node) {
    return document.querySelectorAll('.t[data-p="' + node.getAttribute("data-p") + '"][data-i="' + node.getAttribute("data-i") + '"]');
  }
  function mark(node, className, on) {
    var list = twins(node);
    for (var index = 0; index < list.length; index += 1) list[index].classList.toggle(className, on);
  }
  function table(position, key, title) {
    var score = position[key];
    var result = element("table");
    result.setAttribute("data-model", key);
    var caption = title + ": η = " + score.r + ", p = " + percent(score.p);
    if (key !== "c") caption += ", KL = " + score.k.toFixed(3) + " nats, " + score.g;
    result.appendChild(element("caption", caption));
    var head = element("tr");
    head.appendChild(element("th", "#", "number"));
    head.appendChild(element("th", "token"));
    head.appendChild(element("th", "id", "number"));
    head.appendChild(element("th", "probability", "number"));
    result.appendChild(head);
    for (var index = 0; index < score.top.length; index += 1) {
      var entry = score.top[index];
      var row = element("tr", undefined, entry[0] === position.id ? "answer" : "");
      row.appendChild(element("td", String(index + 1), "number"));
      row.appendChild(element("td", quote(entry[1])));
      row.appendChild(element("td", String(entry[0]), "number"));
      row.appendChild(element("td", percent(entry[2]), "number"));
      result.appendChild(row);
    }
    return result;
  }
  function show(node) {
    var prompt = data.prompts[Number(node.getAttribute("data-p"))];
    var position = prompt && prompt.positions[Number(node.getAttribute("data-i"))];
    if (!position) return;
    panel.textContent = "";
    var close = element("button", "×", "close");
    close.setAttribute("aria-label", "close");
    close.addEventListener("click", function () { unpin(); panel.hidden = true; });
    panel.appendChild(close);
    panel.appendChild(element("h3", "Position " + (Number(node.getAttribute("data-i")) + 1) + " of " + quote(prompt.id) + ": " + quote(position.t) + " (id " + position.id + ")"));
    for (var index = 0; index < models.length; index += 1) panel.appendChild(table(position, models[index][0], models[index][1]));
    panel.hidden = false;
  }
  function unpin() {
    if (pinned) mark(pinned, "selected", false);
    pinned = null;
  }
  document.addEventListener("mouseover", function (event) {
    var node = tokenAt(event.target);
    if (!node) return;
    mark(node, "twin", true);
    if (!pinned) show(node);
  });
  document.addEventListener("mouseout", function (event) {
    var node = tokenAt(event.target);
    if (node) mark(node, "twin", false);
  });
  document.addEventListener("click", function (event) {
    var node = tokenAt(event.target);
    if (!node) return;
    var same = pinned && pinned.getAttribute("data-p") === node.getAttribute("data-p") && pinned.getAttribute("data-i") === node.getAttribute("data-i");
    unpin();
    if (same) return;
    pinned = node;
    mark(node, "selected", true);
    show(node);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { unpin(); panel.hidden = true; return; }
    if (event.key === "Enter") {
      var node = tokenAt(document.activeElement);
      if (node) node.click();
    }
  });
})();
`;
