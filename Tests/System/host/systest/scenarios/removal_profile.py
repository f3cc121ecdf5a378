"""Scenario removal-profile (issue 13, 4): an assigned removal profile runs at boot before the
check publishes. Guest half: Tests/System/guest/scenarios/removal-profile.sh."""

import os

from ..scenario import ScenarioResult
from .common import active, license_partition, wfs_partition

NAME = "removal-profile"
PROFILE = "RemoveAllEnterpriseManagementPackLicenses.profile"
REPOSITORY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *[".."] * 5))


def run(context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    licenses = {"PAS-KEEP.lic": active("PAS-KEEP", "PAS"), "EMP-GONE.lic": active("EMP-GONE", "EMP"),
                "PWT-KEEP.lic": active("PWT-KEEP", "PWT", model="perpetual")}
    wfs = wfs_partition(context, NAME, extra=lambda tree: tree.copy(
        os.path.join(REPOSITORY, "Profiles", PROFILE), f"license-profiles/{PROFILE}"))
    disks = [context.root_overlay(NAME), license_partition(context, NAME, licenses), wfs, context.data_disk(NAME)]
    context.boot(result, 1, disks)
    return result
