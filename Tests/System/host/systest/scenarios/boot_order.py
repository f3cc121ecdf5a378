"""Scenario boot-order (issue 13, 1): the check runs before the desktop; the unit ID is the
virtio NIC's MAC, its driver a module. Guest half: Tests/System/guest/scenarios/boot-order.sh."""

from ..scenario import ScenarioResult
from .common import active, license_partition, wfs_partition

NAME = "boot-order"


def run(context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    license_disk = license_partition(context, NAME, {"PAS-BOOT.lic": active("PAS-BOOT", "PAS"),
                                                     "EMP-BOOT.lic": active("EMP-BOOT", "EMP")})
    disks = [context.root_overlay(NAME), license_disk, wfs_partition(context, NAME, "system.hostname=tc\n"),
             context.data_disk(NAME)]
    context.boot(result, 1, disks)
    return result
