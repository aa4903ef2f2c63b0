// The network explorer: draws the graph data embedded in the page (a JSON block, never run as script)
// with vis-network, and wires up search, the side panel, the physics switch and the table's buttons.
// A node found or picked is highlighted with its neighbours (the rest dimmed). Every word shown comes from
// the page (the JSON block "explorer-words", in the reader's language). No HTML is ever built from data:
// names go in with textContent.
//
// Labels are drawn by this script, not by vis-network (which draws every label and lets them pile up): at
// each frame, the labels are placed in order of importance (the node dragged, selected, hovered, the one
// the view is about, a highlighted node's neighbours, then the rest by their connections or people), and
// a label is drawn only if its box does not touch one already drawn. So labels never overlap, the hubs
// keep theirs, zooming in makes room for more, and a still picture keeps the same labels. A label is never
// drawn smaller than it can be read; a node whose label is left out has it in its hover text, and shows it
// when selected or hovered.
(function () {
  "use strict";
  var dataEl = document.getElementById("graph-data");
  var container = document.getElementById("network");
  if (!dataEl || !container || typeof vis === "undefined") {
    return;
  }
  var started = performance.now();
  var data = JSON.parse(dataEl.textContent);
  var wordsEl = document.getElementById("explorer-words");
  var words = wordsEl ? JSON.parse(wordsEl.textContent) : {};

  function say(key, values) {
    var text = words[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  // vis-network gets the nodes without their labels (this script draws them, see below).
  var labelOf = {};
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var copy = Object.assign({}, n);
    var text = typeof n.label === "string" && n.label.trim() ? n.label : n.name;
    labelOf[n.id] = String(text || "");
    delete copy.label;
    return copy;
  }));
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.graphappNetwork = network;
  var subject = data.nodes.filter(function (n) { return n.subject; }).map(function (n) { return n.id; })[0];

  // Labels that never overlap. Sizes follow the drawing's options (nodes.scaling): a node's label grows
  // with its value (connections, or people in a group) and with the zoom, up to maxVisible pixels, and is
  // never drawn smaller than READABLE pixels (a smaller label is not read, only seen as clutter).
  var scaling = (data.options.nodes && data.options.nodes.scaling) || {};
  var fontScaling = scaling.label || {};
  var NODE_MIN = scaling.min || 8;
  var NODE_MAX = scaling.max || 40;
  var FONT_MIN = fontScaling.min || 10;
  var FONT_MAX = fontScaling.max || 22;
  var MAX_PX = fontScaling.maxVisible || 20;
  var font = (data.options.nodes && data.options.nodes.font) || {};
  var READABLE = 11;
  var FACE = font.face || "arial";
  var INK = font.color || "#1a1a1a";
  var HALO_COLOUR = font.strokeColor || "#ffffff";
  var HALO = (font.strokeWidth || 4) / 2; // the halo around the letters, each side (a label reads over links)
  var GAP = 3; // room kept free between two labels
  var CELL = 64; // the grid the placed labels are filed in, to find the ones near a new label quickly
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var values = data.nodes.map(function (n) { return typeof n.value === "number" ? n.value : 0; });
  var lowest = values.reduce(function (a, b) { return Math.min(a, b); }, Infinity);
  var highest = values.reduce(function (a, b) { return Math.max(a, b); }, -Infinity);
  function share(n) {
    // vis-network's own scaling: where a node's value sits between the lowest and the highest.
    var value = typeof n.value === "number" ? n.value : 0;
    return highest === lowest ? 0.5 : Math.max(0, (value - lowest) / (highest - lowest));
  }
  // The order labels are offered a place in: most people or connections first, things before people.
  var ranked = data.nodes.map(function (n) { return n.id; }).sort(function (a, b) {
    var A = byId[a];
    var B = byId[b];
    return (B.value || 0) - (A.value || 0)
      || (A.kind === "Member" ? 1 : 0) - (B.kind === "Member" ? 1 : 0)
      || String(A.name).localeCompare(String(B.name))
      || (a < b ? -1 : a > b ? 1 : 0);
  });
  var meter = document.createElement("canvas").getContext("2d");
  var widths = {}; // a label's width at 100 px, measured once
  function widthAt100(id) {
    if (!(id in widths)) {
      meter.font = "100px " + FACE;
      widths[id] = meter.measureText(labelOf[id]).width;
    }
    return widths[id];
  }
  var sizes = {}; // a label's font and its node's radius, in drawing units
  data.nodes.forEach(function (n) {
    var k = share(n);
    sizes[n.id] = { font: FONT_MIN + k * (FONT_MAX - FONT_MIN), radius: NODE_MIN + k * (NODE_MAX - NODE_MIN) };
  });
  var labels = { near: null, hovered: null, dragged: [], drawn: [] };

  function placeLabels(canvas) {
    var scale = network.getScale();
    var origin = network.canvasToDOM({ x: 0, y: 0 });
    var wide = canvas.clientWidth;
    var high = canvas.clientHeight;
    var positions = network.getPositions();
    var grid = {};
    var drawn = [];
    var seen = {};
    function cells(box, each) {
      for (var i = Math.floor((box.left - GAP) / CELL); i <= Math.floor((box.right + GAP) / CELL); i++) {
        for (var j = Math.floor((box.top - GAP) / CELL); j <= Math.floor((box.bottom + GAP) / CELL); j++) {
          if (each(i * 4096 + j) === false) {
            return false;
          }
        }
      }
      return true;
    }
    function free(box) {
      return cells(box, function (key) {
        return !(grid[key] || []).some(function (o) {
          return box.left < o.right + GAP && o.left < box.right + GAP
            && box.top < o.bottom + GAP && o.top < box.bottom + GAP;
        });
      });
    }
    function offer(id, always) {
      if (seen[id]) {
        return;
      }
      seen[id] = true;
      var at = positions[id];
      if (!at || !labelOf[id]) {
        return;
      }
      var size = sizes[id];
      var x = origin.x + at.x * scale;
      var y = origin.y + (at.y + size.radius) * scale + 3;
      if (always !== true && (x < 0 || x > wide || y < 0 || y > high)) {
        return; // (a node out of sight: its label would not be inside the drawing either)
      }
      var px = Math.min(MAX_PX, Math.max(size.font * scale, READABLE + (size.font - FONT_MIN) * 0.4));
      var width = (widthAt100(id) * px) / 100;
      if (always === true) {
        // A label that must be read (the node dragged, selected or hovered) is kept inside the drawing.
        x = Math.max(width / 2 + HALO, Math.min(wide - width / 2 - HALO, x));
      }
      var box = { left: x - width / 2 - HALO, right: x + width / 2 + HALO, top: y - HALO, bottom: y + 1.2 * px + HALO };
      var inside = box.left >= 0 && box.right <= wide && box.top >= 0 && box.bottom <= high;
      var seenAtAll = box.right > 0 && box.left < wide && box.bottom > 0 && box.top < high;
      if (!(always === true ? seenAtAll : inside) || !free(box)) {
        return;
      }
      cells(box, function (key) { (grid[key] = grid[key] || []).push(box); });
      drawn.push({ id: id, text: labelOf[id], px: px, x: x, y: y, box: box, dim: labels.near && !labels.near[id] });
    }
    labels.dragged.concat(network.getSelectedNodes(), labels.hovered === null ? [] : [labels.hovered])
      .forEach(function (id) { offer(id, true); });
    if (subject !== undefined) {
      offer(subject);
    }
    if (labels.near) {
      ranked.forEach(function (id) {
        if (labels.near[id]) {
          offer(id);
        }
      });
    }
    ranked.forEach(function (id) { offer(id); });
    return drawn;
  }

  network.on("afterDrawing", function (ctx) {
    var began = performance.now();
    var canvas = ctx.canvas;
    var drawn = placeLabels(canvas);
    var ratio = canvas.width / (canvas.clientWidth || 1);
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.lineWidth = 2 * HALO;
    ctx.strokeStyle = HALO_COLOUR;
    drawn.forEach(function (label) {
      ctx.font = label.px + "px " + FACE;
      ctx.strokeText(label.text, label.x, label.y);
      ctx.fillStyle = label.dim ? "#6b6b6b" : INK; // (dimmed: a node away from the one highlighted)
      ctx.fillText(label.text, label.x, label.y);
    });
    ctx.restore();
    labels.drawn = drawn;
    container.dataset.drawnLabels = String(drawn.length);
    container.dataset.labelsMs = (performance.now() - began).toFixed(1); // what the labels cost this frame
  });
  network.on("hoverNode", function (e) {
    labels.hovered = e.node;
    network.redraw();
  });
  network.on("blurNode", function () {
    labels.hovered = null;
    network.redraw();
  });
  network.on("dragStart", function (e) {
    labels.dragged = e.nodes || [];
  });
  network.on("dragEnd", function () {
    labels.dragged = [];
    network.redraw();
  });

  // A read-only view of what is drawn, for tests and tools: each label drawn, its box in page pixels
  // (relative to the viewport, as getBoundingClientRect gives them).
  window.graphappExplorer = {
    drawnLabels: function () {
      var canvas = container.querySelector("canvas");
      var at = canvas ? canvas.getBoundingClientRect() : { left: 0, top: 0 };
      return labels.drawn.map(function (l) {
        return {
          id: l.id,
          text: l.text,
          left: at.left + l.box.left,
          top: at.top + l.box.top,
          right: at.left + l.box.right,
          bottom: at.top + l.box.bottom,
        };
      });
    },
  };

  var status = document.getElementById("network-status");
  var toggle = document.getElementById("physics-toggle");
  var physicsOn = true;

  function setPhysics(on) {
    physicsOn = on;
    network.setOptions({ physics: { enabled: on } });
    toggle.setAttribute("aria-pressed", String(!on));
    toggle.textContent = on ? say("pause") : say("resume");
  }

  network.on("stabilizationProgress", function (p) {
    status.textContent = say("laying", { n: nodes.length, pct: Math.round((100 * p.iterations) / p.total) });
  });
  function settled() {
    if (container.dataset.stabilised === "true") {
      return;
    }
    setPhysics(false);
    container.dataset.settledMs = String(Math.round(performance.now() - started));
    container.dataset.settledAt = String(Math.round(performance.now()));
    container.dataset.stabilised = "true";
    status.textContent = say("settled", { nodes: nodes.length, links: edges.length });
    if (subject !== undefined) {
      highlight(subject);
      show(subject);
    }
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", settled);
  } else {
    // A big map arrives laid out by the server: it is settled as soon as it is drawn.
    network.once("afterDrawing", settled);
  }
  network.on("afterDrawing", function () {
    container.dataset.drawnNodes = String(network.body.nodeIndices.length);
    container.dataset.drawnEdges = String(network.body.edgeIndices.length);
  });
  toggle.addEventListener("click", function () {
    setPhysics(!physicsOn);
  });
  document.getElementById("fit-view").addEventListener("click", function () {
    network.fit();
  });

  var panel = document.getElementById("panel-body");

  // Highlighting: the node and its neighbours keep their colours; every other node and link is dimmed.
  var DIM = "rgba(180,180,180,0.35)";
  var dimmed = false;
  function highlight(id) {
    var near = {};
    near[id] = true;
    network.getConnectedNodes(id).forEach(function (n) { near[n] = true; });
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, color: near[n.id] ? n.color : DIM };
    }));
    var linked = {};
    network.getConnectedEdges(id).forEach(function (e) { linked[e] = true; });
    edges.update(data.edges.map(function (e) {
      return { id: e.id, color: linked[e.id] ? "#333333" : "rgba(180,180,180,0.25)" };
    }));
    dimmed = true;
    labels.near = near;
    container.dataset.highlighted = id;
  }
  function clearHighlight() {
    if (!dimmed) {
      return;
    }
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: n.color }; }));
    edges.update(data.edges.map(function (e) { return { id: e.id, color: e.color }; }));
    dimmed = false;
    labels.near = null;
    delete container.dataset.highlighted;
  }

  function show(id) {
    var n = nodes.get(id);
    panel.textContent = "";
    if (!n) {
      return;
    }
    var name = document.createElement("strong");
    name.textContent = n.name;
    var kind = document.createElement("div");
    kind.textContent = n.kind_name + ", " + n.degree_text;
    var detail = document.createElement("div");
    detail.className = "detail";
    detail.textContent = n.title || "";
    panel.appendChild(name);
    panel.appendChild(kind);
    if (n.subject) {
      var about = document.createElement("div");
      about.textContent = say("subject");
      panel.appendChild(about);
    }
    panel.appendChild(detail);
    var near = network.getConnectedNodes(id).map(function (k) { return nodes.get(k); }).filter(Boolean);
    if (near.length) {
      var heading = document.createElement("div");
      heading.textContent = say("neighbours");
      var list = document.createElement("ul");
      list.className = "neighbours";
      near.sort(function (a, b) { return a.name.localeCompare(b.name, document.documentElement.lang); });
      near.slice(0, 30).forEach(function (m) {
        var item = document.createElement("li");
        item.textContent = m.name;
        list.appendChild(item);
      });
      panel.appendChild(heading);
      panel.appendChild(list);
    }
    if (n.href) {
      var link = document.createElement("a");
      link.href = n.href;
      link.id = "panel-link";
      if (n.external) {
        // A resource's own link, on another site: opened without telling it where from.
        link.rel = "noopener noreferrer";
        link.textContent = say("open_resource", { name: n.name });
      } else if (n.opens) {
        link.textContent = say("open_group", { name: n.name });
      } else {
        link.textContent = say("open_page", { name: n.name });
      }
      panel.appendChild(link);
    }
  }

  function select(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    highlight(id);
    show(id);
  }

  function findByName(text) {
    var wanted = text.trim().toLocaleLowerCase();
    if (!wanted) {
      return null;
    }
    var all = nodes.get();
    var tests = [
      function (n) { return n.name.toLocaleLowerCase() === wanted; },
      function (n) { return n.name.toLocaleLowerCase().indexOf(wanted) === 0; },
      function (n) { return n.name.toLocaleLowerCase().indexOf(wanted) >= 0; },
    ];
    for (var i = 0; i < tests.length; i++) {
      var found = all.filter(tests[i]);
      if (found.length) {
        return found[0].id;
      }
    }
    return null;
  }

  network.on("selectNode", function (e) {
    var n = nodes.get(e.nodes[0]);
    if (n && n.opens && n.href) {
      // A group of people: clicking it draws its people.
      window.location.assign(n.href);
      return;
    }
    highlight(e.nodes[0]);
    show(e.nodes[0]);
  });
  network.on("deselectNode", function () {
    clearHighlight();
  });
  document.getElementById("node-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = document.getElementById("node-name").value;
    var id = findByName(text);
    if (id === null) {
      panel.textContent = say("not_found", { text: text });
    } else {
      select(id);
    }
  });
  document.querySelectorAll("button.select-node").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = findByName(button.dataset.name);
      if (id !== null) {
        select(id);
        container.scrollIntoView();
      }
    });
  });
})();
