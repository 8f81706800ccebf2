import re
from pathlib import Path

from setuptools import find_packages, setup

version = re.search(r'__version__ = "([^"]+)"', Path("fig/__init__.py").read_text()).group(1)

setup(
    name="fig",
    version=version,
    description="Define and run multi-container applications with Docker",
    long_description=Path("README.md").read_text() if Path("README.md").exists() else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["fig", "fig.*"]),
    package_data={"fig": ["py.typed", "__init__.pyi"], "fig.config": ["fig.schema.json"]},
    install_requires=[
        "PyYAML>=6",
        "docker>=7",
        "jsonschema>=4",
        "colorama>=0.4",
        "docopt-ng>=0.9",
        "watchfiles>=0.21",  # fig watch: file events (inotify through Rust's notify)
        "pathspec>=1.0",  # fig watch: .dockerignore-style patterns
        "h2>=4",  # builds without buildx: the BuildKit session (HTTP/2) that serves secrets and ssh to the engine
    ],
    extras_require={"test": ["pytest>=7", "pytest-timeout>=2", "pytest-docker>=3.2", "testcontainers>=4.15",
                             "python-on-whales>=0.81"]},
    entry_points={"console_scripts": ["fig = fig.cli.main:run"]},
)
