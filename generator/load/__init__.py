"""Load stage: the only code that reads input files (cards, measurement files)."""
