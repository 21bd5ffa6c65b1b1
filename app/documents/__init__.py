"""Printed documents, rendered to PDF with reportlab and the bundled CJK font embedded.

One module per document, each with a ``render_*(..., invariant=False) -> bytes`` function;
what a document prints is a frozen data class in ``app.documents.data`` (reportlab-free, so
importing it costs nothing at start-up). Qt's print dialog and preview send the same bytes to
a printer. Import renderers where they are used, not at module level of services or screens.
"""
