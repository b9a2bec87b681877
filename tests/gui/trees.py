"""Reading the window's trees as a person reads them: the groups, and the rows under each."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from tests.helpers.present import present


def groups(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """The top-level items (the results page's severity groups), in order."""
    return [present(tree.topLevelItem(g)) for g in range(tree.topLevelItemCount())]


def rows(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """Every item under a top-level group, group by group, in order."""
    return [present(group.child(i)) for group in groups(tree) for i in range(group.childCount())]


def click_item(qtbot: QtBot, tree: QTreeWidget, item: QTreeWidgetItem) -> None:
    """A left click on ``item``'s row, as a person selects it (scrolled into view first)."""
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    assert rect.isValid(), f"{item.text(0)!r} is not shown (its group is folded?)"
    qtbot.mouseClick(present(tree.viewport()), Qt.MouseButton.LeftButton, pos=rect.center())
