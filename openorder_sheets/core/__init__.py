"""The pure core: orders, batches, products, rules and totals.

Nothing in this package does I/O or reads a clock; `now` is always a parameter.
"""
