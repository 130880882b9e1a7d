"""The project's Python: site model, cross-link checker, Markdown extension, PDF."""
