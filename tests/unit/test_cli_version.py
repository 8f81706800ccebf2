"""--version after global options prints the version, as `fig --version` does."""

from fig import __version__
from fig.cli.main import main


def test_version_after_global_options(capsys):
    assert main(["-p", "x", "--parallel", "4", "--version"]) == 0
    assert capsys.readouterr().out == f"fig version {__version__}\n"



def test_version_short_and_json(capsys):
    assert main(["version", "--short"]) == 0
    assert capsys.readouterr().out == f"{__version__}\n"
    assert main(["version", "--format", "json"]) == 0
    assert capsys.readouterr().out == f'{{"version":"{__version__}"}}\n'
    assert main(["version", "-f", "yaml"]) == 1
