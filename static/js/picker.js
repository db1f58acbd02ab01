/* Searchable pickers (core.forms.PickerInput / SearchableSelect); no CDN, no inline script.
   - input[data-picker]: as the user types (or on focus), ask the scoped search view (core:pick) and offer
     up to 20 matches; picking one puts its natural key (code, USCC) in the field and shows its name below.
     Arrow keys, Enter and Escape work; a code typed by hand still submits as before.
   - select[data-searchable]: a search box above the dropdown narrows its options (name, ID tail, organization). */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function setupPicker(input) {
    if (input.dataset.pickerReady) { return; }
    input.dataset.pickerReady = "1";
    var box = input.closest(".picker");
    var menu = box.querySelector("[data-picker-menu]");
    var label = box.querySelector("[data-picker-label]");
    var url = input.dataset.picker;
    var items = [];
    var active = -1;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");

    function close() {
      menu.classList.add("d-none"); menu.replaceChildren(); active = -1; items = [];
      input.setAttribute("aria-expanded", "false");
    }
    var multiple = input.dataset.pickerMultiple === "1";  // several keys, comma-separated (MultiPickerInput)
    function tokens() { return input.value.split(/[,，、;；\s]+/).filter(function (t) { return t; }); }
    function typed() {  // the text being searched: the whole box, or its last key for a multiple picker
      if (!multiple) { return input.value.trim(); }
      return /[,，、;；\s]$/.test(input.value) ? "" : (tokens().pop() || "");
    }
    function choose(item) {
      if (multiple) {
        var keys = tokens();
        if (typed()) { keys.pop(); }
        if (keys.indexOf(item.key) < 0) { keys.push(item.key); }
        input.value = keys.join(", ") + ", ";
      } else {
        input.value = item.key;
      }
      label.textContent = item.label;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function highlight(index) {
      var buttons = menu.querySelectorAll("[role=option]");
      buttons.forEach(function (b, i) { b.classList.toggle("active", i === index); });
      active = index;
    }
    function lookup(open) {
      var text = typed();
      return fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin",
                                                              headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (text !== typed()) { return; }  // an older answer
          var exact = data.results.filter(function (item) { return item.key === text; })[0];
          label.textContent = exact ? exact.label : "";
          if (!open) { return; }
          items = data.results;
          menu.replaceChildren();
          items.forEach(function (item, index) {
            var option = document.createElement("button");
            option.type = "button";
            option.className = "list-group-item list-group-item-action py-1 small";
            option.setAttribute("role", "option");
            option.setAttribute("data-testid", "picker-option");
            option.textContent = item.label;
            option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
            option.addEventListener("mouseenter", function () { highlight(index); });
            menu.appendChild(option);
          });
          menu.classList.toggle("d-none", items.length === 0);
          input.setAttribute("aria-expanded", items.length ? "true" : "false");
        }).catch(function () {});
    }
    var search = debounce(function () { lookup(true); }, 200);
    input.addEventListener("input", search);
    input.addEventListener("focus", function () { lookup(true); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      if (!items.length) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items[active]); }
      else if (event.key === "Escape") { close(); }
    });
    if (input.value) { lookup(false); }  // show the name of the code already there
  }

  function setupSearchable(select) {
    if (select.dataset.searchableReady) { return; }
    select.dataset.searchableReady = "1";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "form-control form-control-sm mb-1";
    filter.placeholder = select.dataset.searchPlaceholder || "";
    filter.setAttribute("aria-label", select.dataset.searchPlaceholder || "");
    filter.setAttribute("data-testid", "select-search");
    select.parentNode.insertBefore(filter, select);
    var options = Array.prototype.slice.call(select.options);
    filter.addEventListener("input", function () {
      var text = filter.value.trim().toLowerCase();
      var chosen = select.value;
      var matches = options.filter(function (option) {
        return !option.value || option.value === chosen || !text || option.text.toLowerCase().indexOf(text) >= 0;
      });
      select.replaceChildren.apply(select, matches);
      select.value = chosen;
      var real = matches.filter(function (option) { return option.value; });
      if (text && real.length === 1) { select.value = real[0].value; }  // one match: take it
    });
  }

  function setup(root) {
    root.querySelectorAll("input[data-picker]").forEach(setupPicker);
    root.querySelectorAll("select[data-searchable]").forEach(setupSearchable);
  }
  setup(document);
  document.addEventListener("htmx:afterSwap", function (event) { setup(event.target); });
})();
