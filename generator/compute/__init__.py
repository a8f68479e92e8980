"""Compute stage: pure numbers, no display strings.

Measured runs -> kWh per 1,000 queries and CO2, power integration, equivalences, ratings,
break-even, card summaries, diffs. Everything it needs (grid data, factors, rating reference) is
passed in; nothing here reads a file or formats a number for display.
"""
