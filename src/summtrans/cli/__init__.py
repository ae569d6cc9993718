"""The command line: one Typer command per function, wiring options to the library."""
