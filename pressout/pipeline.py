"""The build's former home: ``pressout.build`` is the package now. Kept so that code
written against ``pressout.pipeline`` goes on working; new code imports ``pressout.build``."""

from .build import PAGE_SUFFIXES, BuildReport, Failure, build, find_pages, is_tei, output_files

__all__ = ["PAGE_SUFFIXES", "BuildReport", "Failure", "build", "find_pages", "is_tei", "output_files"]
