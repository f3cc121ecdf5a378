# Removes verified licenses of product WE (Workspace Edition). Evaluation licenses (WE-E) are not WE.
# Assign it by copying this file into /wfs/license-profiles/ (one profile at a time);
# it runs at every start until it is removed from there again.
name: RemoveAllWorkspaceEditionLicenses
description: Deletes all Workspace Edition licenses from endpoint
selector: product:WE
