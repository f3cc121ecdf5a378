# Removes verified licenses of product EMP (Enterprise Management Pack).
# Assign it by copying this file into /wfs/license-profiles/ (one profile at a time);
# it runs at every start until it is removed from there again.
name: RemoveAllEnterpriseManagementPackLicenses
description: Deletes all Enterprise Management Pack licenses from endpoint
selector: product:EMP
