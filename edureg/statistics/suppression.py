"""Small counts suppressed, with secondary suppression so that no hidden count can be worked out
from what is shown.

Pure: no Django, no database. A table of counts is shown with its row totals, column totals and
grand total. Think of it as an (m+1) × (n+1) grid whose last row and column are the totals: every
line of the grid (a row or a column) says "the inner cells add up to the last one". Primary
suppression hides every cell, total or not, whose count is above 0 and below the threshold
(`STATISTICS_SMALLEST_COUNT`, default 5). Zero is shown: "nobody" discloses nothing about a person.

Secondary suppression. Join the grid's row lines and column lines by the hidden cells (a hidden
cell (i, j) is an edge between row i and column j). A hidden cell can be recomputed from the
shown cells exactly when it is a *bridge* of that graph: when it lies on no cycle. A cell on a
cycle can move by +t while its neighbours on the cycle move by −t, +t, … and every line still adds
up, so the shown figures fit several values of it (as long as the cells of the cycle are above
zero, which is why a complement is chosen among the cells above zero first). So: while the graph
has a bridge, hide one more shown cell that closes a cycle through it — the smallest one, inner
cells before totals. A cell left alone in its line is the simplest bridge.

The tests check the result against an independent oracle (linear algebra over the shown
equations), not against this reasoning.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence

Cell = tuple[int, int]

DEFAULT_THRESHOLD = 5


def extended(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The grid with a total column and a total row (the grand total in the corner)."""
    rows = [[*list(row), sum(row)] for row in cells]
    width = len(rows[0]) if rows else 1
    totals = [sum(row[j] for row in rows) for j in range(width)] if rows else [0]
    return [*rows, totals]


def _nodes(cell: Cell) -> tuple[tuple[str, int], tuple[str, int]]:
    return ("r", cell[0]), ("c", cell[1])


def _bridges(hidden: set[Cell]) -> list[Cell]:
    """The hidden cells that lie on no cycle of the row–column graph (Tarjan, iterative)."""
    adjacency: dict[tuple[str, int], list[tuple[tuple[str, int], Cell]]] = defaultdict(list)
    for cell in sorted(hidden):
        row, column = _nodes(cell)
        adjacency[row].append((column, cell))
        adjacency[column].append((row, cell))
    order: dict[tuple[str, int], int] = {}
    low: dict[tuple[str, int], int] = {}
    found: list[Cell] = []
    counter = 0
    for start in sorted(adjacency):
        if start in order:
            continue
        order[start] = low[start] = counter
        counter += 1
        stack: list[tuple[tuple[str, int], Cell | None, int]] = [(start, None, 0)]
        while stack:
            node, via, index = stack[-1]
            if index < len(adjacency[node]):
                stack[-1] = (node, via, index + 1)
                neighbour, edge = adjacency[node][index]
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, 0))
            else:
                stack.pop()
                if stack and via is not None:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
    return sorted(found)


def _component(hidden: set[Cell], start: tuple[str, int], without: Cell) -> set[tuple[str, int]]:
    adjacency: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for cell in hidden:
        if cell == without:
            continue
        row, column = _nodes(cell)
        adjacency[row].append(column)
        adjacency[column].append(row)
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for neighbour in adjacency[node]:
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def _cost(grid: list[list[int]], cell: Cell) -> tuple[bool, bool, int, int, int]:
    """Which shown cell to hide first: above zero before zero, inner before totals, smallest."""
    i, j = cell
    value = grid[i][j]
    is_total = i == len(grid) - 1 or j == len(grid[0]) - 1
    return value == 0, is_total, value, i, j


def _lone_line(grid: list[list[int]], hidden: set[Cell]) -> Cell | None:
    """A complement for the first line with exactly one hidden cell, if there is one."""
    per_line: dict[tuple[str, int], int] = defaultdict(int)
    for cell in hidden:
        row, column = _nodes(cell)
        per_line[row] += 1
        per_line[column] += 1
    for kind, index in sorted(line for line, count in per_line.items() if count == 1):
        if kind == "r":
            line = [(index, j) for j in range(len(grid[0]))]
        else:
            line = [(i, index) for i in range(len(grid))]
        shown = [cell for cell in line if cell not in hidden]
        if shown:
            return min(shown, key=lambda cell: _cost(grid, cell))
    return None


def _across(grid: list[list[int]], hidden: set[Cell], bridge: Cell) -> Cell:
    """The shown cell to hide so that a cycle runs through `bridge`.

    Called when every line has zero or at least two hidden cells: then both sides of a bridge
    hold a cycle, so each has rows and columns and a cell across them exists.
    """
    row_side = _component(hidden, ("r", bridge[0]), bridge)
    column_side = _component(hidden, ("c", bridge[1]), bridge)
    candidates = []
    for side_a, side_b in ((row_side, column_side), (column_side, row_side)):
        rows = sorted(index for kind, index in side_a if kind == "r")
        columns = sorted(index for kind, index in side_b if kind == "c")
        candidates += [(i, j) for i in rows for j in columns if (i, j) not in hidden]
    return min(candidates, key=lambda cell: _cost(grid, cell))


def suppression_mask(grid: list[list[int]], threshold: int = DEFAULT_THRESHOLD) -> set[Cell]:
    """The cells of an extended grid (see `extended`) to hide."""
    hidden = {
        (i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if 0 < value < threshold
    }
    while True:
        # First the simplest bridges: a line with a single hidden cell takes its smallest other.
        lone = _lone_line(grid, hidden)
        if lone is not None:
            hidden.add(lone)
            continue
        bridges = _bridges(hidden)
        if not bridges:
            return hidden
        # Fix the first bridge, then look again: one new cell may close cycles through others.
        hidden.add(_across(grid, hidden, bridges[0]))


def suppress(
    cells: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD
) -> list[list[int | None]]:
    """The extended grid of `cells` with hidden cells as None."""
    grid = extended(cells)
    if threshold <= 1:
        return [list(row) for row in grid]
    hidden = suppression_mask(grid, threshold)
    return [
        [None if (i, j) in hidden else value for j, value in enumerate(row)]
        for i, row in enumerate(grid)
    ]
