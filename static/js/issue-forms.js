/* The visit form: the issues a citizen raised grow and shrink.

   The page renders a fixed set of issue fieldsets (one issue and two optional ones) and,
   in <template id="issue-template">, an empty issue with "__prefix__" where its number
   goes. This script shows the "Add an issue" button, gives every optional issue a
   "Remove this issue" button, copies the template to add one, and after every change
   numbers the issues 0, 1, 2 … again (names, ids, labels, legends) and writes their
   count into the formset's TOTAL_FORMS. Without it, the fixed set is posted as is and
   the server ignores the optional issues left empty. */
(function () {
  "use strict";

  var container = document.querySelector(".issues[data-prefix]");
  var template = document.getElementById("issue-template");
  if (!container || !template || !("content" in template)) {
    return;
  }
  var prefix = container.getAttribute("data-prefix");
  var list = container.querySelector("[data-issue-list]");
  var addButton = container.querySelector("[data-add-issue]");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var minimum = Number(document.getElementById("id_" + prefix + "-MIN_NUM_FORMS").value);
  var maximum = Number(document.getElementById("id_" + prefix + "-MAX_NUM_FORMS").value);
  var nameTemplate = container.getAttribute("data-issue-name");
  var removeLabel = container.getAttribute("data-remove-label");
  var removeName = container.getAttribute("data-remove-name");
  var numbered = new RegExp(prefix + "-(\\d+|__prefix__)-", "g");
  var ATTRIBUTES = ["id", "name", "for", "aria-describedby", "aria-labelledby", "href"];

  function issues() {
    return list.querySelectorAll("fieldset[data-issue]");
  }

  function each(items, callback) {
    Array.prototype.forEach.call(items, callback);
  }

  function setIndex(fieldset, index) {
    var replacement = prefix + "-" + index + "-";
    each(fieldset.querySelectorAll("*"), function (element) {
      ATTRIBUTES.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value !== null) {
          element.setAttribute(attribute, value.replace(numbered, replacement));
        }
      });
    });
    var number = String(index + 1);
    fieldset.querySelector(".issue-name").textContent = nameTemplate.replace("__num__", number);
    var remove = fieldset.querySelector("[data-remove-issue]");
    if (remove) {
      // The visible text is the accessible name (删除问题2): a screen reader and a
      // voice command say what the eye reads.
      remove.textContent = removeName.replace("__num__", number);
    }
  }

  function renumber() {
    var all = issues();
    each(all, setIndex);
    total.value = String(all.length);
    addButton.hidden = all.length >= maximum;
  }

  function giveRemoveButton(fieldset, index) {
    if (index < minimum || fieldset.querySelector("[data-remove-issue]")) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary remove-issue";
    button.setAttribute("data-remove-issue", "");
    button.textContent = removeLabel;
    fieldset.appendChild(button);
  }

  function add() {
    if (issues().length >= maximum) {
      return;
    }
    var fieldset = template.content.firstElementChild.cloneNode(true);
    list.appendChild(fieldset);
    giveRemoveButton(fieldset, issues().length - 1);
    renumber();
    var first = fieldset.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
  }

  function remove(fieldset) {
    var next = fieldset.nextElementSibling;
    fieldset.remove();
    renumber();
    // Keep the keyboard where the removed issue was.
    var target = next ? next.querySelector("input, select, textarea") : addButton;
    if (target && !target.hidden) {
      target.focus();
    }
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-issue]");
    if (button) {
      remove(button.closest("fieldset[data-issue]"));
    }
  });
  addButton.addEventListener("click", add);
  each(issues(), giveRemoveButton);
  renumber();
})();
