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
from collections.abc import Iterable

from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from gongzhi.indicators.registry import Indicator

_STATIC: dict[tuple[str, str], dict] = {}


def _fixed() -> dict:
    """Text that only the code and the translations decide, remembered per language (and URL
    prefix): look it up once per table or list of cards, not per item."""
    return _STATIC.setdefault((get_language(), get_script_prefix()), {})


def _join(parts: Iterable) -> SafeString:
    """Pieces already escaped by ``format_html`` (each a ``SafeString``), joined. A piece that is
    not is refused, neither escaped nor trusted: the join adds no text of its own."""
    parts = list(parts)
    for part in parts:
        if not isinstance(part, SafeData):
            raise TypeError(f"not escaped: {part!r:.40}")
    # Every piece was escaped by format_html (checked above) and the join adds no text of its own.
    return mark_safe("".join(parts))  # noqa: S308  # nosec


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


def _card_parts(indicator: Indicator) -> tuple[SafeString, SafeString, SafeString]:
    """The card's fixed parts: the head (label, the definition's button), the unit, the tail (the
    definition: formula, unit, source)."""
    head = format_html(
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
    unit = format_html('<span class="text-secondary">{}</span>', indicator.unit)
    source = format_html("<dt>{}</dt><dd>{}</dd>", _("出处"), indicator.source) if indicator.source else format_html("")
    tail = format_html(
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
    return head, unit, tail


def cards_html(cards, drill: dict[str, str]) -> SafeString:
    """A section's cards: the figure (a link to the records behind it when there is one), its
    unit or its ratio, and the definition in a collapsed block."""
    fixed = _fixed()
    title = fixed.get("drill-title") or fixed.setdefault("drill-title", format_html("{}", _("查看背后的记录")))
    parts = []
    for card in cards:
        indicator = card.indicator
        key = ("card", indicator.key, id(indicator))
        head, unit, tail = fixed.get(key) or fixed.setdefault(key, _card_parts(indicator))
        url = drill.get(indicator.key)
        if indicator.is_rate:
            extra = format_html('<span class="text-secondary small figure-ratio">{}</span>', card.ratio)
        elif card.figure.value is not None:
            extra = unit
        else:
            extra = ""
        if url:
            parts.append(
                format_html(
                    '{}<a class="fs-4 fw-bold figure-value drilldown" href="{}" title="{}">{}</a>{}{}',
                    head,
                    url,
                    title,
                    card.display,
                    extra,
                    tail,
                )
            )
        else:
            parts.append(
                format_html('{}<span class="fs-4 fw-bold figure-value">{}</span>{}{}', head, card.display, extra, tail)
            )
    return _join(parts)


# --- Comparison tables ---------------------------------------------------------------------------


def place_rows_html(rows, *, day: str, area: str, with_community: bool) -> SafeString:
    """One row per community or estate: its name linking to its own dashboard (same date and
    area), its community when asked for, then its figures."""
    yes, no = _("是"), _("否")
    if with_community:
        return _join(
            format_html(
                '<tr><th scope="row"><a href="?place={}&amp;date={}&amp;area={}">{}</a></th><td>{}</td>{}</tr>',
                row.place.id,
                day,
                area,
                row.place.name,
                row.place.parent.name,
                row.cells_html_in(yes, no),
            )
            for row in rows
        )
    return _join(
        format_html(
            '<tr><th scope="row"><a href="?place={}&amp;date={}&amp;area={}">{}</a></th>{}</tr>',
            row.place.id,
            day,
            area,
            row.place.name,
            row.cells_html_in(yes, no),
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


def _line_fixed() -> tuple[SafeString, SafeString, SafeString]:
    return (
        _line_heading(),
        format_html('<th scope="col">{}</th>', _("名次")),
        format_html("{}", _("查看这些诉求")),
    )


def lines_html(lines, *, heading: str, table_id: str, ranked: bool = False, place_links: bool = False, day: str = ""):
    """A table of the case figures per line (month, category, party, estate, company)."""
    fixed = _fixed()
    figures_heading, rank_heading, drill_title = fixed.get("lines") or fixed.setdefault("lines", _line_fixed())
    rows = []
    for number, line in enumerate(lines, start=1):
        rank = _cell(str(number), None) if ranked else ""
        if line.place is not None and place_links:
            label = format_html('<a href="?place={}&amp;date={}">{}</a>', line.place.id, day, line.label)
        else:
            label = line.label
        received = line.sums["received"]
        if line.url:
            row = format_html(
                '<tr>{}<th scope="row">{}</th><td><a href="{}" class="drilldown" title="{}">{}</a></td>{}</tr>',
                rank,
                label,
                line.url,
                drill_title,
                received,
                line.rates_html,
            )
        else:
            row = format_html('<tr>{}<th scope="row">{}</th><td>{}</td>{}</tr>', rank, label, received, line.rates_html)
        rows.append(row)
    if not rows:
        rows.append(format_html('<tr><td colspan="8" class="text-secondary">{}</td></tr>', _("没有数据")))
    return format_html(
        '<div class="table-responsive"><table class="table table-sm table-striped align-middle small" id="{}">'
        '<thead><tr>{}<th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table></div>',
        table_id,
        rank_heading if ranked else "",
        heading,
        figures_heading,
        _join(rows),
    )
