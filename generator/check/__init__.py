"""Check stage: validation, and the gate.

Takes loaded records, gives valid `Card` models and every problem located at file:line:col.
A card with any error (type, cross-field, or in a measurement file it references) goes no
further: compute only ever sees cards that passed.
"""
