"""Excel in and out: column specs, reader, writer, CIRMP pack (imports kb, never Flask)."""
