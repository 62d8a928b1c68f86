"""The node kinds, one module each (``core.nodes.catalog`` lists them by type)."""
