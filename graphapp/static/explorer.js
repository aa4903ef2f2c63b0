// The network explorer: draws the graph data embedded in the page (a JSON block, never run as script)
// with vis-network, and wires up search, the side panel, the physics switch and the table's buttons.
// No HTML is ever built from data: names go in with textContent.
(function () {
  "use strict";
  var dataEl = document.getElementById("graph-data");
  var container = document.getElementById("network");
  if (!dataEl || !container || typeof vis === "undefined") {
    return;
  }
  var started = performance.now();
  var data = JSON.parse(dataEl.textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.graphappNetwork = network;

  var status = document.getElementById("network-status");
  var toggle = document.getElementById("physics-toggle");
  var physicsOn = true;

  function setPhysics(on) {
    physicsOn = on;
    network.setOptions({ physics: { enabled: on } });
    toggle.setAttribute("aria-pressed", String(!on));
    toggle.textContent = on ? "Pause physics" : "Resume physics";
  }

  network.on("stabilizationProgress", function (p) {
    status.textContent = "Laying out " + nodes.length + " nodes: " + Math.round((100 * p.iterations) / p.total) + "%";
  });
  function settled() {
    if (container.dataset.stabilised === "true") {
      return;
    }
    setPhysics(false);
    container.dataset.settledMs = String(Math.round(performance.now() - started));
    container.dataset.stabilised = "true";
    status.textContent = nodes.length + " nodes and " + edges.length + " links. Drag to move, scroll to zoom, click a node for details.";
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

  var kinds = {
    Member: "person",
    Organisation: "organisation",
    Topic: "topic",
    Workstream: "workstream",
    Project: "project",
    Theme: "theme",
    Area: "competence area",
    Resource: "resource",
  };
  var panel = document.getElementById("panel-body");

  function show(id) {
    var n = nodes.get(id);
    panel.textContent = "";
    if (!n) {
      return;
    }
    var name = document.createElement("strong");
    name.textContent = n.name;
    var kind = document.createElement("div");
    kind.textContent = (n.kind_name || kinds[n.kind] || n.kind) + ", " + n.degree + " connection" + (n.degree === 1 ? "" : "s");
    var detail = document.createElement("div");
    detail.className = "detail";
    detail.textContent = n.title || "";
    panel.appendChild(name);
    panel.appendChild(kind);
    panel.appendChild(detail);
    if (n.href) {
      var link = document.createElement("a");
      link.href = n.href;
      link.id = "panel-link";
      if (n.external) {
        // A resource's own link, on another site: opened without telling it where from.
        link.rel = "noopener noreferrer";
        link.textContent = "Open the resource " + n.name + " (another site)";
      } else {
        link.textContent = "Open the page of " + n.name;
      }
      panel.appendChild(link);
    }
  }

  function select(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.2, animation: false });
    show(id);
  }

  function findByName(text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) {
      return null;
    }
    var all = nodes.get();
    var tests = [
      function (n) { return n.name.toLowerCase() === wanted; },
      function (n) { return n.name.toLowerCase().indexOf(wanted) === 0; },
      function (n) { return n.name.toLowerCase().indexOf(wanted) >= 0; },
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
    show(e.nodes[0]);
  });
  document.getElementById("node-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = document.getElementById("node-name").value;
    var id = findByName(text);
    if (id === null) {
      panel.textContent = "Nothing here is called \u201c" + text + "\u201d.";
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
