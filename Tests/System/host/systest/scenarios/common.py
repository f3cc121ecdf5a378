"""Device disks most scenarios share: /license with licenses bound to the NIC, /wfs."""

from .. import pki
from ..scenario import MAC


def license_partition(context, scenario: str, licenses: dict, name: str = "license", bus: str = "virtio",
                      serial: str = ""):
    """/license (ext4, LABEL=LICENSE) holding dsa/licenses/<file> for every {file: document}."""
    def stage(tree):
        tree.folder("dsa/licenses")
        for file_name, document in licenses.items():
            context.sign(tree, f"dsa/licenses/{file_name}", document)
    return context.ext4_disk(scenario, name, "LICENSE", stage, bus=bus, serial=serial)


def wfs_partition(context, scenario: str, group_ini: str = "", extra=None):
    """/wfs (ext4, LABEL=WFS) with group.ini; `extra(tree)` adds more."""
    def stage(tree):
        tree.write("group.ini", group_ini)
        if extra:
            extra(tree)
    return context.ext4_disk(scenario, "wfs", "WFS", stage)


def active(license_id: str, product: str, units=(MAC,), days_left: int = 300, model: str = "subscription"):
    """A license that started yesterday and ends in days_left days."""
    return pki.license_document(license_id, product, units, pki.day(-1), pki.day(days_left), model=model)
