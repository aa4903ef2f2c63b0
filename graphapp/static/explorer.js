// The network explorer: draws the graph data embedded in the page (a JSON block, never run as script)
// with vis-network, and wires up search, the side panel, the physics switch and the table's buttons.
// A node found or picked is highlighted with its neighbours (the rest dimmed). Every word shown comes from
// the page (the JSON block "explorer-words", in the reader's language). No HTML is ever built from data:
// names go in with textContent.
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

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.graphappNetwork = network;

  var status = document.getElementById("network-status");
  var toggle = document.getElementById("physics-toggle");
  var physicsOn = true;
  var subject = data.nodes.filter(function (n) { return n.subject; }).map(function (n) { return n.id; })[0];

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
      return near[n.id]
        ? { id: n.id, color: n.color, font: { color: "#1a1a1a" } }
        : { id: n.id, color: DIM, font: { color: "rgba(90,90,90,0.45)" } };
    }));
    var linked = {};
    network.getConnectedEdges(id).forEach(function (e) { linked[e] = true; });
    edges.update(data.edges.map(function (e) {
      return { id: e.id, color: linked[e.id] ? "#333333" : "rgba(180,180,180,0.25)" };
    }));
    dimmed = true;
    container.dataset.highlighted = id;
  }
  function clearHighlight() {
    if (!dimmed) {
      return;
    }
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: n.color, font: { color: "#1a1a1a" } }; }));
    edges.update(data.edges.map(function (e) { return { id: e.id, color: e.color }; }));
    dimmed = false;
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
