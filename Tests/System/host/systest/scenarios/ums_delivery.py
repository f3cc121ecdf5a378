"""Scenario ums-delivery (DELIVERY.md): settings with a download link land, the license is
installed and the user is asked before the device restarts: "later" (no reboot), then, for a
second license, "now" (one reboot); after the reboot, the UMS holds the report that
license-agent-report.service sent after the boot check. NOT RUN while the package's
license-agent has no `deploy` subcommand (the report's checks: while it has no `report`). Guest half: Tests/System/guest/scenarios/ums-delivery.sh."""

import os

from ..scenario import ScenarioResult
from .common import active, license_partition, wfs_partition

NAME = "ums-delivery"
NOT_RUN = ("the packaged license-agent has no 'deploy' subcommand (DELIVERY.md); "
           "this scenario runs once the delivery branch is merged")


def stage_ums(context):
    def stage(tree):
        context.sign(tree, "ums/PAS-UMS.lic", active("PAS-UMS", "PAS"))
        # The second delivery, which the user agrees to restart for.
        context.sign(tree, "ums/EMP-UMS.lic", active("EMP-UMS", "EMP"))
        tree.copy(context.pki.ums_ca, "ums/ca.crt")
        tree.copy(context.pki.ums_certificate, "ums/server.crt")
        tree.copy(context.pki.ums_key, "ums/server.key")
    return stage


def run(context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    if "deploy" not in context.agent_commands:
        result.not_run = NOT_RUN
        return result
    disks = [context.root_overlay(NAME), license_partition(context, NAME, {}), wfs_partition(context, NAME),
             context.data_disk(NAME, stage=stage_ums(context))]
    first = context.boot(result, 1, disks, expect_end=False, timeout=600)
    with open(first.console_log, errors="replace") as handle:
        console = handle.read()
    result.record("phase1/rebooted", "reboot: Restarting system" in console,
                  "the guest kernel restarted the machine (qemu saw the reset)"
                  if "reboot: Restarting system" in console else
                  f"no 'reboot: Restarting system' from the guest kernel; see {os.path.basename(first.console_log)}")
    context.boot(result, 2, disks)
    return result
