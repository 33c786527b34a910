// The evidence picker of an audit page: one search (the page's #evidence-picker and its
// data-search-url, scoped on the server to what this person may cite) for every evidence field
// ([data-evidence-picker]) of the page's forms. Without this script each field takes a
// version's number, found with the picker's plain search form; with it, each field becomes a
// search box whose chosen result fills the field. The server checks the number either way.
(function () {
  "use strict";
  var picker = document.getElementById("evidence-picker");
  if (!picker) return;
  var url = picker.getAttribute("data-search-url");
  var msg = picker.dataset;
  var results = document.createElement("ul");
  results.id = "evidence-picker-results";
  results.className = "picker-results";
  results.setAttribute("role", "listbox");
  results.hidden = true;
  var timer = null;
  var asked = 0;
  // What the open list answers: the same search again leaves it as it is (no list rebuilt
  // under the pointer).
  var shownFor = null;
  var shownQuery = null;

  function fetchMatches(query) {
    return fetch(url + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  function note(text) {
    var line = document.createElement("li");
    line.className = "muted";
    line.textContent = text;
    results.appendChild(line);
  }

  function close(box) {
    shownFor = null;
    results.hidden = true;
    box.setAttribute("aria-expanded", "false");
  }

  function choose(box, field, match) {
    window.clearTimeout(timer);
    asked += 1; // a search still on its way is not shown over the choice
    field.value = String(match.id);
    box.value = match.label;
    close(box);
    box.focus();
  }

  function show(box, field, data, query) {
    shownFor = box;
    shownQuery = query;
    results.setAttribute("data-query", query);
    results.textContent = "";
    data.results.forEach(function (match) {
      var line = document.createElement("li");
      line.setAttribute("role", "option");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.setAttribute("data-version", String(match.id));
      button.textContent = match.label;
      button.addEventListener("click", function () {
        choose(box, field, match);
      });
      line.appendChild(button);
      results.appendChild(line);
    });
    if (!data.results.length) note(msg.msgNone);
    if (data.more) note(msg.msgMore);
    results.hidden = false;
    box.setAttribute("aria-expanded", "true");
  }

  function search(box, field) {
    var query = box.value.trim();
    if (shownFor === box && shownQuery === query && !results.hidden) return;
    var mine = ++asked;
    box.after(results);
    if (!query) {
      close(box);
      return;
    }
    fetchMatches(query)
      .then(function (data) {
        if (mine === asked) show(box, field, data, query);
      })
      .catch(function () {
        if (mine !== asked) return;
        results.textContent = "";
        note(msg.msgError);
        results.hidden = false;
      });
  }

  function enhance(field) {
    var box = document.createElement("input");
    box.type = "search";
    box.id = field.id + "-search";
    box.className = "picker-box";
    box.placeholder = msg.msgPlaceholder;
    box.autocomplete = "off";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", results.id);
    box.setAttribute("aria-expanded", "false");
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (field.hasAttribute(name)) box.setAttribute(name, field.getAttribute(name));
    });
    var label = document.querySelector('label[for="' + field.id + '"]');
    if (label) label.htmlFor = box.id;
    var help = document.getElementById(field.id + "_helptext");
    if (help) help.textContent = msg.msgHelp;
    field.type = "hidden";
    field.after(box);
    // A form sent back with errors keeps its number: show it, then its title when it is known.
    if (field.value) {
      box.value = field.value;
      fetchMatches(field.value)
        .then(function (data) {
          var wanted = field.value.replace(/^#/, "");
          var known = data.results.filter(function (m) {
            return String(m.id) === wanted;
          })[0];
          if (known) box.value = known.label;
        })
        .catch(function () {});
    }
    box.addEventListener("input", function () {
      // Typed but not chosen: the server says the number is not one (never dropped silently).
      field.value = box.value;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        search(box, field);
      }, 200);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close(box);
      if (event.key === "ArrowDown" && !results.hidden) {
        var first = results.querySelector("button");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
    });
  }

  document.querySelectorAll("input[data-evidence-picker]").forEach(enhance);
  // The plain search form is for browsers without this script.
  picker.hidden = true;
})();
