"""Running host programs and saying what happens.

Every step of the system test shells out to a real tool (mmdebstrap, mke2fs, qemu-img,
openssl, qemu): one place runs them, so a failing tool always stops the run with its
command line and its own error output instead of a Python traceback.
"""

import os
import subprocess
import sys
import time


class SystemTestError(Exception):
    """A step of the system test could not be done (not a scenario failure)."""


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(arguments, *, cwd=None, env=None, capture=False, input_bytes=None, quiet=False):
    """Runs a command; raises SystemTestError naming it when it exits non-zero.

    capture=True returns stdout as text; quiet=True sends stdout to /dev/null (stderr still
    shows, so a failing tool explains itself).
    """
    merged_env = None if env is None else {**os.environ, **env}
    stdout = subprocess.PIPE if capture else (subprocess.DEVNULL if quiet else None)
    completed = subprocess.run(arguments, cwd=cwd, env=merged_env, stdout=stdout,
                               input=input_bytes, check=False)
    if completed.returncode != 0:
        raise SystemTestError(f"{' '.join(map(str, arguments))} exited {completed.returncode}")
    return completed.stdout.decode() if capture else None


def install_debian_packages(packages) -> None:
    """apt-get installs the packages that are missing (the script runs on a fresh machine)."""
    missing = []
    for package in packages:
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                capture_output=True, text=True, check=False).stdout
        if "install ok installed" not in status:
            missing.append(package)
    if not missing:
        return
    log(f"Installing: {' '.join(missing)}")
    run(["apt-get", "update", "-qq"], quiet=True)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], quiet=True,
        env={"DEBIAN_FRONTEND": "noninteractive"})


class Stopwatch:
    """Wall-clock seconds of one step, for the figures the run prints."""

    def __init__(self):
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started
