"""The BLAS thread policy: every chapter's ``__main__`` sets it before NumPy is imported,
and a user's own setting wins."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from common.threads import BLAS_THREADS, THREAD_VARIABLES, apply_thread_policy

# Runs a program's __main__ (with --help, so that it stops at once) behind an import hook
# that prints the thread variables as they are when NumPy is first imported.
PROBE = """
import os, runpy, sys

class Spy:
    seen = False

    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and not Spy.seen:
            Spy.seen = True
            print("AT_NUMPY", *(os.environ.get(v, "-") for v in {variables!r}))
        return None

sys.meta_path.insert(0, Spy())
sys.argv = [{program!r}, "--help"]
try:
    runpy.run_module({program!r}, run_name="__main__", alter_sys=True)
except SystemExit:
    pass
"""


def thread_settings_at_numpy_import(program: str, **env: str) -> list[str]:
    """Run ``python -m program --help`` in a fresh process with the thread variables
    removed from the environment, then ``env`` added; the variables' values ('-' when
    unset) at NumPy's first import."""
    environ = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    code = PROBE.format(variables=THREAD_VARIABLES, program=program)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**environ, **env, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("AT_NUMPY")]
    assert lines, f"{program} never imported NumPy:\n{proc.stdout}"
    return lines[0].split()[1:]


@pytest.mark.parametrize("program", sorted(BLAS_THREADS))
def test_main_sets_the_policy_before_numpy_when_the_user_did_not(program):
    expected = str(BLAS_THREADS[program][0])
    assert thread_settings_at_numpy_import(program) == [expected] * len(THREAD_VARIABLES)


@pytest.mark.parametrize("program", ["ch_mnist", "ch_seq2seq"])
def test_a_users_setting_wins(program):
    assert thread_settings_at_numpy_import(program, OPENBLAS_NUM_THREADS="2") == ["2", "-", "-"]
    # OMP_NUM_THREADS alone also decides for OpenBLAS: nothing is set beside it
    assert thread_settings_at_numpy_import(program, OMP_NUM_THREADS="2") == ["-", "2", "-"]


def test_every_program_has_a_reason_and_a_positive_count():
    for program, (count, why) in BLAS_THREADS.items():
        assert isinstance(count, int) and count >= 1, program
        assert len(why) > 20, program


def test_apply_thread_policy_in_process(monkeypatch):
    for variable in THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    apply_thread_policy("ch_iris")
    assert [os.environ[v] for v in THREAD_VARIABLES] == ["1"] * 3
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    apply_thread_policy("ch_iris")
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    with pytest.raises(KeyError):
        apply_thread_policy("no_such_program")


def test_the_module_imports_nothing_that_would_load_numpy():
    # it must be importable before NumPy is
    code = "import sys, common.threads; print('numpy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr
