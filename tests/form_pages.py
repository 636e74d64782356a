"""Reading a staff form page as a tree: which step forms sit where on the case page, what
a label says, where an error summary's links lead. Python's own HTML parser, no library.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.http import HttpResponse

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: "Element | None" = None
    children: list = field(default_factory=list)  # Elements and strings

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def has(self, attribute: str) -> bool:
        return attribute in self.attrs

    def iter(self) -> Iterator["Element"]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, predicate: Callable[["Element"], bool]) -> list["Element"]:
        return [element for element in self.iter() if predicate(element)]

    def select(self, tag: str = "", **attrs: str) -> list["Element"]:
        """Descendants of `tag` (any when empty) whose attributes hold these values; a
        `class_` value must be one of the element's classes."""

        def matches(element: Element) -> bool:
            if tag and element.tag != tag:
                return False
            for name, value in attrs.items():
                if name == "class_":
                    if value not in element.classes:
                        return False
                elif element.attrs.get(name.replace("_", "-")) != value:
                    return False
            return True

        return self.find_all(matches)

    def one(self, tag: str = "", **attrs: str) -> "Element":
        found = self.select(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag or '*'} {attrs}>"
        return found[0]

    def child(self, tag: str) -> "Element":
        """The first child element of `tag` (a <details>'s own <summary>, not a nested one's)."""
        return next(c for c in self.children if isinstance(c, Element) and c.tag == tag)

    def ancestors(self) -> Iterator["Element"]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        """The text a reader sees, visually hidden parts included (a screen reader reads them)."""
        parts = []
        for child in self.children:
            parts.append(child.text() if isinstance(child, Element) else child)
        return "".join(parts)

    def visible_text(self) -> str:
        """The text on the screen: without visually hidden or aria-hidden parts."""
        if "visually-hidden" in self.classes:
            return ""
        parts = []
        for child in self.children:
            if isinstance(child, Element):
                parts.append(child.visible_text())
            else:
                parts.append(child)
        return "".join(parts)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Element(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        )

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def tree(response: HttpResponse | str) -> Element:
    page = response if isinstance(response, str) else response.content.decode()
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    return builder.root


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
