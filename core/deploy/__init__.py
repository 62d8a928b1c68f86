"""Deploying workflows: immutable versions, version-safe redeploys, determinism gate, export."""
