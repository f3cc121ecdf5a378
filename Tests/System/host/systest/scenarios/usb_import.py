"""Scenario usb-import (issue 13, 3): with the USB rule enabled, hot-plug a stick with a valid
and two hostile .lic files. Guest half: Tests/System/guest/scenarios/usb-import.sh."""

from ..scenario import ScenarioResult
from .common import active, license_partition, wfs_partition

NAME = "usb-import"
STICK_SERIAL = "4C530001230815117291"


def stick_contents(context):
    def stage(tree):
        context.sign(tree, "EMP-STICK.lic", active("EMP-STICK", "EMP"))
        tree.symlink("EMP-STICK.lic", "LINK.lic")
        tree.write("HUGE.lic", b"-----BEGIN CMS-----\n" + b"A" * (70 * 1024) + b"\n-----END CMS-----\n")
    return stage


def hotplug_when_ready(stick_path):
    def during(machine):
        if machine.wait_for_line("READY hotplug", timeout=300):
            machine.hotplug_usb_stick(stick_path, STICK_SERIAL)
    return during


def run(context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    stick = context.ext4_disk(NAME, "stick", "STICK", stick_contents(context))
    disks = [context.root_overlay(NAME), license_partition(context, NAME, {"PAS-BASE.lic": active("PAS-BASE", "PAS")}),
             wfs_partition(context, NAME), context.data_disk(NAME)]
    context.boot(result, 1, disks, during=hotplug_when_ready(stick.path))
    return result
