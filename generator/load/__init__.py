"""Load stage: the only code that reads input files.

Bytes in, typed records plus problems out (cards with line marks, CodeCarbon runs, power logs,
energy counters, grid data, factors, the rating reference, hand-written pages). Never raises for
a user's mistake. Imports formats/ and nothing above it.
"""
