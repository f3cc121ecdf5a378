# Removes verified licenses of product 90M (90meter smartcard middleware add-on).
# Assign it by copying this file into /wfs/license-profiles/ (one profile at a time);
# it runs at every start until it is removed from there again.
name: RemoveAllAddon90meterLicenses
description: Deletes all 90meter add-on licenses from endpoint
selector: product:90M
