"""The tables under every chart: one shape for the page, the CSV download and the API.

A table holds raw values (fractions, seconds, currency units, datetimes); the page formats
them with each column's unit, the CSV writes them as they are (with the unit in the header),
and the API returns them as JSON.
"""

import csv
from dataclasses import dataclass, field
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone

from flywheel.chart_scales import COUNT, Unit

TEXT = Unit(kind="text")
WHEN = Unit(kind="when")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: Unit = COUNT

    @property
    def is_number(self) -> bool:
        return self.unit.kind not in ("text", "when")

    @property
    def csv_header(self) -> str:
        suffix = {
            "percent": " (fraction)",
            "duration": " (seconds)",
            "money": f" ({self.unit.symbol or 'currency'})",
        }.get(self.unit.kind, "")
        return self.label + suffix

    def display(self, value, *, hourly: bool = False) -> str:
        if value is None:
            return "\u2013"
        if self.unit.kind == "when":
            local = timezone.localtime(value) if isinstance(value, datetime) else value
            return f"{local:%Y-%m-%d %H:%M}" if hourly else f"{local:%a %Y-%m-%d}"
        if self.unit.kind == "text":
            return str(value)
        return self.unit.format(value)


@dataclass
class Table:
    name: str  # the slug of its CSV download
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str = ""
    hourly: bool = False

    def display_rows(self) -> list[list[tuple[str, bool]]]:
        """Each cell as (text, is a number), for the template."""
        return [
            [(c.display(row.get(c.key), hourly=self.hourly), c.is_number) for c in self.columns]
            for row in self.rows
        ]

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "columns": [
                {"key": c.key, "label": c.label, "unit": c.unit.kind} for c in self.columns
            ],
            "rows": [
                {c.key: _json_value(row.get(c.key)) for c in self.columns} for row in self.rows
            ],
        }


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def csv_response(table: Table, *, prefix: str) -> HttpResponse:
    """The table as a CSV download, named after the page and the table."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{prefix}-{table.name}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([c.csv_header for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in table.columns])
    return response


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a name must never run as a spreadsheet formula
    return value
