"""How legible Label Studio's labeling screen is: which words of the article an overlay
hides, and which an arrow's line crosses. Measured in the page itself.

A word is *hidden* when a relation's label box, or any element drawn over the text,
covers part of it; it is *crossed* when an arrow's line runs through its letters
(still readable, but struck). The article must be wholly in the viewport (a tall
one), as every word is looked up where it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

MEASURE = r"""
() => {
  const root = document.querySelector(".lsf-richtext__container");
  const words = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const pattern = /\S+/g;
    let match;
    while ((match = pattern.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const boxes = [...range.getClientRects()].filter((b) => b.width > 0 && b.height > 0);
      words.push({ text: match[0], boxes });
    }
  }
  const overlay = document.querySelector("svg.relations-overlay");
  const shown = (element) => {
    for (let e = element; e && e !== overlay; e = e.parentElement) {
      if (e.getAttribute && e.getAttribute("visibility") === "hidden") return false;
      const style = getComputedStyle(e);
      if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0")
        return false;
    }
    return true;
  };
  const tags = [], lines = [];
  if (overlay) {
    for (const text of overlay.querySelectorAll("text")) {
      const rect = text.parentElement.querySelector("rect");
      if (rect && shown(text)) tags.push(rect.getBoundingClientRect());
    }
    for (const path of overlay.querySelectorAll("path")) {
      if (path.closest("marker") || !shown(path)) continue;
      const style = getComputedStyle(path);
      if (style.stroke === "none" || parseFloat(style.strokeOpacity) === 0) continue;
      if (parseFloat(style.strokeWidth) > 4) continue;  // the faint halo of a hovered arrow
      const matrix = path.getScreenCTM();
      const length = path.getTotalLength();
      for (let at = 0; at <= length; at += 1.5) {
        const p = path.getPointAtLength(at).matrixTransform(matrix);
        lines.push([p.x, p.y]);
      }
    }
  }
  const overlaps = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  let hidden = [], crossed = [], covered = [];
  for (const word of words) {
    // Letters, not the line box: a line along the very top or bottom edge strikes nothing.
    const inner = word.boxes.map((b) => new DOMRect(b.left, b.top + b.height * 0.2,
                                                     b.width, b.height * 0.6));
    if (word.boxes.some((b) => tags.some((t) => overlaps(b, t)))) hidden.push(word.text);
    else if (word.boxes.some((b) => {
      const top = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
      return top && !root.contains(top);
    })) { hidden.push(word.text); covered.push(word.text); }
    if (inner.some((b) => lines.some(([x, y]) => x > b.left && x < b.right &&
                                                  y > b.top && y < b.bottom)))
      crossed.push(word.text);
  }
  const arrows = overlay ? overlay.querySelectorAll('g[class*="relationItem--"]').length : 0;
  return { words: words.length, hidden, crossed, covered, tags: tags.length, arrows,
           regions: new Set([...root.querySelectorAll(".htx-highlight")]
                            .map((e) => e.dataset.index)).size };
}
"""


@dataclass(frozen=True)
class Legibility:
    words: int
    hidden: list[str]
    crossed: list[str]
    covered: list[str]
    tags: int
    arrows: int
    regions: int

    @property
    def hidden_share(self) -> float:
        return len(self.hidden) / self.words if self.words else 0.0

    @property
    def crossed_share(self) -> float:
        return len(self.crossed) / self.words if self.words else 0.0


def measure(page) -> Legibility:
    """The legibility of the labeling screen open in `page`."""
    return Legibility(**page.evaluate(MEASURE))
