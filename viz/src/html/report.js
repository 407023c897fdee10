// logprof report: zoom and pan of the SVG pictures (charts, the work
// profile), their tooltips, sortable tables. The canvas timeline is
// timeline.js. Written for this page alone; no library, no network. The
// pictures are drawn at a fixed width, so zooming only changes which part of
// the x axis each SVG's viewBox shows; text is scaled back so it keeps its
// shape.
(function () {
  "use strict";

  var MAX_ZOOM = 2000;

  function zoomable(svg) {
    var box = svg.viewBox.baseVal;
    // A drawing without a viewBox (a chart from elsewhere) stays as it is.
    if (!box || !(box.width > 0)) {
      return function () { return null; };
    }
    var full = { x: box.x, y: box.y, w: box.width, h: box.height };
    var view = { x: full.x, w: full.w };
    var texts = svg.querySelectorAll("text");
    svg.setAttribute("preserveAspectRatio", "none");

    function apply() {
      svg.setAttribute("viewBox", [view.x, full.y, view.w, full.h].join(" "));
      var k = view.w / full.w;
      for (var i = 0; i < texts.length; i++) {
        var t = texts[i];
        var xs = t.x.baseVal;
        var x = xs.numberOfItems ? xs.getItem(0).value : 0;
        if (k === 1) {
          t.removeAttribute("transform");
        } else {
          t.setAttribute("transform",
            "translate(" + x + " 0) scale(" + k + " 1) translate(" + -x + " 0)");
        }
      }
    }

    // Keeps the view inside the picture and no narrower than MAX_ZOOM allows.
    function set(x, w) {
      w = Math.min(full.w, Math.max(full.w / MAX_ZOOM, w));
      view.w = w;
      view.x = Math.min(full.x + full.w - w, Math.max(full.x, x));
      apply();
    }

    // The share of the picture's width at the pointer, 0 at its left edge.
    function share(clientX) {
      var r = svg.getBoundingClientRect();
      return r.width > 0 ? (clientX - r.left) / r.width : 0.5;
    }

    function zoomAt(at, factor) {
      var x = view.x + at * view.w;
      var w = view.w * factor;
      set(x - at * w, w);
    }

    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      zoomAt(share(e.clientX), Math.exp(e.deltaY * 0.002));
    }, { passive: false });

    var drag = null;
    svg.addEventListener("pointerdown", function (e) {
      drag = { clientX: e.clientX, x: view.x };
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      if (r.width > 0) set(drag.x - (e.clientX - drag.clientX) / r.width * view.w, view.w);
    });
    svg.addEventListener("pointerup", function () { drag = null; });
    svg.addEventListener("dblclick", function () { set(full.x, full.w); });

    // The keys of Perfetto: W/S zoom, A/D pan; 0 shows everything.
    svg.addEventListener("keydown", function (e) {
      var key = e.key.toLowerCase();
      if (key === "w" || key === "+") zoomAt(0.5, 0.8);
      else if (key === "s" || key === "-") zoomAt(0.5, 1.25);
      else if (key === "a" || key === "arrowleft") set(view.x - view.w * 0.1, view.w);
      else if (key === "d" || key === "arrowright") set(view.x + view.w * 0.1, view.w);
      else if (key === "0") set(full.x, full.w);
      else return;
      e.preventDefault();
    });

    return function () {
      return { x: view.x, width: view.w, full_width: full.w };
    };
  }

  // A span's <title> shown at once beside the pointer (the browser's own
  // tooltip comes late and cannot be copied).
  function tooltips(tip) {
    document.addEventListener("pointermove", function (e) {
      // The canvas timeline shows its own tooltips.
      if (e.target.closest && e.target.closest(".canvas-timeline")) return;
      // The nearest element under the pointer that has a <title> of its own.
      var title = null;
      for (var node = e.target; node && node.nodeType === 1 && node.nodeName !== "svg"; node = node.parentNode) {
        var child = node.firstElementChild;
        if (child && child.nodeName === "title") { title = child; break; }
      }
      if (!title) {
        tip.hidden = true;
        return;
      }
      tip.textContent = title.textContent;
      tip.style.left = e.pageX + 14 + "px";
      tip.style.top = e.pageY + 14 + "px";
      tip.hidden = false;
    });
  }

  // Sorts a table by a column on a click (or Enter) on its heading: numbers
  // by their exact value, text as text; a second click reverses.
  function sortable(table) {
    var heads = table.querySelectorAll("th");
    heads.forEach(function (th, column) {
      function sort() {
        var up = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column], y = b.cells[column];
          var nx = parseFloat(x.dataset.sort), ny = parseFloat(y.dataset.sort);
          var order = !isNaN(nx) && !isNaN(ny) ? nx - ny
            : x.textContent.localeCompare(y.textContent);
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  }

  var views = [];
  document.querySelectorAll("svg.zoomable").forEach(function (svg) {
    views.push(zoomable(svg));
  });
  document.querySelectorAll("table.sortable").forEach(sortable);
  var tip = document.getElementById("tip");
  if (tip) tooltips(tip);
  // For tests and the console: each picture's visible part (timeline.js
  // adds the timeline's figures to the same object).
  var report = window.logprofReport = window.logprofReport || {};
  report.pictures = function () { return views.map(function (v) { return v(); }); };
})();
