"""The Textual face of tuinews: the only package that imports Textual."""
