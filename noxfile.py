"""The test suite on the oldest and the newest Python that ``requires-python`` declares and this machine has.

``.ci/run`` runs README command 2 (the default Python, 3.11 here) and then ``nox``: the same suite in a
fresh virtualenv per interpreter, installed from the project exactly as a user installs it.
"""

import nox

nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True

PYTHONS = ["3.10", "3.13"]  # 3.11 is README command 2; 3.12 resolves the same wheels as 3.13


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """``pip install '.[test]'`` then ``pytest -q`` (arguments after ``--`` go to pytest)."""
    session.install("-q", ".[test]")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs)
