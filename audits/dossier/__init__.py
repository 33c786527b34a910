"""Dossier PDFs: what a dossier contains (`content`), French typography (`typography`), and how
its render units are laid out by WeasyPrint and joined into one PDF (`pdf`)."""
