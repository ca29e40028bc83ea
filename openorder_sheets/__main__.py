"""`python -m openorder_sheets` runs the `openorder` command."""

from openorder_sheets.cli import main

main(prog_name="openorder")
