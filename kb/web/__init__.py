"""HTTP layer: one blueprint per URL area, plus htmx, security and error helpers."""
