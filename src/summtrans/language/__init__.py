"""Which language a text is in (py3langid, restricted) and how each document is routed by it."""
