"""The node catalog: each kind of node in its own module (``core.nodes.kinds``), listed by
``core.nodes.catalog``; ``core.nodes.kind`` says what a kind defines."""
