"""Charts drawn on the server as SVG (pygal), so they need no script: each comes with its
figures as a table, for screen readers and for anyone who wants the exact numbers."""

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pygal
from markupsafe import Markup
from pygal.style import Style

from fleetcharge.console.pages import TEMPLATES

# The console's palette (console.css): ink, accent, second series.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#9aa5b1",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    value_font_size=11,
    tooltip_font_size=12,
    colors=("#0b7285", "#e8590c", "#5f3dc4", "#2b8a3e"),
)


@dataclass(frozen=True)
class Series:
    """One line or set of bars; `values` in the unit, None where there is no figure."""

    name: str
    unit: str
    values: Sequence[Decimal | None]
    secondary: bool = False  # drawn against the right-hand axis


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    return _figure(title, labels, series, pygal.Bar)


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    return _figure(title, labels, series, pygal.Line)


def _figure(
    title: str, labels: Sequence[str], series: Sequence[Series], kind: type[pygal.graph.graph.Graph]
) -> Markup:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"{one.name}: {len(one.values)} values for {len(labels)} labels")
    chart = kind(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        width=880,
        height=320,
        legend_at_bottom=True,
        legend_at_bottom_columns=max(1, len(series)),
        show_minor_x_labels=len(labels) <= 12,
        x_labels_major_every=max(1, len(labels) // 8),
        truncate_label=-1,
        margin=8,
        spacing=12,
        print_values=False,
        dots_size=2,
    )
    chart.x_labels = list(labels)
    for one in series:
        chart.add(
            f"{one.name} ({one.unit})",
            [None if value is None else float(value) for value in one.values],
            secondary=one.secondary,
        )
    return Markup(
        TEMPLATES.get_template("chart.html").render(
            title=title, svg=Markup(_without_scripts(chart)), labels=labels, series=series
        )
    )


def _without_scripts(chart: pygal.graph.graph.Graph) -> str:
    """The SVG without pygal's inline configuration script: the pages' Content-Security-Policy
    allows no inline script (it would be refused, and logged as an error in the console)."""
    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if child.tag == "script":
                parent.remove(child)
    root.set("role", "img")
    return ET.tostring(root, encoding="unicode")
