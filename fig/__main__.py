from fig.cli.main import run

run()
