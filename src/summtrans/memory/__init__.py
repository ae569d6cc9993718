"""The translation memory: SQLite store, its keys, TMX import and export."""
