# Removes verified licenses of product PWT (Ericom PowerTerm add-on).
# Assign it by copying this file into /wfs/license-profiles/ (one profile at a time);
# it runs at every start until it is removed from there again.
name: RemoveAllAddonEricomPowerTermLicenses
description: Deletes all Ericom PowerTerm add-on licenses from endpoint
selector: product:PWT
