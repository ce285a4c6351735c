"""A statistics table as CSV: one row per cell, names beside ids, suppressed cells marked."""

import csv
import io

from app.stats.service import MEASURES, Dimension, Table


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    named = [d for d in table.group_by if d in (Dimension.organisation, Dimension.area)]
    writer.writerow(
        [d.value for d in table.group_by]
        + [f"{d.value}_name" for d in named]
        + ["suppressed", *MEASURES]
    )
    for cell in table.cells:
        writer.writerow(
            [cell.group[d.value] or "" for d in table.group_by]
            + [cell.labels.get(d.value, "") for d in named]
            + ["true" if cell.suppressed else "false"]
            + ["" if cell.measures[m] is None else cell.measures[m] for m in MEASURES]
        )
    return out.getvalue()
