#!/usr/bin/env python3
"""Keeps the man page and the shell completions in step with the options
the CLI11 parser really has, as `tcphs --help` and `tcphs CMD --help` list
them.

  docs_check.py cli TCPHS                 the parser's view, as JSON
  docs_check.py man TCPHS MANPAGE         man page vs parser
  docs_check.py offered TCPHS SHELL FILE  completion vs parser; FILE is JSON
                                          {"commands": [...], "options": {CMD: [...]}}
                                          with "" for the top level
  docs_check.py zsh-offered FILE          that JSON from lines "CMD<TAB>SPEC" holding
                                          the _arguments specs of CMD's function
                                          (CMD "commands": a _describe entry)

Each check prints one line per problem and exits 1 if there was any.
"""
import json
import re
import subprocess
import sys

OPTION = re.compile(r"^--?[A-Za-z0-9][-A-Za-z0-9]*$")


def run_help(tcphs, *args):
    r = subprocess.run([tcphs, *args, "--help"], capture_output=True, text=True, timeout=10)
    if r.returncode != 0 or r.stderr:
        sys.exit(f"'{tcphs} {' '.join(args)} --help' failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def help_sections(text):
    """CLI11 help: unindented 'Name:' lines open a section; entries are
    indented by two spaces; continuation lines by more."""
    sections, name = {}, None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            name = line.rstrip(":") if line.endswith(":") else None
            continue
        if name and line.startswith("  ") and not line.startswith("   "):
            sections.setdefault(name, []).append(line[2:])
    return sections


def parse_options(entries):
    """'-c,--count INT:INT in [1 - 1000000]=1   Probes per target' ->
    {'-c': '1', '--count': '1'}; None when there is no default."""
    options = {}
    for entry in entries:
        first = re.split(r"\s{2,}", entry.strip())[0]
        names = first.split(" ")[0].split(",")
        default = re.search(r"=(\S+)$", first) if " " in first else None
        for n in names:
            if not OPTION.match(n):
                sys.exit(f"cannot read option name '{n}' in help line '{entry}'")
            options[n] = default.group(1) if default else None
    return options


def cli(tcphs):
    top = help_sections(run_help(tcphs))
    commands = [e.split()[0] for e in top.get("Subcommands", [])]
    if not commands:
        sys.exit("no subcommands in 'tcphs --help'")
    result = {"": parse_options(top.get("Options", []))}
    for c in commands:
        result[c] = parse_options(help_sections(run_help(tcphs, c)).get("Options", []))
    return result


# --- man page -------------------------------------------------------------

def roff_text(line):
    """Roughly what a roff line prints: macros, font escapes and quotes
    removed, '\\-' as '-'."""
    line = re.sub(r"^\.(B|I|BR|RB|IR|RI|BI|IB|SM)\s+", "", line)
    line = re.sub(r"\\f[BIRP]", "", line).replace("\\-", "-").replace("\\(em", "-").replace("\\(en", "-")
    line = re.sub(r'\\\((lq|rq)', '"', line)
    return line.replace('"', "")


def man_entries(path):
    """[(section, subsection, [option names], paragraph text)] for every .TP,
    and every (section, subsection)."""
    entries, subsections = [], []
    section = sub = None
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(".SH "):
            section, sub = roff_text(line[4:]).strip(), None
        elif line.startswith(".SS "):
            sub = roff_text(line[4:]).strip()
            subsections.append((section, sub))
        elif line.startswith(".TP") and i + 1 < len(lines):
            tag = roff_text(lines[i + 1])
            names = [t for t in re.split(r"[\s,\[\]]+", tag) if OPTION.match(t)]
            body = []
            j = i + 2
            while j < len(lines) and not re.match(r"\.(TP|SS|SH|PP|IP|\\\")", lines[j]):
                body.append(roff_text(lines[j]))
                j += 1
            entries.append((section, sub, names, " ".join(body)))
        i += 1
    return entries, subsections


def check_man(tcphs, path):
    known = cli(tcphs)
    problems = []
    entries, subsections = man_entries(path)
    documented_commands = {s.split()[1] for (sec, s) in subsections if sec == "COMMANDS" and s.startswith("tcphs ")}
    for c in known:
        if c and c not in documented_commands:
            problems.append(f"command '{c}' has no .SS \"tcphs {c} ...\" under COMMANDS")
    for c in documented_commands - set(known):
        problems.append(f"the man page documents 'tcphs {c}', which the binary does not have")

    def where(cmd):
        own = [(n, t) for (sec, s, names, t) in entries if sec == "COMMANDS" and s and s.split()[1:2] == [cmd]
               for n in names]
        shared = [(n, t) for (sec, _, names, t) in entries if sec in ("COMMON OPTIONS", "OPTIONS") for n in names]
        return own, shared

    for cmd, options in known.items():
        own, shared = where(cmd) if cmd else ([], [])
        if not cmd:
            shared = [(n, t) for (sec, _, names, t) in entries if sec == "OPTIONS" for n in names]
        docs = dict(shared)
        docs.update(dict(own))
        label = f"tcphs {cmd}".strip()
        for name, default in options.items():
            if name not in docs:
                problems.append(f"{label}: {name} is not documented")
            elif default is not None and not re.search(r"Default: " + re.escape(default) + r"(\.|\s|$)", docs[name]):
                problems.append(f"{label}: {name} defaults to {default}, the man page does not say 'Default: {default}.'")
        for name, _ in own:
            if name not in options:
                problems.append(f"{label}: the man page documents {name}, which '{label} --help' does not list")
    every = set().union(*[set(o) for o in known.values()])
    for (sec, _, names, _) in entries:
        if sec in ("COMMON OPTIONS", "OPTIONS"):
            problems += [f"{sec}: {n} is an option of no command" for n in names if n not in every]
    return problems


# --- completions ----------------------------------------------------------

def check_offered(tcphs, shell, path):
    known = cli(tcphs)
    offered = json.load(open(path, encoding="utf-8"))
    problems = []
    commands = set(offered.get("commands", []))
    for c in known:
        if c and c not in commands:
            problems.append(f"{shell}: command '{c}' is not offered")
    problems += [f"{shell}: offers command '{c}', which does not exist" for c in sorted(commands - set(known))]
    for cmd, options in known.items():
        label = f"tcphs {cmd}".strip()
        got = set(offered.get("options", {}).get(cmd, []))
        problems += [f"{shell}: {label}: {n} is not offered" for n in sorted(set(options) - got)]
        problems += [f"{shell}: {label}: offers {n}, which '{label} --help' does not list" for n in sorted(got - set(options))]
    return problems


ZSH_SPEC = re.compile(r"^\*?(?:\([^)]*\))?\*?(--?[A-Za-z0-9][-A-Za-z0-9]*)")


def zsh_offered(path):
    """The options in _arguments specs such as '(-c --count)--count=[...]:n:'."""
    offered = {"commands": [], "options": {}}
    for line in open(path, encoding="utf-8").read().splitlines():
        cmd, _, spec = line.partition("\t")
        if cmd == "commands":
            offered["commands"].append(spec.split(":")[0])
            continue
        m = ZSH_SPEC.match(spec)
        offered["options"].setdefault(cmd, [])
        if m:
            offered["options"][cmd].append(m.group(1))
    return offered


def main(argv):
    if len(argv) >= 2 and argv[0] == "cli":
        print(json.dumps(cli(argv[1]), indent=1, sort_keys=True))
        return 0
    if len(argv) == 2 and argv[0] == "zsh-offered":
        print(json.dumps(zsh_offered(argv[1])))
        return 0
    if len(argv) == 3 and argv[0] == "man":
        problems = check_man(argv[1], argv[2])
    elif len(argv) == 4 and argv[0] == "offered":
        problems = check_offered(argv[1], argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 64
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
