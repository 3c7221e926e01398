"""The one HTML-table helper: escaping, layout options, empty tables."""

import numpy as np
import pandas as pd

from arkit.rendering.html import escape, table


def test_every_value_and_heading_is_escaped():
    frame = pd.DataFrame({'a"b': ['<script>alert(1)</script>'], "n": ["x&y"]})
    page = table(frame, row_attributes=lambda r: {"data-id": r["n"] + '"'})
    assert "<script>" not in page
    assert '<th>a&quot;b</th>' in page
    assert '<tr data-id="x&amp;y&quot;">' in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page


def test_missing_values_are_empty_unless_a_text_function_says_otherwise():
    frame = pd.DataFrame({"s": pd.array(["a", None], dtype="string"), "x": [np.nan, 2.0], "o": [None, "b"]})
    assert table(frame) == ("<table><thead><tr><th>s</th><th>x</th><th>o</th></tr></thead><tbody>"
                            "<tr><td>a</td><td></td><td></td></tr><tr><td></td><td>2.0</td><td>b</td></tr>"
                            "</tbody></table>")
    shown = table(frame[["x"]], text={"x": lambda v: "n/a" if pd.isna(v) else f"{v:.1f}"})
    assert "<td>n/a</td><td>2.0</td>" in shown.replace("</tr><tr>", "")
    assert escape(None) == escape(float("nan")) == escape(pd.NA) == ""


def test_columns_headings_kinds_row_headers_and_lines():
    frame = pd.DataFrame({"metric": ["ROC AUC"], "model": [0.8712], "base": [0.79], "unused": [1]})
    page = table(frame, {"metric": "", "model": "Model", "base": "Baseline"}, row_headers=True,
                 text=lambda c, v: v if c == "metric" else f"{v:.3f}",
                 kinds=lambda c, v: "" if c == "metric" else ("num best" if v == 0.8712 else "num"),
                 classes="metrics", lines=True)
    assert page == ('<table class="metrics">\n<thead><tr><th></th><th class="num">Model</th>'
                    '<th class="num">Baseline</th></tr></thead>\n<tbody>\n<tr><th>ROC AUC</th>'
                    '<td class="num best">0.871</td><td class="num">0.790</td></tr>\n</tbody>\n</table>')
    assert "unused" not in page


def test_empty_frames():
    frame = pd.DataFrame({"a": []})
    assert table(frame) == '<p class="empty">Nothing here.</p>'
    assert table(frame, empty="No <open> items.") == '<p class="empty">No &lt;open&gt; items.</p>'
    assert table(frame, empty=None) == "<table><thead><tr><th>a</th></tr></thead><tbody></tbody></table>"
