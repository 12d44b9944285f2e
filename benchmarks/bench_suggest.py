"""How long a mapping suggestion takes on a large export and on a sign-up form.

* ``hris``: :func:`workbench.data.suggest.suggest_mapping` of an HRIS-style export of the demo organisation's
  people (headers ``Employee ID``, ``Dept``, ``Grade`` as ``L3``, dates as dd/mm/yyyy...) repeated with new ids to
  ROWS rows (default 300,000: the size of the largest workbook ``bench_workbook.py`` imports), against the demo
  organisation's tables;
* ``form``: the suggestion for ``datasets/examples/signup-form-google.csv`` as enrolment (e-mails looked up,
  answers matched to skills).

Each is the median of three runs; the load average is printed beside each time. ``python bench_suggest.py ROWS``
uses another size.
"""

from __future__ import annotations

import sys

import pandas as pd

from measure import load, median_seconds
from workbench.data.reading import RawTable, read_table_file
from workbench.data.suggest import suggest_mapping
from workbench.workspace import DATASETS, DEMO_SOURCE

ROWS = 300_000


def main(rows: int = ROWS) -> None:
    demo = {t: pd.read_csv(DEMO_SOURCE / f"{t}.csv", dtype=str, keep_default_na=False)
            for t in ("people", "skills", "enrolment")}
    people = demo["people"]
    export = pd.DataFrame({
        "Employee ID": people["person_id"], "Full Name": people["name"], "Work Email": people["email"],
        "Dept": people["department"], "Job Title": people["job_title"], "Grade": "L" + people["level"],
        "Location": people["location"], "Manager ID": people["manager_id"],
        "Hire Date": pd.to_datetime(people["hire_date"]).dt.strftime("%d/%m/%Y"),
        "Termination Date": pd.to_datetime(people["exit_date"].replace("", None)).dt.strftime("%d/%m/%Y").fillna("")})
    copies = -(-rows // len(export))
    big = pd.concat([export.assign(**{"Employee ID": export["Employee ID"] + f"-{n}",
                                      "Manager ID": export["Manager ID"].where(export["Manager ID"].eq(""),
                                                                               export["Manager ID"] + f"-{n}")})
                     for n in range(copies)], ignore_index=True).head(rows)
    raw = RawTable(big.set_axis(range(2, len(big) + 2)), "hris.csv", DATASETS / "hris.csv")
    seconds = median_seconds(lambda: suggest_mapping(raw, "people", existing=demo), 3)
    print(f"hris  {len(big):>9,} rows x {big.shape[1]} columns: {seconds:6.2f} s   ({load()})")
    form = read_table_file(DATASETS / "examples" / "signup-form-google.csv")
    seconds = median_seconds(lambda: suggest_mapping(form, "enrolment", existing=demo), 3)
    print(f"form  {len(form.frame):>9,} rows x {len(form.columns)} columns: {seconds:6.2f} s   ({load()})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS)
