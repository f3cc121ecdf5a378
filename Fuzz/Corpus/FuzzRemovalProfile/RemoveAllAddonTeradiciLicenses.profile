# Removes verified licenses of product TER (Teradici PCoIP add-on).
# Assign it by copying this file into /wfs/license-profiles/ (one profile at a time);
# it runs at every start until it is removed from there again.
name: RemoveAllAddonTeradiciLicenses
description: Deletes all Teradici PCoIP add-on licenses from endpoint
selector: product:TER
