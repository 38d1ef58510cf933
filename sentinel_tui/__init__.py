"""Sentinel's terminal front ends: the Textual dashboard, headless mode and the typer CLI."""
