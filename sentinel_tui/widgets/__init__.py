"""The dashboard's widgets, one per file; they get their data sources in their constructors."""
