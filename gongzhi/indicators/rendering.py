"""The dashboard's repeated parts — the indicator cards, the comparison tables' rows, the case
analysis tables — built in one go instead of one template loop iteration per card, row and cell.

A subdistrict's dashboard has ~80 cards (each with its definition one click away), a row per
estate in two tables and up to a hundred lines in the analysis tables: thousands of template
variable lookups, filters, ``{% url %}`` and ``{% trans %}`` tags per render, which cost more than
reading the figures. What does not depend on the figures (a card's label and definition, the
tables' headings) is built once per language and remembered; per render only the figures, links
and names are put in, each escaped by ``format_html``.
"""

import functools
from collections.abc import Callable, Iterable

from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from gongzhi.indicators.registry import Indicator

_STATIC: dict[tuple, SafeString] = {}


def _static(key: tuple, build: Callable[[], SafeString]) -> SafeString:
    """``build()``, remembered per language (and URL prefix): text that only the code and the
    translations decide."""
    full = (get_language(), get_script_prefix(), *key)
    found = _STATIC.get(full)
    if found is None:
        found = _STATIC[full] = build()
    return found


def _join(parts: Iterable) -> SafeString:
    """Pieces already escaped by ``format_html`` (each a ``SafeString``), joined. A piece that is
    not is refused, neither escaped nor trusted: the join adds no text of its own."""
    parts = list(parts)
    for part in parts:
        if not isinstance(part, SafeData):
            raise TypeError(f"not escaped: {part!r:.40}")
    return SafeString("".join(parts))


@functools.lru_cache(maxsize=8192)
def _cell(text: str, title: str | None) -> SafeString:
    """One table cell; the same few texts ("—", "是", "50.0%", "3/5"…) recur thousands of times on
    a page, so each is escaped once."""
    if title is None:
        return format_html("<td>{}</td>", text)
    return format_html('<td title="{}">{}</td>', title, text)


def cells_html(cells: Iterable[tuple[str, str | None]]) -> SafeString:
    """(text, title) pairs as <td>s."""
    return _join(_cell(text, title) for text, title in cells)


# --- Cards ------------------------------------------------------------------------------------------


def _card_head(indicator: Indicator) -> SafeString:
    return format_html(
        '<div class="col"><div class="card h-100 indicator-card" data-indicator="{key}">'
        '<div class="card-body py-2"><div class="d-flex justify-content-between align-items-start gap-2">'
        '<h3 class="h6 mb-1">{label}</h3>'
        '<button class="btn btn-sm btn-link p-0 text-nowrap" type="button" data-bs-toggle="collapse" '
        'data-bs-target="#def-{key}" aria-expanded="false" aria-controls="def-{key}">{define}</button>'
        '</div><div class="d-flex align-items-baseline gap-2">',
        key=indicator.key,
        label=indicator.label,
        define=_("定义"),
    )


def _card_tail(indicator: Indicator) -> SafeString:
    source = format_html("<dt>{}</dt><dd>{}</dd>", _("出处"), indicator.source) if indicator.source else SafeString("")
    return format_html(
        '</div><div class="collapse small mt-2" id="def-{key}"><dl class="mb-0">'
        "<dt>{formula_term}</dt><dd>{formula}</dd><dt>{unit_term}</dt><dd>{unit}</dd>{source}</dl></div>"
        "</div></div></div>",
        key=indicator.key,
        formula_term=_("公式"),
        formula=indicator.formula,
        unit_term=_("单位"),
        unit=indicator.unit,
        source=source,
    )


def _card_parts(indicator: Indicator) -> tuple[SafeString, SafeString, SafeString]:
    """The card's fixed parts: head, unit, tail (the definition)."""
    return (
        _static(("card-head", indicator.key, id(indicator)), lambda: _card_head(indicator)),
        _static(
            ("card-unit", indicator.key, id(indicator)),
            lambda: format_html('<span class="text-secondary">{}</span>', indicator.unit),
        ),
        _static(("card-tail", indicator.key, id(indicator)), lambda: _card_tail(indicator)),
    )


