# Removes verified evaluation licenses: model evaluation, or product WE-E (Workspace Edition Evaluation).
# Assign it by copying this file into /wfs/license-profiles/ (one profile at a time);
# it runs at every start until it is removed from there again.
name: RemoveAllEvaluationLicenses
description: Deletes all evaluation licenses from endpoint
selector: evaluation
