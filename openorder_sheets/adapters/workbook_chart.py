"""The `Summary` tab's bar chart, built once for both ways of writing the workbook.

openpyxl draws it on its own path; the patching path asks openpyxl for the same chart's XML
(the drawing that places it and the chart itself) and puts those parts into the file.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.relationship import Relationship, RelationshipList
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from openorder_sheets.ports import ChartSpec

DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


def bar_chart(sheet: Worksheet, spec: ChartSpec, values: list[float]) -> BarChart:
    """Filled % per product of one batch, full at the end of the axis, anchored on ``sheet``."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = spec.title
    chart.legend = None
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    # Full is the end of the axis; an over-capacity product (a seller's Confirm) stretches it.
    chart.y_axis.scaling.max = max([1.0, *values])
    chart.y_axis.majorUnit = 0.25
    # Products top to bottom in the table's order (a bar chart draws the first one lowest).
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.crosses = "max"
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told otherwise
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    first, last = spec.first_row + 1, spec.last_row + 1
    data = Reference(sheet, min_col=spec.value_column + 1, min_row=first, max_row=last)
    labels = Reference(sheet, min_col=spec.category_column + 1, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(labels)
    chart.dataLabels = DataLabelList(
        showVal=True,
        showCatName=False,
        showSerName=False,
        showLegendKey=False,
        showPercent=False,
        numFmt="0%",
    )
    series = chart.series[0]
    series.graphicalProperties.solidFill = "7B3F00"
    series.graphicalProperties.line.solidFill = "7B3F00"
    chart.gapWidth = 60
    rows = spec.last_row - spec.first_row + 1
    chart.height = max(7.5, 3.0 + 1.0 * rows)
    chart.width = 16
    chart.anchor = f"{get_column_letter(spec.anchor_column + 1)}2"
    return chart


def chart_parts(
    tab: str, spec: ChartSpec, values: list[float], chart_path: str
) -> dict[str, bytes]:
    """The drawing, its relationships and the chart, as openpyxl writes them.

    Keys: ``"drawing"``, ``"drawing_rels"`` (pointing at ``chart_path``, e.g.
    ``/xl/charts/chart1.xml``) and ``"chart"``.
    """
    sheet = Workbook().active
    sheet.title = tab
    chart = bar_chart(sheet, spec, values)
    drawing = SpreadsheetDrawing()
    drawing.charts.append(chart)
    drawing_xml = tostring(drawing._write())
    relationships = RelationshipList()
    relationships.append(Relationship(type="chart", Target=chart_path, Id="rId1"))
    return {
        "drawing": drawing_xml,
        "drawing_rels": tostring(relationships.to_tree()),
        "chart": tostring(chart._write()),
    }
