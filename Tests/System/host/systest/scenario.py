"""What every scenario shares: its result, its boots, its disks.

A scenario is one or more boots of the guest with `systest.scenario=<name>
systest.phase=<n>` on the kernel command line; the guest's phase_<n> of
Tests/System/guest/scenarios/<name>.sh asserts what the device shows and reports
PASS/FAIL lines on the second serial port. A scenario passes when at least one check ran,
no check failed, and every boot reached its END line.
"""

import os
from dataclasses import dataclass, field

from . import disks, vm
from .commands import Stopwatch

MAC = "00E0C51C5087"
POCKET_SERIAL = "85641000d308482019"
DEFAULT_BOOT_TIMEOUT = 420


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class BootRecord:
    name: str
    seconds: float
    uptime_at_scenario: str
    console_log: str


@dataclass
class ScenarioResult:
    name: str
    checks: list = field(default_factory=list)
    boots: list = field(default_factory=list)
    info: dict = field(default_factory=dict)
    not_run: str = ""
    seconds: float = 0.0

    def record(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(name, passed, detail))

    @property
    def status(self) -> str:
        if self.not_run:
            return "NOT RUN"
        if not self.checks or any(not check.passed for check in self.checks):
            return "FAILED"
        return "PASSED"

    def take_lines(self, boot_name: str, lines) -> bool:
        """Records the guest's lines of one boot; True when the boot reported its END."""
        ended = False
        for line in lines:
            kind, _, rest = line.partition(" ")
            if kind in ("PASS", "FAIL"):
                name, _, detail = rest.partition(": ")
                self.record(f"{boot_name}/{name}", kind == "PASS", detail)
            elif kind == "NOTRUN":
                self.not_run = rest
            elif kind == "INFO":
                key, _, value = rest.partition(" ")
                self.info[f"{boot_name}/{key}"] = value
            elif kind == "END":
                ended = True
        return ended


class ScenarioContext:
    """The run's shared parts: image, PKI, where files go, options."""

    def __init__(self, image, pki, run_directory: str, power_rounds: int, agent_commands: set):
        self.image = image
        self.pki = pki
        self.run_directory = run_directory
        self.power_rounds = power_rounds
        self.agent_commands = agent_commands

    def directory(self, scenario: str) -> str:
        path = os.path.join(self.run_directory, scenario)
        os.makedirs(path, exist_ok=True)
        return path

    def root_overlay(self, scenario: str) -> vm.Disk:
        """A fresh writable root for the scenario over the cached image."""
        path = disks.overlay(self.image.root_image, os.path.join(self.directory(scenario), "root.qcow2"))
        return vm.Disk(path, format="qcow2")

    def data_disk(self, scenario: str, stage=None) -> vm.Disk:
        """The SYSTEST disk: keyring, expected values, and whatever `stage(tree)` adds."""
        tree = disks.StagedTree(os.path.join(self.directory(scenario), "data-tree"))
        tree.copy(self.pki.keyring, "keyring.pem")
        tree.write("expected.env", f"MAC={MAC}\nPOCKET_SERIAL={POCKET_SERIAL.upper()}\n")
        if stage:
            stage(tree)
        path = disks.ext4_image(tree, os.path.join(self.directory(scenario), "data.img"), "SYSTEST")
        return vm.Disk(path)

    def ext4_disk(self, scenario: str, name: str, label: str, stage, size: str = "32M",
                  bus: str = "virtio", serial: str = "") -> vm.Disk:
        """A raw ext4 disk built from the folder that `stage(tree)` fills."""
        tree = disks.StagedTree(os.path.join(self.directory(scenario), f"{name}-tree"))
        stage(tree)
        path = disks.ext4_image(tree, os.path.join(self.directory(scenario), f"{name}.img"), label, size)
        return vm.Disk(path, bus=bus, serial=serial)

    def sign(self, tree, relative: str, document: dict) -> str:
        """Signs a license document straight into a staged tree."""
        path = os.path.join(tree.path, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return self.pki.sign(document, path)

    def boot(self, result: ScenarioResult, phase, disk_list, rtc_base: str = "utc",
             during=None, timeout: float = DEFAULT_BOOT_TIMEOUT, expect_end: bool = True):
        """One boot of the scenario's phase; `during(machine)` runs while it is up."""
        boot_name = f"phase{phase}"
        machine = vm.VirtualMachine(self.image, self.directory(result.name), boot_name, disk_list,
                                    f"systest.scenario={result.name} systest.phase={phase}", rtc_base=rtc_base)
        machine.start()
        if during:
            during(machine)
        exited = machine.wait_for_exit(timeout)
        if not exited:
            machine.kill()
            result.record(f"{boot_name}/vm-exit", False, f"the VM did not power off within {timeout:.0f} s")
        ended = result.take_lines(boot_name, machine.lines)
        if expect_end and not ended and not result.not_run:
            result.record(f"{boot_name}/ended", False,
                          f"the guest never reported the end of phase {phase}; see {machine.console_log}")
        result.boots.append(BootRecord(boot_name, round(machine.seconds, 1),
                                       result.info.get(f"{boot_name}/uptime-at-scenario", "?"),
                                       machine.console_log))
        return machine


def run_timed(function, context: ScenarioContext) -> ScenarioResult:
    watch = Stopwatch()
    result = function(context)
    result.seconds = round(watch.seconds, 1)
    return result
