"""Exporters: each turns the article model into one kind of output and never re-reads text."""
