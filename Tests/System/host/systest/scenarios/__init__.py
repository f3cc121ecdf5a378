"""The scenarios of issue 13, in the order they run. Each module's `run(context)` returns a
ScenarioResult; the guest half of scenario NAME is Tests/System/guest/scenarios/NAME.sh."""

from . import (boot_order, frozen_configuration, power_cut, removal_profile, ud_pocket, ums_delivery,
               usb_import)

SCENARIOS = {
    "boot-order": boot_order.run,
    "ud-pocket": ud_pocket.run,
    "usb-import": usb_import.run,
    "removal-profile": removal_profile.run,
    "frozen-configuration": frozen_configuration.run,
    "ums-delivery": ums_delivery.run,
    "power-cut": power_cut.run,
}
