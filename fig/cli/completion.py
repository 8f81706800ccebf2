"""Shell completion scripts made from the command grammar: the commands and their flags come from the docstrings,
service names from the project file at completion time (`fig config --services`, with the -f/-p typed so far)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

from fig.patterns import pattern
from fig.records import record

# an option line of a docstring: "  -t, --timeout TIMEOUT  Seconds ..." or "  --as NAME  The ..."
_OPTION = pattern(r"^\s+((?:-[\w?]|--[\w-]+)(?:[ =][A-Z][\w=.-]*)?(?:,\s*(?:-[\w?]|--[\w-]+)(?:[ =][A-Z][\w=.-]*)?)*)"
                     r"(?:\s{2,}(.*))?$")
WORDS = {"completion": ["bash", "zsh", "fish"], "plugin": ["install", "uninstall"]}
PROJECT_FLAGS = {"-f", "--file", "-p", "--project-name", "--project-directory", "--env-file", "--profile"}


@record(frozen=True)
class Flag:
    names: tuple[str, ...]
    takes_value: bool
    help: str = ""


@record(frozen=True)
class Command:
    name: str
    help: str
    flags: tuple[Flag, ...]
    services: bool  # it takes SERVICE arguments


def flags_of(doc: str) -> tuple[Flag, ...]:
    """The flags an `Options:` section of a docstring declares."""
    found = []
    for line in doc.splitlines():
        m = _OPTION.match(line)
        if not m:
            continue
        parts = [p.strip() for p in m[1].split(",")]
        names = tuple(re.split(r"[ =]", p)[0] for p in parts)
        found.append(Flag(names, any(re.search(r"[ =][A-Z]", p) for p in parts), (m[2] or "").strip()))
    return tuple(found)


def grammar(top: str, usage: dict[str, str]) -> tuple[tuple[Flag, ...], tuple[Command, ...]]:
    """The global flags and the commands (with the one-line help of the Commands: list) of the CLI."""
    helps = dict(re.findall(r"^\s{2}(\w[\w-]*)\s{2,}(.*)$", top.split("Commands:", 1)[-1], re.M))
    commands = tuple(Command(name, helps.get(name, ""), flags_of(doc), "SERVICE" in doc)
                     for name, doc in sorted(usage.items()))
    return flags_of(top.split("Commands:", 1)[0]), commands


def _words(items: Iterable[str]) -> str:
    return shlex.quote(" ".join(items))


def bash(global_flags: tuple[Flag, ...], commands: tuple[Command, ...]) -> str:
    project = "|".join(n for f in global_flags for n in f.names if n in PROJECT_FLAGS)
    valued = "|".join(n for f in global_flags if f.takes_value for n in f.names if n not in PROJECT_FLAGS)
    cases = []
    for c in commands:
        words = WORDS.get(c.name, [x.name for x in commands] if c.name == "help" else [])
        cases.append(f"        {c.name}) flags={_words(n for f in c.flags for n in f.names)}; "
                     f"words={_words(words)}; services={int(c.services)};;")
    return f"""# fig completion for bash: eval "$(fig completion bash)", or save it in
# /etc/bash_completion.d/fig (or ~/.local/share/bash-completion/completions/fig)
_fig_completion() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" cmd="" i flags words services
    local -a project=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            compose) ;;
            {project})
                project+=("${{COMP_WORDS[i]}}" "${{COMP_WORDS[i+1]}}"); ((i++));;
            {valued or "--no-such-flag"}) ((i++));;
            -*) ;;
            *) cmd="${{COMP_WORDS[i]}}"; break;;
        esac
    done
    if [[ -z "$cmd" ]]; then
        if [[ "$cur" == -* ]]; then
            COMPREPLY=($(compgen -W {_words(n for f in global_flags for n in f.names)} -- "$cur"))
        else
            COMPREPLY=($(compgen -W {_words(["compose", *(c.name for c in commands)])} -- "$cur"))
        fi
        return 0
    fi
    case "$cmd" in
{chr(10).join(cases)}
        *) flags=""; words=""; services=0;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif [[ -n "$words" ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    elif [[ "$services" == 1 ]]; then
        COMPREPLY=($(compgen -W "$(fig "${{project[@]}}" config --services 2>/dev/null)" -- "$cur"))
    fi
    return 0
}}
complete -F _fig_completion fig
"""


def zsh(global_flags: tuple[Flag, ...], commands: tuple[Command, ...]) -> str:
    return ("#compdef fig\n# fig completion for zsh: eval \"$(fig completion zsh)\" in ~/.zshrc (the bash script, "
            "through zsh's bashcompinit)\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && "
            "bashcompinit\n" + bash(global_flags, commands))


def fish(global_flags: tuple[Flag, ...], commands: tuple[Command, ...]) -> str:
    lines = ["# fig completion for fish: fig completion fish > ~/.config/fish/completions/fig.fish",
             "complete -c fig -f"]
    names = " ".join(["compose", *(c.name for c in commands)])

    def flag(f: Flag, condition: str) -> str:
        spec = " ".join(f"-l {n[2:]}" if n.startswith("--") else f"-s {n[1:]}" for n in f.names)
        value = " -r" if f.takes_value else ""
        return f"complete -c fig -n {shlex.quote(condition)} {spec}{value} -d {shlex.quote(f.help)}"

    lines += [flag(f, f"not __fish_seen_subcommand_from {names}") for f in global_flags]
    for c in commands:
        seen = f"__fish_seen_subcommand_from {c.name}"
        lines.append(f"complete -c fig -n {shlex.quote(f'not __fish_seen_subcommand_from {names}')} -a {c.name} "
                     f"-d {shlex.quote(c.help)}")
        lines += [flag(f, seen) for f in c.flags]
        words = " ".join(WORDS.get(c.name, []))
        if words:
            lines.append(f"complete -c fig -n {shlex.quote(seen)} -a {shlex.quote(words)}")
        elif c.services:
            lines.append(f"complete -c fig -n {shlex.quote(seen)} -a '(fig config --services 2>/dev/null)'")
    return "\n".join(lines) + "\n"


SHELLS = {"bash": bash, "zsh": zsh, "fish": fish}
