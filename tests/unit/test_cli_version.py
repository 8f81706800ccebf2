"""--version after global options prints the version, as `fig --version` does."""

from fig import __version__
from fig.cli.main import main


def test_version_after_global_options(capsys):
    assert main(["-p", "x", "--parallel", "4", "--version"]) == 0
    assert capsys.readouterr().out == f"fig version {__version__}\n"

