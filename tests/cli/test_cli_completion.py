"""Shell completion (Typer's): ``teamquota --show-completion`` prints the script for the
shell, ``--install-completion`` installs it. The shell is named explicitly here (Typer's
switch that turns off detecting it from the process tree), so the test does not depend on
the shell it runs under."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPTS = {
    "bash": "complete -o default -F _teamquota_completion teamquota",
    "zsh": "compdef _teamquota_completion teamquota",
    "fish": "complete --command teamquota --no-files --arguments",
}


@pytest.mark.parametrize("shell", SCRIPTS)
def test_show_completion__prints_the_script_for_the_shell(shell: str) -> None:
    env = os.environ | {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv[0] = 'teamquota'; "
         "from teamquota.cli.app import main; main()", "--show-completion", shell],
        capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert SCRIPTS[shell] in done.stdout
    assert "_TEAMQUOTA_COMPLETE" in done.stdout


@pytest.mark.parametrize(("words", "expected"), [
    ("teamquota ca", ["calc"]),
    ("teamquota calc --eng", ["--engine"]),
    ("teamquota calc --engine ", ["duckdb", "spark"]),
])
def test_completion__completes_commands_options_and_choices(words: str,
                                                            expected: list[str]) -> None:
    # what the bash script asks: the words so far and the index of the one to complete
    env = os.environ | {"_TEAMQUOTA_COMPLETE": "complete_bash", "COMP_WORDS": words,
                        "COMP_CWORD": str(len(words.split(" ")) - 1)}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv[0] = 'teamquota'; "
         "from teamquota.cli.app import main; main()"],
        capture_output=True, text=True, env=env, check=False)
    assert (done.returncode, done.stdout.split()) == (0, expected)
