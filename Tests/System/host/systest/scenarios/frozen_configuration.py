"""Scenario frozen-configuration (issue 13, 5): an expired PAS freezes the settings across
reboots; a renewal thaws them; a change made on the PAS's last day is what the freeze keeps.
Four boots on the same disks; the guest's clock is set per boot with qemu's -rtc base=.
Guest half: Tests/System/guest/scenarios/frozen-configuration.sh."""

import datetime

from .. import pki
from ..scenario import MAC, ScenarioResult
from .common import license_partition, wfs_partition

NAME = "frozen-configuration"
PAS_DAYS_LEFT = 5
# Days from today of each boot's clock: the PAS's last day, expired, a day later, a day later.
BOOT_DAYS = [PAS_DAYS_LEFT, PAS_DAYS_LEFT + 10, PAS_DAYS_LEFT + 11, PAS_DAYS_LEFT + 12]
# The boot on the PAS's last day starts at noon UTC, so that the whole boot stays on that day
# (license days are UTC days) whatever the time of day the run starts.
NOON_BOOTS = {1}
SETTINGS = "system.display.resolution=1280x1024\nsystem.remotemanager.server=\nsystem.hostname=tc-frozen\n"


def rtc_base(days_from_now: int, noon: bool = False) -> str:
    if noon:
        return f"{pki.day(days_from_now)}T12:00:00"
    if days_from_now == 0:
        return "utc"
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def run(context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    pas = pki.license_document("PAS-OLD", "PAS", [MAC], pki.day(-300), pki.day(PAS_DAYS_LEFT))
    renewed = pki.license_document("PAS-RENEWED", "PAS", [MAC], pki.day(0), pki.day(400))
    data = context.data_disk(NAME, stage=lambda tree: context.sign(tree, "PAS-RENEWED.lic", renewed))
    disks = [context.root_overlay(NAME), license_partition(context, NAME, {"PAS-OLD.lic": pas}),
             wfs_partition(context, NAME, SETTINGS), data]
    for phase, days in enumerate(BOOT_DAYS, start=1):
        clock = rtc_base(days, noon=phase in NOON_BOOTS)
        context.boot(result, phase, disks, rtc_base=clock)
        result.info[f"phase{phase}/clock"] = clock
    return result