def cards_html(cards, drill: dict[str, str]) -> SafeString:
    """A section's cards: the figure (a link to the records behind it when there is one), its
    unit or its ratio, and the definition in a collapsed block."""
    title = _static(("drill-title",), lambda: format_html("{}", _("查看背后的记录")))
    parts = []
    for card in cards:
        indicator = card.indicator
        head, unit, tail = _card_parts(indicator)
        url = drill.get(indicator.key)
        if url:
            value = format_html(
                '<a class="fs-4 fw-bold figure-value drilldown" href="{}" title="{}">{}</a>', url, title, card.display
            )
        else:
            value = format_html('<span class="fs-4 fw-bold figure-value">{}</span>', card.display)
        if indicator.is_rate:
            extra = format_html('<span class="text-secondary small figure-ratio">{}</span>', card.ratio)
        elif card.figure.value is not None:
            extra = unit
        else:
            extra = ""
        parts.append(format_html("{}{}{}{}", head, value, extra, tail))
    return _join(parts)


# --- Comparison tables ---------------------------------------------------------------------------


def place_rows_html(rows, *, day: str, area: str, with_community: bool) -> SafeString:
    """One row per community or estate: its name linking to its own dashboard (same date and
    area), its community when asked for, then its figures."""
    return _join(
        format_html(
            '<tr><th scope="row"><a href="?place={}&amp;date={}&amp;area={}">{}</a></th>{}{}</tr>',
            row.place.id,
            day,
            area,
            row.place.name,
            format_html("<td>{}</td>", row.place.parent.name) if with_community else "",
            row.cells_html,
        )
        for row in rows
    )


# --- The case analysis tables --------------------------------------------------------------------

LINE_COLUMNS = (
    ("cases.received", gettext_noop("受理件数")),
    ("cases.response_rate", gettext_noop("响应率")),
    ("cases.resolution_rate", gettext_noop("解决率")),
    ("cases.satisfaction_rate", gettext_noop("满意率")),
    ("cases.on_time_rate", gettext_noop("按时办结率")),
    ("cases.composite_score", gettext_noop("三率综合得分")),
)


def _line_heading() -> SafeString:
    """The figure columns' headings, each linking to its definition."""
    definitions = reverse("indicators:definitions")
    return format_html_join(
        "",
        '<th scope="col"><a href="{}#{}" title="{}">{}</a></th>',
        ((definitions, key, _("定义"), _(label)) for key, label in LINE_COLUMNS),
    )


def lines_html(lines, *, heading: str, table_id: str, ranked: bool = False, place_links: bool = False, day: str = ""):
    """A table of the case figures per line (month, category, party, estate, company)."""
    drill_title = _static(("lines-drill",), lambda: format_html("{}", _("查看这些诉求")))
    rows = []
    for number, line in enumerate(lines, start=1):
        if line.place is not None and place_links:
            label = format_html('<a href="?place={}&amp;date={}">{}</a>', line.place.id, day, line.label)
        else:
            label = line.label
        received = line.sums["received"]
        if line.url:
            received = format_html('<a href="{}" class="drilldown" title="{}">{}</a>', line.url, drill_title, received)
        rows.append(
            format_html(
                '<tr>{}<th scope="row">{}</th><td>{}</td>{}</tr>',
                format_html("<td>{}</td>", number) if ranked else "",
                label,
                received,
                line.rates_html,
            )
        )
    if not rows:
        rows.append(format_html('<tr><td colspan="8" class="text-secondary">{}</td></tr>', _("没有数据")))
    return format_html(
        '<div class="table-responsive"><table class="table table-sm table-striped align-middle small" id="{}">'
        '<thead><tr>{}<th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table></div>',
        table_id,
        _static(("lines-rank",), lambda: format_html('<th scope="col">{}</th>', _("名次"))) if ranked else "",
        heading,
        _static(("lines-heading",), _line_heading),
        _join(rows),
    )
