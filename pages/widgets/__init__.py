"""The builder page's parts: canvas, palette, inspector, settings, problems, code, toolbar."""
