"""The region hierarchy in memory: small, read on every catalogue search, changed rarely."""

from __future__ import annotations

import msgspec

from regions.tables import Region


class Node(msgspec.Struct, frozen=True):
    code: str
    name: str
    level: str
    parent: str | None
    province: str
    full_name: str


class RegionTree:
    def __init__(self, nodes: dict[str, Node]) -> None:
        self.nodes = nodes
        self._children: dict[str, list[str]] = {}
        for node in nodes.values():
            if node.parent:
                self._children.setdefault(node.parent, []).append(node.code)

    def get(self, code: str) -> Node | None:
        return self.nodes.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self.nodes

    def ancestors(self, code: str) -> list[str]:
        """``code`` and every region above it, nearest first."""
        chain: list[str] = []
        current = self.nodes.get(code)
        while current is not None:
            chain.append(current.code)
            current = self.nodes.get(current.parent) if current.parent else None
        return chain

    def descendants(self, code: str) -> list[str]:
        out, stack = [], [code]
        while stack:
            item = stack.pop()
            out.append(item)
            stack.extend(self._children.get(item, []))
        return out

    def children(self, code: str) -> list[str]:
        return sorted(self._children.get(code, []))

    def is_within(self, code: str, ancestor: str) -> bool:
        return ancestor in self.ancestors(code)

    def city_of(self, code: str) -> str | None:
        for item in self.ancestors(code):
            if self.nodes[item].level == "city":
                return item
        return None

    def name(self, code: str) -> str:
        node = self.nodes.get(code)
        return node.name if node else code


_tree: RegionTree | None = None


async def load() -> RegionTree:
    global _tree
    rows = await Region.select()
    _tree = RegionTree(
        {
            row["code"]: Node(
                row["code"],
                row["name"],
                row["level"],
                row["parent_code"],
                row["province_code"],
                row["full_name"] or row["name"],
            )
            for row in rows
        }
    )
    return _tree


async def tree() -> RegionTree:
    return _tree if _tree is not None else await load()


def invalidate() -> None:
    global _tree
    _tree = None
