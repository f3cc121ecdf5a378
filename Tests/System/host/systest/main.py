"""scripts/system-test: the package on a booted Debian VM (issue 13).

    scripts/system-test [--deb PATH] [--scenario NAME]... [--power-rounds N]

1. the package: `Packaging/build-release` (its last line is the .deb), or --deb PATH;
2. the image: cached under $SYSTEM_TEST_CACHE (default /var/cache/license-agent-system-test),
   keyed by the package list and the .deb's digest (image.py);
3. this run's licensing PKI, made with the openssl CLI (pki.py);
4. every scenario (or those named), each as one or more boots of a VM (scenarios/);
5. the summary: each scenario PASSED, FAILED or NOT RUN, boots and seconds, where the
   console logs are; a closing "N passed, N failed, N skipped" line. Exit 0 when nothing
   failed (NOT RUN is reported loudly and is not a pass), 1 otherwise.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

from . import image, pki, vm
from .commands import SystemTestError, Stopwatch, install_debian_packages, log, run
from .scenario import ScenarioContext, run_timed
from .scenarios import SCENARIOS

HOST_PACKAGES = ["qemu-system-x86", "qemu-utils", "mmdebstrap", "e2fsprogs", "openssl", "dpkg-dev", "xz-utils"]
REPOSITORY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="scripts/system-test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--deb", help="use this package instead of building one with Packaging/build-release")
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS),
                        help="run only this scenario (repeatable); default: all, in order")
    parser.add_argument("--power-rounds", type=int, default=20,
                        help="power cuts in scenario power-cut (default 20)")
    parser.add_argument("--output", default=os.path.join(REPOSITORY, ".build-system-test"),
                        help="where the console logs and results go (default .build-system-test/)")
    parser.add_argument("--cache", default=os.environ.get("SYSTEM_TEST_CACHE", "/var/cache/license-agent-system-test"),
                        help="image cache, outside the clone")
    return parser.parse_args(argv)


def release_package(arguments) -> str:
    if arguments.deb:
        if not os.path.isfile(arguments.deb):
            raise SystemTestError(f"--deb {arguments.deb}: no such file")
        return os.path.abspath(arguments.deb)
    log("Package: Packaging/build-release")
    output = run([os.path.join(REPOSITORY, "Packaging", "build-release")], capture=True)
    return output.strip().splitlines()[-1]


def agent_commands(deb_path: str) -> set:
    """The subcommands of the packaged license-agent (to tell whether `deploy` exists).

    Read from swift-argument-parser's --experimental-dump-help: `license-agent deploy
    --help` is no test, it prints the root help and exits 0 when `deploy` is unknown.
    """
    with tempfile.TemporaryDirectory() as unpacked:
        run(["dpkg-deb", "-x", deb_path, unpacked])
        dump = run([os.path.join(unpacked, "usr/bin/license-agent"), "--experimental-dump-help"], capture=True)
        return {command["commandName"] for command in json.loads(dump)["command"].get("subcommands", [])}


def print_summary(results, figures, run_directory) -> None:
    print("\n==================== system test summary ====================")
    for result in results:
        boots = ", ".join(f"{boot.name} {boot.seconds:.0f} s" for boot in result.boots) or "no boot"
        print(f"{result.status:8} {result.name:22} {result.seconds:6.0f} s  ({boots})")
        for check in result.checks:
            if not check.passed:
                print(f"         FAIL {check.name}: {check.detail}")
        if result.not_run:
            print(f"         !!! NOT RUN: {result.not_run}")
        figures_of_scenario = {key: value for key, value in result.info.items() if "/" not in key}
        if figures_of_scenario:
            print("         " + "; ".join(f"{key}: {value}" for key, value in figures_of_scenario.items()))
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(f"console logs: {run_directory}/<scenario>/<boot>.console.log")
    not_run = [result.name for result in results if result.status == "NOT RUN"]
    if not_run:
        print(f"!!! NOT RUN (does not count as passed): {', '.join(not_run)}")
    passed = sum(result.status == "PASSED" for result in results)
    failed = sum(result.status == "FAILED" for result in results)
    print(f"system-test: {passed} passed, {failed} failed, {len(not_run)} skipped")


def main(argv=None) -> int:
    arguments = parse_arguments(argv if argv is not None else sys.argv[1:])
    if os.geteuid() != 0:
        print("scripts/system-test must run as root (mmdebstrap, chroot dpkg -i).", file=sys.stderr)
        return 1
    total = Stopwatch()
    try:
        install_debian_packages(HOST_PACKAGES)
        watch = Stopwatch()
        deb = release_package(arguments)
        package_seconds = watch.seconds
        commands = agent_commands(deb)
        guest_image = image.build_image(arguments.cache, deb)
        run_directory = os.path.join(arguments.output, "latest")
        shutil.rmtree(run_directory, ignore_errors=True)
        os.makedirs(run_directory)
        licensing = pki.LicensingPKI(os.path.join(run_directory, "pki"))
        context = ScenarioContext(guest_image, licensing, run_directory, arguments.power_rounds, commands)
        results = []
        for name in arguments.scenario or list(SCENARIOS):
            log(f"Scenario {name}")
            result = run_timed(SCENARIOS[name], context)
            log(f"Scenario {name}: {result.status} in {result.seconds:.0f} s")
            results.append(result)
    except SystemTestError as error:
        print(f"system-test: {error}", file=sys.stderr)
        return 1
    figures = {
        "package": f"{deb} ({'given' if arguments.deb else f'built in {package_seconds:.0f} s'})",
        "image": (f"{'cached' if guest_image.info['cached'] else 'built'} in {guest_image.info['thisRunSeconds']} s"
                  f" (first build: base {guest_image.info['baseSeconds']} s, total {guest_image.info['buildSeconds']} s)"),
        "accelerator": vm.accelerator(),
        "total": f"{total.seconds:.0f} s",
    }
    with open(os.path.join(run_directory, "summary.json"), "w") as handle:
        json.dump({"figures": figures, "scenarios": [
            {"name": r.name, "status": r.status, "seconds": r.seconds, "notRun": r.not_run, "info": r.info,
             "boots": [vars(b) for b in r.boots], "checks": [vars(c) for c in r.checks]} for r in results]},
            handle, indent=1)
    print_summary(results, figures, run_directory)
    return 1 if any(result.status == "FAILED" for result in results) else 0
