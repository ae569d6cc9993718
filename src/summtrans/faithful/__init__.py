"""The faithful layer around the translation model: protected spans, glossary, length cap and guards, number checks, the quality report."""
