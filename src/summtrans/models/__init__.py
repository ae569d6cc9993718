"""Models on disk and in models.yaml: the config schema, the hub cache, downloads, conversions, offline bundles."""
