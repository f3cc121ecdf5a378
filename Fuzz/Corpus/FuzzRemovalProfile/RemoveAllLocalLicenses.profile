# Removes every installed license file (.lic), verified or not, and every license request file (fetch*).
# Assign it by copying this file into /wfs/license-profiles/ (one profile at a time);
# it runs at every start until it is removed from there again.
name: RemoveAllLocalLicenses
description: Deletes all license files from endpoint
selector: all
