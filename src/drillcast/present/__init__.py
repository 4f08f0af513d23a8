"""Presentation: text tables, figures (results -> Axes) and the PDF report.

Modules here only draw or word results computed by :mod:`drillcast.analysis`;
they never fit a model or read a file.
"""
