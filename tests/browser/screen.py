"""Label Studio's text labeling screen, driven with the mouse and keys as a person would,
counting every gesture (a click, a key, a drag) on the way."""

from __future__ import annotations

from collections import Counter

# Seconds Label Studio takes to open a task, at most, on a busy two-core machine.
OPEN_TIMEOUT_MS = 30_000


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/user/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url(lambda url: "/user/login" not in url)


def wait_until_drawn(page, regions: int, arrows: int) -> None:
    """Until the task's regions are highlighted and its arrows drawn."""
    page.wait_for_function(
        """([regions, arrows]) => {
            const root = document.querySelector(".lsf-richtext__container");
            if (!root) return false;
            const shown = new Set([...root.querySelectorAll(".htx-highlight")]
                                  .map((e) => e.dataset.index)).size;
            const drawn = document.querySelectorAll(
                'svg.relations-overlay g[class*="relationItem--"] path').length;
            return shown >= regions && (arrows === 0 || drawn >= arrows);
        }""",
        arg=[regions, arrows],
        timeout=OPEN_TIMEOUT_MS,
    )


class LabelingScreen:
    """One open task. `gestures` counts what the person did: clicks, keys, drags."""

    def __init__(self, page, text: str) -> None:
        self.page, self.text = page, text
        self.gestures: Counter[str] = Counter()

    @property
    def gesture_total(self) -> int:
        return self.gestures["click"] + self.gestures["key"] + self.gestures["drag"]

    def click(self, locator, **options) -> None:
        self.gestures["click"] += 1
        locator.click(**options)

    def press(self, key: str) -> None:
        self.gestures["key"] += 1
        self.page.keyboard.press(key)

    def region(self, start: int, end: int):
        return self.page.locator(f'.htx-highlight[data-start="{start}"][data-end="{end}"]').first

    def select(self, start: int, end: int) -> None:
        """Click a region: it is selected, and a quote shows its questions."""
        self.click(self.region(start, end))

    def _edge(self, offset: int, side: str) -> tuple[float, float]:
        """The left or right edge of the character at document offset `offset`, mid-height."""
        text = self.text
        line = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1)
        box = self.page.evaluate(
            """([line, column]) => {
                const row = document.querySelectorAll(".lsf-richtext__line")[line];
                const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
                let left = column;
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (left < node.length) {
                        const range = document.createRange();
                        range.setStart(node, left);
                        range.setEnd(node, left + 1);
                        const r = range.getBoundingClientRect();
                        return {x: r.left, y: r.top, w: r.width, h: r.height};
                    }
                    left -= node.length;
                }
                return null;
            }""",
            [line, column],
        )
        assert box, f"no character at offset {offset}"
        x = box["x"] + 1 if side == "left" else box["x"] + box["w"] - 1
        return x, box["y"] + box["h"] / 2

    def label(self, hotkey: str, start: int, end: int) -> None:
        """Choose a label by its hotkey, then drag across the characters start..end."""
        self.press(hotkey)
        self.region_scrolled_into_view(start)
        self.gestures["drag"] += 1
        mouse = self.page.mouse
        mouse.move(*self._edge(start, "left"))
        mouse.down()
        mouse.move(*self._edge(end - 1, "right"), steps=8)
        mouse.up()
        self.page.wait_for_timeout(300)

    def region_scrolled_into_view(self, offset: int) -> None:
        """Scrolling is reading, not a gesture: the text at `offset` is brought into view."""
        line = self.text.count("\n", 0, offset)
        self.page.locator(".lsf-richtext__line").nth(line).scroll_into_view_if_needed()

    def relate(self, source: tuple[int, int], target: tuple[int, int]) -> None:
        """Select the source region, start a relation (Alt+R) and click the target."""
        self.select(*source)
        self.press("Alt+r")
        self.click(self.region(*target))
        self.page.wait_for_timeout(300)

    def relation_label(self, index: int, label: str) -> None:
        """Give the index-th relation of the Relations panel a label."""
        page = self.page
        self.press("Escape")
        self.click(page.locator("#Relations-draggable"), force=True)  # a drag handle
        item = page.locator(".lsf-relations__item").nth(index)
        item.hover()
        self.click(item.locator('button[aria-label="Show Relation Labels"]'))
        self.click(page.locator(".lsf-relation-meta button").first)
        self.click(page.get_by_text(label, exact=True).last)
        self.press("Escape")
        self.click(page.locator("#Regions-draggable"), force=True)

    def choose(self, value: str) -> None:
        """Tick a per-quote choice with the mouse (shown while a quote is selected)."""
        item = self.page.locator(".lsf-choice__item", has_text=value)
        self.click(item.locator(".lsf-choice__checkbox").first)

    def speaker_name(self, name: str) -> None:
        box = self.page.get_by_placeholder("Full name, e.g. Yury Ushakov")
        self.click(box)
        self.gestures["typed"] += len(name)
        box.fill(name)
        self.press("Enter")

    def submit(self) -> None:
        page = self.page
        self.click(page.get_by_test_id("bottombar-submit-button"))
        page.get_by_text("Annotation saved successfully").or_(
            page.get_by_role("button", name="Update")
        ).first.wait_for()
