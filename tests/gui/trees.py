"""Reading the window's trees as a person reads them: the groups, and the rows under each."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from tests.helpers.present import present


def groups(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """The top-level items (the results page's severity groups), in order."""
    return [present(tree.topLevelItem(g)) for g in range(tree.topLevelItemCount())]


def rows(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """Every item under a top-level group, group by group, in order."""
    return [present(group.child(i)) for group in groups(tree) for i in range(group.childCount())]
