"""The command-line interface: the only layer that reads argv, writes to the terminal or exits."""
