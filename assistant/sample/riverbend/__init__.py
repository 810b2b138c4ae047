"""A second fixture practice, Riverbend Family & Sports Medicine, built unlike the sample:
contracts only as PDF/DOCX, clearinghouse 835s, an 837P and no CSV in Parley's layout."""
