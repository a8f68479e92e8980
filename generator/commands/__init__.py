"""Side commands: one module per command beside build (new, import-hf, measure, inspect,
export, diff, ratings, schema). Each may use any stage below; none imports another command.
"""
