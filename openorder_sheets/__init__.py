"""openorder-sheets: run an open order (pre-order batch) from a spreadsheet."""

__version__ = "0.1.0"
