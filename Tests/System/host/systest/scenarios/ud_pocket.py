"""Scenario ud-pocket (issue 13, 2): /license on a USB stick with serial 85641000d308482019
→ unit ID #85641000D308482019. Guest half: Tests/System/guest/scenarios/ud-pocket.sh."""

from ..scenario import MAC, POCKET_SERIAL, ScenarioResult
from .common import active, license_partition, wfs_partition

NAME = "ud-pocket"


def run(context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    pocket = "#" + POCKET_SERIAL.upper()
    stick = license_partition(context, NAME, {"PAS-POCKET.lic": active("PAS-POCKET", "PAS", units=[pocket]),
                                              "EMP-MAC.lic": active("EMP-MAC", "EMP", units=[MAC])},
                              bus="usb", serial=POCKET_SERIAL)
    disks = [context.root_overlay(NAME), wfs_partition(context, NAME), context.data_disk(NAME), stick]
    context.boot(result, 1, disks)
    return result
