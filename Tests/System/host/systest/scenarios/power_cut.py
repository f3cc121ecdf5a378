"""Scenario power-cut (issue 13, 7): kill -9 of qemu at random moments during a loop of
`import --replace`; each next boot sees exactly the old or the new set, every file verifies.

The license disk is a qcow2 overlay with cache=writeback: the guest sees a volatile write
cache and its fsyncs become flushes; kill -9 loses whatever qemu had not written, as a
power cut loses a disk's cache. Every round is a real boot (the minimal PID 1
power-cut-init) of the same disks after the kill. Durability is judged here: the guest
reports "DONE <n> <set>" after each import returned, so the next boot must see that set or
the one after it (the import in flight when the power went), never an older one.
Guest half: Tests/System/guest/scenarios/power-cut.sh and Tests/System/guest/power-cut-init.
"""

import collections
import os
import random
import time

from .. import disks, vm
from ..commands import run as run_command
from ..scenario import BootRecord, ScenarioResult
from .common import active, wfs_partition

NAME = "power-cut"
SETS = {"A": [("PAS-A", "PAS"), ("EMP-A", "EMP")],
        "B": [("PAS-B", "PAS"), ("PWT-B", "PWT"), ("EMP-B", "EMP")],
        "C": [("PAS-C", "PAS")]}
# The power is cut this many seconds (uniformly random) after the import loop started.
MAXIMUM_DELAY = 4.0
ROUND_TIMEOUT = 240


def successor(name: str) -> str:
    return {"A": "B", "B": "C", "C": "A"}[name]


def sign_sets(context, directory: str) -> dict:
    """Signs every set once: {set: {file name: path}}. The same bytes go onto the license
    partition (set A, installed at the start) and the data disk (what the loop imports)."""
    signed = {}
    for name, licenses in SETS.items():
        signed[name] = {}
        for license_id, product in licenses:
            document = active(license_id, product, model="perpetual" if product == "PWT" else "subscription")
            path = os.path.join(directory, "sets", name, f"{license_id}.lic")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            signed[name][f"{license_id}.lic"] = context.pki.sign(document, path)
    return signed


def stage_data(context, signed):
    def stage(tree):
        tree.copy(context.pki.keyring, "keyring-dir/keyring.pem")
        for name, files in signed.items():
            for file_name, path in files.items():
                tree.copy(path, f"sets/{name}/{file_name}")
    return stage


def stage_license_partition(signed_set):
    def stage(tree):
        tree.folder("dsa/licenses")
        for file_name, path in signed_set.items():
            tree.copy(path, f"dsa/licenses/{file_name}")
    return stage


class Durability:
    """What the host knows is on the disk: the last set an import completed, and the next."""

    def __init__(self, installed: str):
        self.completed = installed
        self.in_flight = None

    def allowed(self) -> set:
        return {self.completed} | ({self.in_flight} if self.in_flight else set())

    def judge(self, result, boot_name: str, seen: str) -> None:
        allowed = self.allowed()
        result.record(f"{boot_name}/durable", seen in allowed,
                      f"saw set {seen}; allowed {'/'.join(sorted(allowed))} (last completed import: "
                      f"{self.completed}, in flight: {self.in_flight or 'none'})")
        if seen in SETS:
            self.completed, self.in_flight = seen, None


def one_round(context, result, disk_list, number: int, durability: Durability, chooser, outcomes) -> bool:
    boot_name = f"round{number:03d}"
    machine = vm.VirtualMachine(context.image, context.directory(NAME), boot_name, disk_list,
                                f"init=/usr/local/lib/system-test/power-cut-init systest.scenario={NAME} "
                                f"systest.round={number}")
    machine.start()
    seen = machine.wait_for_line("SEEN ", ROUND_TIMEOUT)
    started = seen and machine.wait_for_line("LOOP started", ROUND_TIMEOUT)
    delay = chooser.uniform(0.0, MAXIMUM_DELAY)
    if started:
        time.sleep(delay)
    machine.kill()
    result.take_lines(boot_name, machine.lines)
    if not seen or not started:
        result.record(f"{boot_name}/reached-loop", False, f"the round never reached the import loop; see {machine.console_log}")
        return False
    durability.judge(result, boot_name, seen.split()[1])
    done = [line.split() for line in machine.lines if line.startswith("DONE ")]
    if done:
        durability.completed = done[-1][2]
    durability.in_flight = successor(durability.completed)
    outcomes["imports completed"] += len(done)
    outcomes[f"boots that saw set {seen.split()[1]}"] += 1
    result.boots.append(BootRecord(boot_name, round(machine.seconds, 1), f"cut after {delay:.2f} s", machine.console_log))
    return True


def run(context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    directory = context.directory(NAME)
    seed = int(os.environ.get("SYSTEM_TEST_SEED", str(int(time.time()))))
    chooser = random.Random(seed)
    result.info["seed"] = str(seed)
    signed = sign_sets(context, directory)
    license_raw = context.ext4_disk(NAME, "license", "LICENSE", stage_license_partition(signed["A"]))
    license_disk = vm.Disk(disks.overlay(license_raw.path, os.path.join(directory, "license.qcow2")),
                           format="qcow2", cache="writeback")
    wfs_raw = wfs_partition(context, NAME)
    wfs_disk = vm.Disk(disks.overlay(wfs_raw.path, os.path.join(directory, "wfs.qcow2")),
                       format="qcow2", cache="writeback")
    disk_list = [context.root_overlay(NAME), license_disk, wfs_disk, context.data_disk(NAME, stage_data(context, signed))]
    durability = Durability("A")
    outcomes = collections.Counter()
    for number in range(1, context.power_rounds + 1):
        if not one_round(context, result, disk_list, number, durability, chooser, outcomes):
            break
    final = context.boot(result, "final", disk_list)
    seen = [line.split()[1] for line in final.lines if line.startswith("SEEN ")]
    if seen:
        durability.judge(result, "phasefinal", seen[0])
    flat = os.path.join(directory, "license-after.raw")
    run_command(["qemu-img", "convert", "-O", "raw", license_disk.path, flat])
    status, output = disks.fsck(flat)
    result.record("host/fsck", status == 0, f"e2fsck -fn of the license disk after the last boot exited {status}"
                  + ("" if status == 0 else f": {output.strip()[-300:]}"))
    os.unlink(flat)
    result.info["rounds"] = str(context.power_rounds)
    result.info.update({key: str(value) for key, value in sorted(outcomes.items())})
    return result
