"""Secondary suppression: no hidden count can be worked out from what a table shows.

The oracle is independent of the algorithm: an attacker knows every shown cell and total, that
each line's inner cells add up to its total, and that counts are not negative. Give the attacker
more: every hidden zero as well. A hidden cell h is then recomputable exactly when the equations
pin it down, i.e. when no direction d in the null space of the line equations (over the hidden
cells above zero) has d_h ≠ 0 — a rank test, done exactly with fractions. If such a d exists,
x ± εd are both non-negative solutions (the cells it moves are above zero), so h has several
possible values.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edureg.statistics.suppression import extended, suppress


def rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    found = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column] != 0:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found


def recomputable(grid: list[list[int]], shown: list[list[int | None]]) -> list[tuple[int, int]]:
    """Hidden cells the shown figures determine (hidden zeros count as known)."""
    last_row, last_column = len(grid) - 1, len(grid[0]) - 1
    unknown = [
        (i, j)
        for i, row in enumerate(shown)
        for j, value in enumerate(row)
        if value is None and grid[i][j] > 0
    ]
    if not unknown:
        return []
    lines = [("r", i) for i in range(len(grid))] + [("c", j) for j in range(len(grid[0]))]

    def coefficient(line: tuple[str, int], cell: tuple[int, int]) -> Fraction:
        kind, index = line
        if kind == "r" and cell[0] == index:
            return Fraction(-1 if cell[1] == last_column else 1)
        if kind == "c" and cell[1] == index:
            return Fraction(-1 if cell[0] == last_row else 1)
        return Fraction(0)

    matrix = [[coefficient(line, cell) for cell in unknown] for line in lines]
    full = rank(matrix)
    determined = []
    for k, cell in enumerate(unknown):
        without = [row[:k] + row[k + 1 :] for row in matrix]
        if rank(without) < full:
            determined.append(cell)
    return determined


def hidden_count(shown: list[list[int | None]]) -> int:
    return sum(value is None for row in shown for value in row)


def test_a_single_small_cell_takes_a_complement_in_its_row_and_column():
    # Given a table with one count below 5
    cells = [[3, 20, 30], [40, 50, 60]]

    # When it is suppressed
    shown = suppress(cells, 5)

    # Then the 3 is hidden and so are three complements closing a rectangle: the smallest
    # others in its row (20) and column (40), and the cell across from it (50)
    assert shown == [[None, None, 30, 53], [None, None, 60, 150], [43, 70, 90, 203]]
    assert recomputable(extended(cells), shown) == []


def test_a_small_total_is_hidden_and_protected_too():
    # Given a row whose total is small: its cells are 1 and 2, total 3
    cells = [[1, 2], [10, 12]]

    # When suppressed
    shown = suppress(cells, 5)

    # Then the row's cells and its total are hidden, and nothing hidden can be worked out
    assert shown[0] == [None, None, None]
    assert recomputable(extended(cells), shown) == []


def test_zero_is_shown_and_large_tables_are_untouched():
    cells = [[0, 5], [7, 9]]
    assert suppress(cells, 5) == [[0, 5, 5], [7, 9, 16], [7, 14, 21]]


def test_the_oracle_sees_a_lone_hidden_cell():
    # The oracle itself: hiding only the small cell of a row would let it be recomputed
    cells = [[3, 20], [40, 50]]
    grid = extended(cells)
    naive = [[None if v == 3 else v for v in row] for row in grid]
    assert recomputable(grid, naive) == [(0, 0)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(min_value=0, max_value=12), min_size=width, max_size=width),
            min_size=1,
            max_size=4,
        )
    )
)
def test_no_hidden_cell_can_be_recomputed_from_the_shown_totals(cells):
    # Given any small table of counts (many below 5)
    grid = extended(cells)

    # When it is suppressed
    shown = suppress(cells, 5)

    # Then every count below 5 and above 0 is hidden, every shown value is the true one, and no
    # hidden cell can be worked out from the shown cells and totals
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if 0 < value < 5:
                assert shown[i][j] is None
            elif shown[i][j] is not None:
                assert shown[i][j] == value
    assert recomputable(grid, shown) == []
