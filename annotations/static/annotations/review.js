// The review page's "use selection" buttons: the text a reviewer selects in one of the
// versions becomes "start-end" character offsets (Python's, i.e. code points) in the
// input next to the button, and every offsets input shows the text it bounds.
(function () {
  "use strict";

  let lastSelection = null;

  function textOf(container) {
    return Array.from(container.textContent);
  }

  function offsetIn(container, node, offset) {
    const range = document.createRange();
    range.setStart(container, 0);
    range.setEnd(node, offset);
    return Array.from(range.toString()).length;
  }

  function versionOf(node) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("#review .document-text") : null;
  }

  function trimmed(chars, start, end) {
    while (start < end && /\s/.test(chars[start])) start += 1;
    while (end > start && /\s/.test(chars[end - 1])) end -= 1;
    return start < end ? [start, end] : null;
  }

  document.addEventListener("selectionchange", function () {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    const container = versionOf(range.startContainer);
    if (!container || versionOf(range.endContainer) !== container) return;
    const extent = trimmed(
      textOf(container),
      offsetIn(container, range.startContainer, range.startOffset),
      offsetIn(container, range.endContainer, range.endOffset),
    );
    if (extent) lastSelection = extent;
  });

  function documentText() {
    const container = document.querySelector("#review .document-text");
    return container ? textOf(container) : [];
  }

  function showText(input) {
    const shown = input.parentElement.querySelector(".extent-text");
    const found = /^\s*(\d+)\s*[-–]\s*(\d+)\s*$/.exec(input.value);
    if (!found) {
      shown.textContent = input.value.trim() ? "write start-end" : "";
      return;
    }
    const chars = documentText();
    const start = Number(found[1]);
    const end = Number(found[2]);
    shown.textContent =
      start < end && end <= chars.length ? "“" + chars.slice(start, end).join("") + "”" : "not in the text";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#review .extent input").forEach(function (input) {
      input.addEventListener("input", function () { showText(input); });
      showText(input);
    });
    document.querySelectorAll("#review .use-selection").forEach(function (button) {
      button.addEventListener("click", function () {
        const input = button.parentElement.querySelector("input");
        if (!lastSelection) {
          input.parentElement.querySelector(".extent-text").textContent =
            "select text in a version first";
          return;
        }
        input.value = lastSelection[0] + "-" + lastSelection[1];
        showText(input);
      });
    });
  });
})();
