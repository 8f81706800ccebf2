"""`fig watch`: the `develop.watch` rules of a project's services, followed as files change."""

from fig.watch.session import Update, Watcher

__all__ = ["Update", "Watcher"]
