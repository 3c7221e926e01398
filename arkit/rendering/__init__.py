"""Rendering: everything that turns arkit's tables into something a person reads.

XLSX workbooks, HTML pages and tables, PDF statements, plots, terminal text, and the guard
against formula injection in CSV and XLSX cells. Analytics never format; they return frames,
and this package presents them.
"""
