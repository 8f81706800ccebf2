"""fig: run multi-container applications on one Docker engine."""

__version__ = "1.1.0"
